"""Workflows, tasks and launch plans: a name's versions and recent executions, a version's details, and its launch
form, generated from the interface (typed inputs, defaults filled, checked before CreateExecution is called).
Launch plans can be activated and deactivated from their page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flyteidl.admin import common_pb2, execution_pb2, launch_plan_pb2
from flyteidl.core import identifier_pb2, interface_pb2, literals_pb2
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from flyteplane.api.http.console.actions import _threaded, execution_url
from flyteplane.api.http.console.context import BASE, Console, execution_id_of, form_of
from flyteplane.api.http.console.literals import Field, FieldError, form_fields, literal_from_text
from flyteplane.api.http.console.views import workflow_phase
from flyteplane.errors import FlyteplaneError, NotFound

__all__ = ["EntityPages"]

# a version page's path segment → (resource type, Get RPC, List RPC, executions filter entity)
KINDS: dict[str, tuple[int, str, str, str]] = {
    "workflow": (identifier_pb2.WORKFLOW, "GetWorkflow", "ListWorkflows", "workflow"),
    "task": (identifier_pb2.TASK, "GetTask", "ListTasks", "task"),
    "launch_plan": (identifier_pb2.LAUNCH_PLAN, "GetLaunchPlan", "ListLaunchPlans", "launch_plan"),
}
SECTION_KIND = {"workflows": "workflow", "tasks": "task", "launch_plans": "launch_plan"}


class EntityPages:
    def __init__(self, console: Console) -> None:
        self.c = console

    def name_page(self, request: Request) -> Response:
        p = request.path_params
        kind = SECTION_KIND[p["section"]]
        _type, _get, list_rpc, entity = KINDS[kind]
        named = common_pb2.NamedEntityIdentifier(project=p["project"], domain=p["domain"], name=p["name"])
        versions = self.c.rpc(
            list_rpc,
            common_pb2.ResourceListRequest(
                id=named, limit=50, sort_by=common_pb2.Sort(key="created_at", direction=common_pb2.Sort.DESCENDING)
            ),
        )
        items = list(getattr(versions, {"workflow": "workflows", "task": "tasks", "launch_plan": "launch_plans"}[kind]))
        if not items:
            return self.c.page(
                request, "message.html", status=404, title="Not found", message=f"no {kind} [{p['name']}]"
            )
        executions = (
            self._recent(p["project"], p["domain"], f"eq({entity}.name,{p['name']})") if "," not in p["name"] else []
        )
        return self.c.page(
            request, "entity.html", title=p["name"], kind=kind, name=p["name"], versions=items, executions=executions
        )

    def version_page(self, request: Request, problems: list[str] | None = None, typed: Any = None) -> Response:
        p = request.path_params
        kind = p["kind"]
        if kind not in KINDS:
            return self.c.page(request, "message.html", status=404, title="Not found", message=f"no page for {kind}")
        get_rpc, ident = _version_of(p)
        entity = KINDS[kind][3]
        try:
            found = self.c.rpc(get_rpc, common_pb2.ObjectGetRequest(id=ident))
        except NotFound as exc:
            return self.c.page(request, "message.html", status=404, title="Not found", message=str(exc))
        launch_id, fields = self._form(kind, found, None)
        if typed is not None:
            for field in fields:
                field.default = typed.get(field.name, "")
        return self.c.page(
            request,
            "entity_version.html",
            status=400 if problems else 200,
            title=f"{p['name']} {p['version']}",
            kind=kind,
            entity=found,
            launch_id=launch_id,
            fields=fields,
            problems=problems or [],
            executions=self._recent(p["project"], p["domain"], f"eq({entity}.version,{p['version']})"),
            lp_state=_lp_state(found) if kind == "launch_plan" else None,
            schedule=_schedule_text(found) if kind == "launch_plan" else "",
        )

    def relaunch_form(self, request: Request) -> Response:
        """The launch form of an execution's launch plan (or task), filled with the inputs that execution had."""
        ident = execution_id_of(request)
        try:
            execution = self.c.rpc("GetExecution", execution_pb2.WorkflowExecutionGetRequest(id=ident))
            data = self.c.rpc("GetExecutionData", execution_pb2.WorkflowExecutionGetDataRequest(id=ident))
        except NotFound as exc:
            return self.c.page(request, "message.html", status=404, title="Not found", message=str(exc))
        launched = execution.spec.launch_plan
        kind = "task" if launched.resource_type == identifier_pb2.TASK else "launch_plan"
        found = self.c.rpc(KINDS[kind][1], common_pb2.ObjectGetRequest(id=launched))
        launch_id, fields = self._form(kind, found, data.full_inputs)
        return self.c.page(
            request,
            "entity_version.html",
            title=f"Relaunch {ident.name}",
            kind=kind,
            entity=found,
            launch_id=launch_id,
            fields=fields,
            problems=[],
            executions=[],
            relaunch_of=ident.name,
            lp_state=None,
            schedule="",
        )

    async def launch(self, request: Request) -> Response:
        """Checks every typed input against its type, then calls CreateExecution; problems re-show the form."""
        p = request.path_params
        form = await form_of(request)
        kind = p["kind"]
        if kind not in KINDS:
            return self.c.page(request, "message.html", status=404, title="Not found", message=f"no page for {kind}")
        get_rpc, ident = _version_of(p)
        try:
            found: Any = await _threaded(self.c.rpc, get_rpc, common_pb2.ObjectGetRequest(id=ident))
        except NotFound as exc:
            return self.c.page(request, "message.html", status=404, title="Not found", message=str(exc))
        launch_id, fields = self._form(kind, found, None)
        variables = self._variables(kind, found)
        inputs, problems, typed = _inputs(fields, variables, form)
        if launch_id is None:
            problems.append(f"this {kind} has no launch plan to launch it with")
        if problems:
            return self.version_page(request, problems=problems, typed=typed)
        create = execution_pb2.ExecutionCreateRequest(
            project=p["project"],
            domain=p["domain"],
            spec=execution_pb2.ExecutionSpec(
                launch_plan=launch_id,
                metadata=execution_pb2.ExecutionMetadata(mode=execution_pb2.ExecutionMetadata.MANUAL),
            ),
            inputs=inputs,
        )
        try:
            created: Any = await _threaded(self.c.rpc, "CreateExecution", create)
        except FlyteplaneError as exc:
            return self.version_page(request, problems=[str(exc)], typed=typed)
        return RedirectResponse(execution_url(created.id), status_code=303)

    async def set_state(self, request: Request) -> Response:
        p = request.path_params
        form = await form_of(request)
        state = launch_plan_pb2.ACTIVE if form.get("state") == "ACTIVE" else launch_plan_pb2.INACTIVE
        ident = identifier_pb2.Identifier(
            resource_type=identifier_pb2.LAUNCH_PLAN,
            project=p["project"],
            domain=p["domain"],
            name=p["name"],
            version=p["version"],
        )
        try:
            await _threaded(
                self.c.rpc, "UpdateLaunchPlan", launch_plan_pb2.LaunchPlanUpdateRequest(id=ident, state=state)
            )
        except FlyteplaneError as exc:
            return self.c.page(request, "message.html", status=400, title="Not done", message=str(exc))
        where = f"{BASE}/projects/{p['project']}/domains/{p['domain']}/launch_plan/{p['name']}/version/{p['version']}"
        return RedirectResponse(where, status_code=303)

    # -- helpers ------------------------------------------------------------------------------------------------

    def _variables(self, kind: str, found: Any) -> interface_pb2.VariableMap:
        if kind == "task":
            return found.closure.compiled_task.template.interface.inputs
        if kind == "workflow":
            return found.closure.compiled_workflow.primary.template.interface.inputs
        return interface_pb2.VariableMap(
            variables={name: p.var for name, p in found.closure.expected_inputs.parameters.items()}
        )

    def _form(
        self, kind: str, found: Any, values: literals_pb2.LiteralMap | None
    ) -> tuple[identifier_pb2.Identifier | None, list[Field]]:
        """What a launch runs (a launch plan, or the task itself) and the form's fields."""
        if kind == "task":
            return found.id, form_fields(None, self._variables(kind, found), values)
        if kind == "launch_plan":
            return found.id, form_fields(found.closure.expected_inputs, self._variables(kind, found), values)
        default_lp = identifier_pb2.Identifier(
            resource_type=identifier_pb2.LAUNCH_PLAN,
            project=found.id.project,
            domain=found.id.domain,
            name=found.id.name,
            version=found.id.version,
        )
        try:
            plan = self.c.rpc("GetLaunchPlan", common_pb2.ObjectGetRequest(id=default_lp))
        except NotFound:
            return None, form_fields(None, self._variables(kind, found), values)
        return plan.id, form_fields(plan.closure.expected_inputs, self._variables("launch_plan", plan), values)

    def _recent(self, project: str, domain: str, filters: str) -> list[dict[str, Any]]:
        try:
            answer = self.c.rpc(
                "ListExecutions",
                common_pb2.ResourceListRequest(
                    id=common_pb2.NamedEntityIdentifier(project=project, domain=domain),
                    limit=20,
                    filters=filters,
                    sort_by=common_pb2.Sort(key="created_at", direction=common_pb2.Sort.DESCENDING),
                ),
            )
        except FlyteplaneError:
            return []
        return [{"execution": e, "phase": workflow_phase(e.closure.phase)} for e in answer.executions]


