"""Launch plans (flyteadmin §2.4, §5): checked against their workflow, created INACTIVE, activated by update."""

from __future__ import annotations

from dataclasses import dataclass

from flyteidl.admin import common_pb2, launch_plan_pb2
from flyteidl.core import identifier_pb2, interface_pb2, types_pb2

from flyteplane.compiler import are_types_castable, literal_type_of, type_to_str
from flyteplane.config import Settings
from flyteplane.errors import InvalidArgument, NotFound
from flyteplane.scheduler.ports import ScheduledLaunchPlan
from flyteplane.services.common.validation import (
    id_text,
    validate_identifier,
    validate_listing_scope,
    validate_named_parts,
    validate_project_domain,
    validate_spec_size,
)
from flyteplane.services.registry import digests
from flyteplane.services.registry.labels import validate_labels
from flyteplane.services.registry.notifications import validate_notification
from flyteplane.services.registry.schedules import has_schedule, schedule_type, validate_schedule
from flyteplane.services.registry.tasks import timestamp
from flyteplane.services.registry.versioned import VersionedKind
from flyteplane.services.registry.workflows import WORKFLOWS
from flyteplane.store.db import Conflict, Database
from flyteplane.store.repositories import launch_plans, versioned
from flyteplane.store.repositories.versioned import LaunchPlanRow

INACTIVE = launch_plan_pb2.INACTIVE
ACTIVE = launch_plan_pb2.ACTIVE

LAUNCH_PLANS = VersionedKind(
    table=versioned.LAUNCH_PLANS,
    resource_type=identifier_pb2.LAUNCH_PLAN,
    kind="launch plan",
    list_rpc="ListLaunchPlans",
)


def _is_datetime(literal_type: types_pb2.LiteralType) -> bool:
    return bool(literal_type.WhichOneof("type") == "simple" and literal_type.simple == types_pb2.DATETIME)


def expected_inputs(
    spec: launch_plan_pb2.LaunchPlanSpec, workflow_inputs: interface_pb2.VariableMap
) -> interface_pb2.ParameterMap:
    """Checks defaults and fixed inputs against the workflow and returns the launch plan's expected inputs."""
    defaults = spec.default_inputs.parameters
    fixed = spec.fixed_inputs.literals
    for key, literal in fixed.items():
        if not key:
            raise InvalidArgument("missing key in fixed_inputs")
        if literal.WhichOneof("value") is None:
            raise InvalidArgument(f"missing valid literal in fixed_inputs {key}")
    for key, parameter in defaults.items():
        if not key:
            raise InvalidArgument("missing key in default_inputs")
        if not parameter.HasField("var") or not parameter.var.HasField("type"):
            raise InvalidArgument(
                f"The Variable component of the Parameter {key} in default_inputs either is missing, or has a "
                "missing Type"
            )
        if not parameter.HasField("default") and not parameter.required:
            raise InvalidArgument(
                f"Invalid variable {key} in default_inputs - variable has neither default, nor is required. "
                "One must be specified"
            )
        if parameter.HasField("default"):
            default_type = literal_type_of(parameter.default)
            if not are_types_castable(default_type, parameter.var.type):
                raise InvalidArgument(
                    f"Type mismatch for Parameter {key} in default_inputs has type {type_to_str(parameter.var.type)}, "
                    f"expected value of type {type_to_str(default_type)}"
                )
    variables = workflow_inputs.variables
    if not variables:
        if defaults:
            raise InvalidArgument(f"invalid launch plan default inputs, expected none but found {len(defaults)}")
        if fixed:
            raise InvalidArgument(f"invalid launch plan fixed inputs, expected none but found {len(fixed)}")
    for key, parameter in defaults.items():
        if key not in variables:
            raise InvalidArgument(f"unexpected default_input {key}")
        if not are_types_castable(parameter.var.type, variables[key].type):
            raise InvalidArgument(
                f"invalid default_input wrong type {key}, expected {type_to_str(variables[key].type)}, "
                f"got {type_to_str(parameter.var.type)} instead"
            )
    for key, literal in fixed.items():
        if key not in variables:
            raise InvalidArgument(f"unexpected fixed_input {key}")
        fixed_type = literal_type_of(literal)
        if not are_types_castable(fixed_type, variables[key].type):
            raise InvalidArgument(
                f"invalid fixed_input wrong type {key}, expected {type_to_str(variables[key].type)}, "
                f"got {type_to_str(fixed_type)} instead"
            )
    expected = interface_pb2.ParameterMap()
    for key, variable in variables.items():
        if key in defaults:
            expected.parameters[key].CopyFrom(defaults[key])
        elif key not in fixed:
            expected.parameters[key].CopyFrom(
                interface_pb2.Parameter(
                    var=interface_pb2.Variable(type=variable.type, description=variable.description),
                    required=True,
                )
            )
    return expected


