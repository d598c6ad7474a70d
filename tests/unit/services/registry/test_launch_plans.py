"""Launch plans: checked against their workflow, created INACTIVE, one active version per name (§2.4, §5)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flyteidl.admin import common_pb2, launch_plan_pb2, schedule_pb2, task_pb2, workflow_pb2
from flyteidl.core import literals_pb2
from tests.unit.services.flytekit_specs import default_launch_plan, pipeline, serialize
from tests.unit.services.registry_fixtures import Registry

from flyteplane.config import Settings
from flyteplane.errors import AlreadyExists, InvalidArgument, NotFound
from flyteplane.store.db import Database

ACTIVE, INACTIVE = launch_plan_pb2.ACTIVE, launch_plan_pb2.INACTIVE


@pytest.fixture
def registry(db: Database, settings: Settings) -> Registry:
    registry = Registry.build(db, settings)
    payload = serialize(pipeline)
    for spec in payload["tasks"]:
        registry.tasks.create_task(task_pb2.TaskCreateRequest(id=spec.template.id, spec=spec))
    workflow = payload["workflows"][0]
    registry.workflows.create_workflow(workflow_pb2.WorkflowCreateRequest(id=workflow.template.id, spec=workflow))
    return registry


def lp_request(version: str = "v1") -> launch_plan_pb2.LaunchPlanCreateRequest:
    plan = default_launch_plan()
    request = launch_plan_pb2.LaunchPlanCreateRequest(id=plan.id, spec=plan.spec)
    request.id.version = version
    return request


def integer(value: int) -> literals_pb2.Literal:
    return literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(integer=value)))


def test_created_launch_plan_is_inactive_with_expected_inputs_and_outputs(registry: Registry) -> None:
    request = lp_request()
    registry.launch_plans.create_launch_plan(request)
    plan = registry.launch_plans.get_launch_plan(common_pb2.ObjectGetRequest(id=request.id))
    assert plan.closure.state == INACTIVE
    assert set(plan.closure.expected_inputs.parameters) == {"a", "b"}
    assert plan.closure.expected_inputs.parameters["a"].default == integer(1)
    assert set(plan.closure.expected_outputs.variables) == {"o0"}


def test_fixed_inputs_are_not_expected_inputs(registry: Registry) -> None:
    request = lp_request()
    del request.spec.default_inputs.parameters["a"]
    request.spec.fixed_inputs.literals["a"].CopyFrom(integer(5))
    registry.launch_plans.create_launch_plan(request)
    plan = registry.launch_plans.get_launch_plan(common_pb2.ObjectGetRequest(id=request.id))
    assert set(plan.closure.expected_inputs.parameters) == {"b"}


def string(value: str) -> literals_pb2.Literal:
    return literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(string_value=value)))


def _fixed_wrong_type(r: launch_plan_pb2.LaunchPlanCreateRequest) -> None:
    del r.spec.default_inputs.parameters["a"]
    r.spec.fixed_inputs.literals["a"].CopyFrom(string("five"))


def _unknown_default(r: launch_plan_pb2.LaunchPlanCreateRequest) -> None:
    r.spec.default_inputs.parameters["zzz"].CopyFrom(r.spec.default_inputs.parameters["a"])


def _unknown_fixed(r: launch_plan_pb2.LaunchPlanCreateRequest) -> None:
    r.spec.fixed_inputs.literals["zzz"].CopyFrom(integer(1))


def _default_wrong_type(r: launch_plan_pb2.LaunchPlanCreateRequest) -> None:
    r.spec.default_inputs.parameters["a"].default.CopyFrom(string("x"))


def _neither_default_nor_required(r: launch_plan_pb2.LaunchPlanCreateRequest) -> None:
    r.spec.default_inputs.parameters["a"].ClearField("default")
    r.spec.default_inputs.parameters["a"].required = False


def _bad_cron(r: launch_plan_pb2.LaunchPlanCreateRequest) -> None:
    r.spec.entity_metadata.schedule.CopyFrom(
        schedule_pb2.Schedule(cron_schedule=schedule_pb2.CronSchedule(schedule="every day"))
    )


def _kickoff_not_datetime(r: launch_plan_pb2.LaunchPlanCreateRequest) -> None:
    r.spec.entity_metadata.schedule.CopyFrom(
        schedule_pb2.Schedule(cron_schedule=schedule_pb2.CronSchedule(schedule="@hourly"), kickoff_time_input_arg="a")
    )


def _unbound_required_with_schedule(r: launch_plan_pb2.LaunchPlanCreateRequest) -> None:
    r.spec.default_inputs.parameters["a"].ClearField("default")
    r.spec.default_inputs.parameters["a"].required = True
    r.spec.entity_metadata.schedule.CopyFrom(
        schedule_pb2.Schedule(rate=schedule_pb2.FixedRate(value=1, unit=schedule_pb2.MINUTE))
    )


def _missing_workflow(r: launch_plan_pb2.LaunchPlanCreateRequest) -> None:
    r.spec.workflow_id.version = "nope"


def _bad_label(r: launch_plan_pb2.LaunchPlanCreateRequest) -> None:
    r.spec.labels.values["-bad-"] = "x"


@pytest.mark.parametrize(
    ("mutate", "error", "message"),
    [
        (_fixed_wrong_type, InvalidArgument, "invalid fixed_input wrong type a"),
        (_unknown_default, InvalidArgument, "unexpected default_input zzz"),
        (_unknown_fixed, InvalidArgument, "unexpected fixed_input zzz"),
        (_default_wrong_type, InvalidArgument, "Type mismatch for Parameter a"),
        (_neither_default_nor_required, InvalidArgument, "variable has neither default, nor is required"),
        (_bad_cron, InvalidArgument, "Invalid cron expression"),
        (_kickoff_not_datetime, InvalidArgument, r"KickoffTimeInputArg must reference a datetime input. \[a\]"),
        (_unbound_required_with_schedule, InvalidArgument, r"unbound required input. \[a\] is required"),
        (_missing_workflow, NotFound, "missing entity of type WORKFLOW"),
        (_bad_label, InvalidArgument, r"invalid label key \[-bad-\]"),
    ],
)
def test_invalid_launch_plans_are_rejected_and_nothing_is_stored(
    registry: Registry, mutate: Callable[[launch_plan_pb2.LaunchPlanCreateRequest], None], error: type, message: str
) -> None:
    request = lp_request()
    mutate(request)
    with pytest.raises(error, match=message):
        registry.launch_plans.create_launch_plan(request)
    with pytest.raises(NotFound):
        registry.launch_plans.get_launch_plan(common_pb2.ObjectGetRequest(id=request.id))


def test_valid_schedules_are_accepted(registry: Registry) -> None:
    for version, schedule in enumerate(
        [
            schedule_pb2.Schedule(cron_schedule=schedule_pb2.CronSchedule(schedule="*/5 * * * *")),
            schedule_pb2.Schedule(cron_schedule=schedule_pb2.CronSchedule(schedule="@daily")),
            schedule_pb2.Schedule(cron_expression="@every 1h30m"),
            schedule_pb2.Schedule(rate=schedule_pb2.FixedRate(value=2, unit=schedule_pb2.HOUR)),
        ]
    ):
        request = lp_request(f"s{version}")
        request.spec.entity_metadata.schedule.CopyFrom(schedule)
        registry.launch_plans.create_launch_plan(request)


def test_reregistration_is_already_exists(registry: Registry) -> None:
    registry.launch_plans.create_launch_plan(lp_request())
    with pytest.raises(AlreadyExists, match="launch plan with identical structure already exists"):
        registry.launch_plans.create_launch_plan(lp_request())


def test_activating_a_version_deactivates_the_previous_one(registry: Registry) -> None:
    first, second = lp_request("v1"), lp_request("v2")
    registry.launch_plans.create_launch_plan(first)
    registry.launch_plans.create_launch_plan(second)
    registry.launch_plans.update_launch_plan(launch_plan_pb2.LaunchPlanUpdateRequest(id=first.id, state=ACTIVE))
    registry.launch_plans.update_launch_plan(launch_plan_pb2.LaunchPlanUpdateRequest(id=second.id, state=ACTIVE))
    registry.launch_plans.update_launch_plan(launch_plan_pb2.LaunchPlanUpdateRequest(id=second.id, state=ACTIVE))
    named = launch_plan_pb2.ActiveLaunchPlanRequest(
        id=common_pb2.NamedEntityIdentifier(project=first.id.project, domain=first.id.domain, name=first.id.name)
    )
    assert registry.launch_plans.get_active_launch_plan(named).id.version == "v2"
    get = registry.launch_plans.get_launch_plan
    assert get(common_pb2.ObjectGetRequest(id=first.id)).closure.state == INACTIVE
    active = registry.launch_plans.list_active_launch_plans(
        launch_plan_pb2.ActiveLaunchPlanListRequest(project="flytesnacks", domain="development", limit=10)
    )
    assert [plan.id.version for plan in active.launch_plans] == ["v2"]
    registry.launch_plans.update_launch_plan(launch_plan_pb2.LaunchPlanUpdateRequest(id=second.id, state=INACTIVE))
    with pytest.raises(NotFound, match="No active launch plan could be found"):
        registry.launch_plans.get_active_launch_plan(named)


def test_unknown_state_is_rejected(registry: Registry) -> None:
    request = lp_request()
    registry.launch_plans.create_launch_plan(request)
    with pytest.raises(InvalidArgument, match="Unrecognized launch plan state 7"):
        registry.launch_plans.update_launch_plan(launch_plan_pb2.LaunchPlanUpdateRequest(id=request.id, state=7))  # type: ignore[arg-type]


def test_launch_plans_can_be_filtered_by_their_workflow(registry: Registry) -> None:
    request = lp_request()
    registry.launch_plans.create_launch_plan(request)
    listed = registry.launch_plans.list_launch_plans(
        common_pb2.ResourceListRequest(
            id=common_pb2.NamedEntityIdentifier(project="flytesnacks", domain="development"),
            limit=10,
            filters=f"eq(workflow.name,{request.spec.workflow_id.name})+eq(launch_plan.state,0)",
        )
    )
    assert [plan.id.version for plan in listed.launch_plans] == ["v1"]
