from __future__ import annotations

from datetime import UTC, datetime

from flyteidl.admin import execution_pb2, schedule_pb2
from flyteidl.core import identifier_pb2

from flyteplane.scheduler.names import scheduled_execution_name
from flyteplane.scheduler.requests import scheduled_execution_request

PLAN = identifier_pb2.Identifier(
    resource_type=identifier_pb2.LAUNCH_PLAN, project="p", domain="development", name="nightly", version="v3"
)
AT = datetime(2024, 1, 2, 3, 0, tzinfo=UTC)


def test_a_cron_firing_passes_its_scheduled_time_to_the_kickoff_input_and_nothing_else() -> None:
    schedule = schedule_pb2.Schedule(
        cron_schedule=schedule_pb2.CronSchedule(schedule="0 3 * * *"), kickoff_time_input_arg="when"
    )
    request = scheduled_execution_request(PLAN, schedule, AT)
    assert list(request.inputs.literals) == ["when"]
    assert request.inputs.literals["when"].scalar.primitive.datetime.ToDatetime(UTC) == AT


def test_a_fixed_rate_firing_never_gets_a_kickoff_input() -> None:
    schedule = schedule_pb2.Schedule(
        rate=schedule_pb2.FixedRate(value=1, unit=schedule_pb2.MINUTE), kickoff_time_input_arg="when"
    )
    assert len(scheduled_execution_request(PLAN, schedule, AT).inputs.literals) == 0


def test_a_firing_runs_the_exact_version_in_scheduled_mode_under_its_deterministic_name() -> None:
    schedule = schedule_pb2.Schedule(cron_schedule=schedule_pb2.CronSchedule(schedule="0 3 * * *"))
    request = scheduled_execution_request(PLAN, schedule, AT)
    assert (request.project, request.domain) == ("p", "development")
    assert request.name == scheduled_execution_name("p", "development", "nightly", "v3", AT)
    assert request.spec.launch_plan == PLAN
    assert request.spec.metadata.mode == execution_pb2.ExecutionMetadata.SCHEDULED
    assert request.spec.metadata.scheduled_at.ToDatetime(UTC) == AT
    assert not request.spec.labels.values, "labels come from the launch plan"


def test_labels_given_replace_the_launch_plans_on_the_execution() -> None:
    schedule = schedule_pb2.Schedule(cron_schedule=schedule_pb2.CronSchedule(schedule="0 3 * * *"))
    request = scheduled_execution_request(PLAN, schedule, AT, {"flyteplane.io/backfill": "x"})
    assert dict(request.spec.labels.values) == {"flyteplane.io/backfill": "x"}
