"""The listing pages: projects and their domains; per project and domain the executions (filtered by phase,
workflow or launch plan and time, sorted, keyset-paged through ListExecutions' tokens so a deep page costs what
the first does), and the names of workflows, tasks and launch plans."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlencode

from flyteidl.admin import common_pb2
from flyteidl.core import execution_pb2 as core_execution
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from flyteplane.api.http.console.context import BASE, Console
from flyteplane.api.http.console.views import workflow_phase
from flyteplane.errors import FlyteplaneError

__all__ = ["ENTITY_KINDS", "ListPages"]

PAGE = 50
MAX_PAGE = 500
PHASES = [v.name for v in core_execution.WorkflowExecution.Phase.DESCRIPTOR.values if v.name != "UNDEFINED"]
SORTS = {
    "newest": ("created_at", common_pb2.Sort.DESCENDING),
    "oldest": ("created_at", common_pb2.Sort.ASCENDING),
    "longest": ("duration", common_pb2.Sort.DESCENDING),
}
# path segment → (title, ListXIds RPC, resource type of its version page)
ENTITY_KINDS = {
    "workflows": ("Workflows", "ListWorkflowIds", "workflow"),
    "tasks": ("Tasks", "ListTaskIds", "task"),
    "launch_plans": ("Launch plans", "ListLaunchPlanIds", "launch_plan"),
}


class ListPages:
    def __init__(self, console: Console) -> None:
        self.c = console

    def home(self, request: Request) -> Response:
        return RedirectResponse(f"{BASE}/projects", status_code=307)

    def projects(self, request: Request) -> Response:
        return self.c.page(
            request, "projects.html", title="Projects", projects=self.c.projects(), domains=self.c.domains()
        )

    def project(self, request: Request) -> Response:
        """A project's page; flyteconsole's `?domain=` links go straight to that domain's executions."""
        project = request.path_params["project"]
        domain = request.query_params.get("domain")
        if domain:
            return RedirectResponse(f"{BASE}/projects/{project}/domains/{domain}/executions", status_code=307)
        return self.c.page(request, "project.html", title=project, domains=self.c.domains())

    def legacy(self, request: Request) -> Response:
        """`/console/projects/<p>/<executions|workflows|tasks|launchPlans>?domain=<d>` as flyteconsole links them."""
        project, section = request.path_params["project"], request.path_params["section"]
        domain = request.query_params.get("domain") or (self.c.domains() or ["development"])[0]
        section = {"launchPlans": "launch_plans"}.get(section, section)
        return RedirectResponse(f"{BASE}/projects/{project}/domains/{domain}/{section}", status_code=307)

    def executions(self, request: Request) -> Response:
        p = request.path_params
        q = request.query_params
        chosen = {
            key: q.get(key, "") for key in ("phase", "workflow", "launch_plan", "after", "before", "sort", "limit")
        }
        filters, problems = _execution_filters(chosen)
        limit = _limit(chosen["limit"], problems)
        sort_key, direction = SORTS.get(chosen["sort"], SORTS["newest"])
        listing = common_pb2.ResourceListRequest(
            id=common_pb2.NamedEntityIdentifier(project=p["project"], domain=p["domain"]),
            limit=limit,
            token=q.get("token", ""),
            filters=filters,
            sort_by=common_pb2.Sort(key=sort_key, direction=direction),  # type: ignore[arg-type]
        )
        executions: list[Any] = []
        token = ""
        if not problems:
            try:
                answer = self.c.rpc("ListExecutions", listing)
                executions, token = list(answer.executions), answer.token
            except FlyteplaneError as exc:
                problems.append(str(exc))
        rows = [{"execution": e, "phase": workflow_phase(e.closure.phase)} for e in executions]
        next_query = urlencode({**{k: v for k, v in chosen.items() if v}, "token": token}) if token else ""
        return self.c.page(
            request,
            "executions.html",
            title="Executions",
            rows=rows,
            chosen=chosen,
            phases=PHASES,
            sorts=list(SORTS),
            problems=problems,
            next_query=next_query,
            first_page=not q.get("token"),
        )

    def entities(self, request: Request) -> Response:
        p = request.path_params
        section = request.path_params["section"]
        title, rpc, _kind = ENTITY_KINDS[section]
        listing = common_pb2.NamedEntityIdentifierListRequest(
            project=p["project"],
            domain=p["domain"],
            limit=100,
            token=request.query_params.get("token", ""),
            sort_by=common_pb2.Sort(key="name", direction=common_pb2.Sort.ASCENDING),
        )
        answer = self.c.rpc(rpc, listing)
        return self.c.page(
            request,
            "entities.html",
            title=title,
            section=section,
            names=[e.name for e in answer.entities],
            token=answer.token,
        )


def _limit(text: str, problems: list[str]) -> int:
    if not text:
        return PAGE
    if text.isdigit() and 1 <= int(text) <= MAX_PAGE:
        return int(text)
    problems.append(f"limit: a number of rows from 1 to {MAX_PAGE}")
    return PAGE


def _execution_filters(chosen: dict[str, str]) -> tuple[str, list[str]]:
    """flyteadmin's filter text for the chosen phase, workflow, launch plan and time range."""
    parts: list[str] = []
    problems: list[str] = []
    if chosen["phase"]:
        if chosen["phase"] not in PHASES:
            problems.append(f"phase: unknown phase {chosen['phase']!r}")
        else:
            parts.append(f"eq(phase,{chosen['phase']})")
    for field, entity in (("workflow", "workflow"), ("launch_plan", "launch_plan")):
        value = chosen[field].strip()
        if value:
            if any(ch in value for ch in ",()+;"):
                problems.append(f"{field}: a name cannot hold , ( ) + or ;")
            else:
                parts.append(f"eq({entity}.name,{value})")
    for field, op in (("after", "gte"), ("before", "lte")):
        value = chosen[field].strip()
        if value:
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                problems.append(f"{field}: {value!r} is not a date and time")
                continue
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=timezone.utc)
            stamp = moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            parts.append(f"{op}(execution_created_at,{stamp})")
    return "+".join(parts), problems