def _validate_schedule_inputs(spec: launch_plan_pb2.LaunchPlanSpec, expected: interface_pb2.ParameterMap) -> None:
    schedule = spec.entity_metadata.schedule
    if not has_schedule(schedule) and not schedule.kickoff_time_input_arg:
        return
    validate_schedule(schedule)
    kickoff = schedule.kickoff_time_input_arg
    for key, parameter in expected.parameters.items():
        if key != kickoff and parameter.required and not parameter.HasField("default"):
            raise InvalidArgument(
                "Cannot create a launch plan with a schedule if there is an unbound required input. "
                f"[{key}] is required"
            )
    if kickoff:
        parameter = expected.parameters.get(kickoff)
        if parameter is None:
            raise InvalidArgument(
                f"Cannot create a schedule with a KickoffTimeInputArg that does not point to a free input. "
                f"[{kickoff}] is not free or does not exist."
            )
        if not _is_datetime(parameter.var.type):
            raise InvalidArgument(
                f"KickoffTimeInputArg must reference a datetime input. [{kickoff}] is a "
                f"[{type_to_str(parameter.var.type)}]"
            )


@dataclass(eq=False)
class LaunchPlanService:
    db: Database
    settings: Settings

    def create_launch_plan(
        self, req: launch_plan_pb2.LaunchPlanCreateRequest
    ) -> launch_plan_pb2.LaunchPlanCreateResponse:
        if not req.HasField("spec"):
            raise InvalidArgument("missing spec")
        validate_spec_size("spec", req.spec, self.settings.max_spec_bytes)
        validate_identifier(req.spec.workflow_id, identifier_pb2.WORKFLOW, present=req.spec.HasField("workflow_id"))
        with self.db.read() as session:
            workflow = WORKFLOWS.get(session, req.spec.workflow_id)
            validate_identifier(req.id, identifier_pb2.LAUNCH_PLAN, present=req.HasField("id"))
            validate_project_domain(session, req.id.project, req.id.domain, self.settings.domains)
        validate_labels(req.spec.labels.values)
        workflow_interface = interface_pb2.TypedInterface.FromString(workflow.typed_interface)
        expected = expected_inputs(req.spec, workflow_interface.inputs)
        _validate_schedule_inputs(req.spec, expected)
        for notification in req.spec.entity_metadata.notifications:
            validate_notification(notification)
        if req.spec.entity_metadata.HasField("launch_conditions"):
            raise InvalidArgument(f"Launch condition must be empty, found {req.spec.entity_metadata.launch_conditions}")
        spec = launch_plan_pb2.LaunchPlanSpec()
        spec.CopyFrom(req.spec)
        spec.default_inputs.CopyFrom(expected)
        closure = launch_plan_pb2.LaunchPlanClosure(
            expected_inputs=expected, expected_outputs=workflow_interface.outputs
        )
        described = launch_plan_pb2.LaunchPlan(id=req.id, spec=spec, closure=closure)
        values = {
            **launch_plan_values(workflow.id, spec, closure, digests.digest(described)),
            "schedule_type": schedule_type(spec.entity_metadata.schedule),
        }
        LAUNCH_PLANS.insert_or_compare(self.db, req.id, values, described, self._described)
        return launch_plan_pb2.LaunchPlanCreateResponse()

    @staticmethod
    def _described(row: LaunchPlanRow) -> launch_plan_pb2.LaunchPlan:
        return launch_plan_pb2.LaunchPlan(
            id=LAUNCH_PLANS.identifier(row),
            spec=launch_plan_pb2.LaunchPlanSpec.FromString(row.spec),
            closure=launch_plan_pb2.LaunchPlanClosure.FromString(row.closure),
        )

    def _to_proto(self, row: LaunchPlanRow) -> launch_plan_pb2.LaunchPlan:
        plan = self._described(row)
        plan.closure.state = row.state  # type: ignore[assignment]
        plan.closure.created_at.CopyFrom(timestamp(row.created_at))
        plan.closure.updated_at.CopyFrom(timestamp(row.updated_at))
        return plan

    def get_launch_plan(self, req: common_pb2.ObjectGetRequest) -> launch_plan_pb2.LaunchPlan:
        validate_identifier(req.id, identifier_pb2.LAUNCH_PLAN, present=req.HasField("id"))
        with self.db.read() as session:
            return self._to_proto(LAUNCH_PLANS.get(session, req.id))

    def list_launch_plans(self, req: common_pb2.ResourceListRequest) -> launch_plan_pb2.LaunchPlanList:
        plans, token = LAUNCH_PLANS.list_protos(self.db, req, self._to_proto)
        return launch_plan_pb2.LaunchPlanList(launch_plans=plans, token=token)

    def list_launch_plan_ids(
        self, req: common_pb2.NamedEntityIdentifierListRequest
    ) -> common_pb2.NamedEntityIdentifierList:
        return LAUNCH_PLANS.list_ids(self.db, req)

    def get_active_launch_plan(self, req: launch_plan_pb2.ActiveLaunchPlanRequest) -> launch_plan_pb2.LaunchPlan:
        validate_named_parts(req.id)
        with self.db.read() as session:
            row = launch_plans.find_active(session, req.id.project, req.id.domain, req.id.name)
            if row is None:
                raise NotFound(f"No active launch plan could be found: {req.id.project}:{req.id.domain}:{req.id.name}")
            return self._to_proto(row)

    def list_active_launch_plans(
        self, req: launch_plan_pb2.ActiveLaunchPlanListRequest
    ) -> launch_plan_pb2.LaunchPlanList:
        validate_listing_scope(req.project, req.domain, req.limit)
        with self.db.read() as session:
            page = launch_plans.list_active_page(session, req.project, req.domain, req.limit, req.token)
            return launch_plan_pb2.LaunchPlanList(
                launch_plans=[self._to_proto(row) for row in page.items], token=page.token
            )

    def scheduled_launch_plans(self) -> list[ScheduledLaunchPlan]:
        """Every active version with a schedule, for the scheduler (the partial index on them serves it)."""
        with self.db.read() as session:
            scheduled = launch_plans.scheduled(session)
        return [
            ScheduledLaunchPlan(
                key=row_id,
                identifier=identifier_pb2.Identifier(
                    resource_type=identifier_pb2.LAUNCH_PLAN,
                    project=project,
                    domain=domain,
                    name=name,
                    version=version,
                ),
                activation=activated,
            )
            for row_id, project, domain, name, version, activated in scheduled
        ]

    def update_launch_plan(
        self, req: launch_plan_pb2.LaunchPlanUpdateRequest
    ) -> launch_plan_pb2.LaunchPlanUpdateResponse:
        if req.state == INACTIVE:
            validate_identifier(req.id, identifier_pb2.LAUNCH_PLAN, present=req.HasField("id"))
            with self.db.transaction() as session:
                row = LAUNCH_PLANS.get(session, req.id)
                row.state = INACTIVE
        elif req.state == ACTIVE:
            self._activate(req.id)
        else:
            raise InvalidArgument(
                f"Unrecognized launch plan state {req.state} for update for launch plan [{id_text(req.id)}]"
            )
        return launch_plan_pb2.LaunchPlanUpdateResponse()

    def _activate(self, identifier: identifier_pb2.Identifier) -> None:
        """Deactivates the active version (if another) and activates this one in one transaction. The partial
        unique index makes two racing activations fail cleanly; the loser retries once against the new state."""
        for attempt in range(3):
            try:
                with self.db.transaction() as session:
                    row = LAUNCH_PLANS.get(session, identifier)
                    if row.state == ACTIVE:
                        return
                    launch_plans.activate(session, row)
                return
            except Conflict:
                if attempt == 2:
                    raise


def launch_plan_values(
    workflow_row: int,
    spec: launch_plan_pb2.LaunchPlanSpec,
    closure: launch_plan_pb2.LaunchPlanClosure,
    digest: str,
) -> dict[str, object]:
    """The columns of a new, inactive launch plan version besides its identity."""
    return {
        "workflow_id": workflow_row,
        "spec": spec.SerializeToString(),
        "closure": closure.SerializeToString(),
        "state": INACTIVE,
        "digest": digest,
    }
