"""Invalid schedules are refused when the launch plan is created, with flyteadmin's messages."""

from __future__ import annotations

from collections.abc import Callable

import grpc
import pytest
from flyteidl.admin import common_pb2, launch_plan_pb2
from flyteidl.core import identifier_pb2, literals_pb2
from scheduled_apps import launch_plans
from tests.integration.scheduler.planes import Plane, new_project, register

Edit = Callable[[launch_plan_pb2.LaunchPlanSpec], None]


def _kickoff_default(spec: launch_plan_pb2.LaunchPlanSpec) -> None:
    """Binds `kickoff` with a default, so only the kickoff argument itself is wrong."""
    kickoff = spec.default_inputs.parameters["kickoff"]
    kickoff.required = False
    epoch = literals_pb2.Primitive()
    epoch.datetime.FromSeconds(0)
    kickoff.default.CopyFrom(literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=epoch)))


def bad_cron(spec: launch_plan_pb2.LaunchPlanSpec) -> None:
    spec.entity_metadata.schedule.cron_schedule.schedule = "61 * * * *"


def six_fields(spec: launch_plan_pb2.LaunchPlanSpec) -> None:
    spec.entity_metadata.schedule.cron_schedule.schedule = "0 0 * * * *"


def kickoff_not_a_datetime(spec: launch_plan_pb2.LaunchPlanSpec) -> None:
    _kickoff_default(spec)
    spec.entity_metadata.schedule.kickoff_time_input_arg = "tag"


def kickoff_not_an_input(spec: launch_plan_pb2.LaunchPlanSpec) -> None:
    _kickoff_default(spec)
    spec.entity_metadata.schedule.kickoff_time_input_arg = "nope"


def unbound_required_input(spec: launch_plan_pb2.LaunchPlanSpec) -> None:
    spec.entity_metadata.schedule.kickoff_time_input_arg = ""


def unbound_with_a_rate(spec: launch_plan_pb2.LaunchPlanSpec) -> None:
    spec.entity_metadata.schedule.kickoff_time_input_arg = ""
    spec.entity_metadata.schedule.rate.value = 1  # replaces the cron schedule (one of)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (bad_cron, "Invalid cron expression: "),
        (six_fields, "Invalid cron expression: "),
        (kickoff_not_a_datetime, "KickoffTimeInputArg must reference a datetime input. [tag] is a"),
        (
            kickoff_not_an_input,
            "Cannot create a schedule with a KickoffTimeInputArg that does not point to a free input. "
            "[nope] is not free or does not exist.",
        ),
        (
            unbound_required_input,
            "Cannot create a launch plan with a schedule if there is an unbound required input. [kickoff] is required",
        ),
        (
            unbound_with_a_rate,
            "Cannot create a launch plan with a schedule if there is an unbound required input. [kickoff] is required",
        ),
    ],
)
def test_an_invalid_schedule_is_refused_at_creation(fast_plane: Plane, edit: Edit, message: str) -> None:
    project = new_project(fast_plane, "invalid")
    valid = register(fast_plane, project, launch_plans.echo_minutely)
    spec = launch_plan_pb2.LaunchPlanSpec()
    spec.CopyFrom(fast_plane.admin.GetLaunchPlan(common_pb2.ObjectGetRequest(id=valid)).spec)
    edit(spec)
    assert spec.entity_metadata.schedule.WhichOneof("ScheduleExpression") in ("cron_schedule", "rate")
    broken = identifier_pb2.Identifier()
    broken.CopyFrom(valid)
    broken.version = "broken"
    with pytest.raises(grpc.RpcError) as caught:
        fast_plane.admin.CreateLaunchPlan(launch_plan_pb2.LaunchPlanCreateRequest(id=broken, spec=spec))
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    details = str(caught.value.details())
    assert details.startswith(message), details