def _inputs(
    fields: list[Field], variables: interface_pb2.VariableMap, form: dict[str, str]
) -> tuple[literals_pb2.LiteralMap, list[str], dict[str, str]]:
    inputs = literals_pb2.LiteralMap()
    problems: list[str] = []
    typed: dict[str, str] = {}
    for field in fields:
        raw = form.get(field.name)
        text = raw if isinstance(raw, str) else None
        if field.input == "checkbox":
            text = "true" if text is not None else "false"
        typed[field.name] = text or ""
        if (text is None or text == "") and not field.required and field.input != "checkbox":
            continue  # the launch plan's default applies
        try:
            inputs.literals[field.name].CopyFrom(
                literal_from_text(field.name, text, variables.variables[field.name].type)
            )
        except FieldError as exc:
            problems.append(str(exc))
    return inputs, problems, typed


def _lp_state(plan: Any) -> str:
    return "ACTIVE" if plan.closure.state == launch_plan_pb2.ACTIVE else "INACTIVE"


def _schedule_text(plan: Any) -> str:
    schedule = plan.spec.entity_metadata.schedule
    if schedule.cron_expression:
        return str(schedule.cron_expression)
    if schedule.HasField("cron_schedule"):
        return str(schedule.cron_schedule.schedule)
    if schedule.HasField("rate"):
        unit = {0: "minute", 1: "hour", 2: "day"}.get(schedule.rate.unit, "?")
        return f"every {schedule.rate.value} {unit}(s)"
    return ""


def execution_link(ident: identifier_pb2.WorkflowExecutionIdentifier) -> str:
    return execution_url(ident)


def _version_of(path: Mapping[str, str]) -> tuple[str, identifier_pb2.Identifier]:
    """The Get RPC and the identifier of the version a page's path names (its kind is one of KINDS)."""
    resource_type, get_rpc, _list, _entity = KINDS[path["kind"]]
    ident = identifier_pb2.Identifier(
        resource_type=resource_type,  # type: ignore[arg-type]
        project=path["project"],
        domain=path["domain"],
        name=path["name"],
        version=path["version"],
    )
    return get_rpc, ident
