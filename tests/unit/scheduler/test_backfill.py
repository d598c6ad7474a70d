from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from flyteidl.admin import common_pb2, execution_pb2, launch_plan_pb2, schedule_pb2
from flyteidl.core import execution_pb2 as core_execution_pb2
from flyteidl.core import identifier_pb2
from tests.unit.scheduler.plans import cron, minutely_rate

from flyteplane.errors import InvalidArgument
from flyteplane.scheduler.backfill import (
    BACKFILL_LABEL,
    BackfillPlan,
    BackfillRunner,
    ItemState,
    plan_backfill,
)
from flyteplane.scheduler.names import scheduled_execution_name
from flyteplane.scheduler.timezones import TIMEZONE_LABEL

Phase = core_execution_pb2.WorkflowExecution.Phase
PLAN_ID = identifier_pb2.Identifier(
    resource_type=identifier_pb2.LAUNCH_PLAN, project="p", domain="development", name="report", version="v1"
)


def launch_plan(schedule: schedule_pb2.Schedule, labels: dict[str, str] | None = None) -> launch_plan_pb2.LaunchPlan:
    return launch_plan_pb2.LaunchPlan(
        id=PLAN_ID,
        spec=launch_plan_pb2.LaunchPlanSpec(
            entity_metadata=launch_plan_pb2.LaunchPlanMetadata(schedule=schedule),
            labels=common_pb2.Labels(values=labels or {}),
        ),
    )


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# -- planning -----------------------------------------------------------------------------------------------


def test_a_day_of_a_cron_schedule_is_every_time_from_the_start_included_to_the_end_excluded() -> None:
    plan = plan_backfill(launch_plan(cron("0 */6 * * *", "when")), datetime(2024, 1, 1), datetime(2024, 1, 2))
    assert plan.times == [utc(2024, 1, 1, 0), utc(2024, 1, 1, 6), utc(2024, 1, 1, 12), utc(2024, 1, 1, 18)]


def test_each_request_is_the_one_the_scheduler_would_send_plus_the_backfill_label() -> None:
    plan = plan_backfill(
        launch_plan(cron("0 */6 * * *", "when"), {"team": "data"}), datetime(2024, 1, 1), datetime(2024, 1, 2)
    )
    request = plan.requests[1]
    assert request.name == scheduled_execution_name("p", "development", "report", "v1", utc(2024, 1, 1, 6))
    assert request.spec.metadata.mode == execution_pb2.ExecutionMetadata.SCHEDULED
    assert request.spec.metadata.scheduled_at.ToDatetime(UTC) == utc(2024, 1, 1, 6)
    assert request.inputs.literals["when"].scalar.primitive.datetime.ToDatetime(UTC) == utc(2024, 1, 1, 6)
    assert dict(request.spec.labels.values) == {
        "team": "data",
        BACKFILL_LABEL: "20240101T000000Z-20240102T000000Z",
    }


def test_times_without_offset_are_read_in_the_schedules_zone() -> None:
    paris = launch_plan(cron("0 9 * * *"), {TIMEZONE_LABEL: "Europe.Paris"})
    plan = plan_backfill(paris, datetime(2024, 7, 1), datetime(2024, 7, 3))
    assert plan.zone.key == "Europe/Paris"
    assert plan.times == [utc(2024, 7, 1, 7), utc(2024, 7, 2, 7)]
    overridden = plan_backfill(paris, datetime(2024, 7, 1), datetime(2024, 7, 2), zone=ZoneInfo("Asia/Tokyo"))
    assert overridden.times == [utc(2024, 7, 1, 0)]


def test_times_with_an_offset_mean_that_instant() -> None:
    plan = plan_backfill(
        launch_plan(cron("0 * * * *")), datetime.fromisoformat("2024-01-01T10:30+02:00"), utc(2024, 1, 1, 11)
    )
    assert plan.times == [utc(2024, 1, 1, 9), utc(2024, 1, 1, 10)]


def test_a_fixed_rate_backfill_counts_from_the_start_of_the_range_and_passes_no_kickoff() -> None:
    plan = plan_backfill(launch_plan(minutely_rate(30)), utc(2024, 1, 1, 0, 10), utc(2024, 1, 1, 1, 40))
    assert plan.times == [utc(2024, 1, 1, 0, 10), utc(2024, 1, 1, 0, 40), utc(2024, 1, 1, 1, 10)]
    assert all(len(request.inputs.literals) == 0 for request in plan.requests)


@pytest.mark.parametrize(
    ("schedule", "start", "end", "message"),
    [
        (schedule_pb2.Schedule(), utc(2024, 1, 1), utc(2024, 1, 2), "has no schedule"),
        (cron("@daily"), utc(2024, 1, 2), utc(2024, 1, 1), "range is empty"),
        (cron("@daily"), utc(2024, 1, 1, 1), utc(2024, 1, 1, 2), "no scheduled time"),
    ],
)
def test_a_backfill_that_makes_no_sense_is_an_invalid_argument(
    schedule: schedule_pb2.Schedule, start: datetime, end: datetime, message: str
) -> None:
    with pytest.raises(InvalidArgument, match=message):
        plan_backfill(launch_plan(schedule), start, end)


def test_a_backfill_starts_at_most_its_limit_of_executions() -> None:
    with pytest.raises(InvalidArgument, match="more than 10 executions; choose a shorter range"):
        plan_backfill(launch_plan(cron("@hourly")), utc(2024, 1, 1), utc(2024, 1, 2), limit=10)
    assert (
        len(plan_backfill(launch_plan(cron("@hourly")), utc(2024, 1, 1), utc(2024, 1, 1, 10), limit=10).requests) == 10
    )


def test_a_launch_plan_with_sixteen_labels_keeps_them_without_the_backfill_label() -> None:
    labels = {f"l{i}": "x" for i in range(16)}
    plan = plan_backfill(launch_plan(cron("@daily"), labels), utc(2024, 1, 1), utc(2024, 1, 2))
    assert dict(plan.requests[0].spec.labels.values) == labels


# -- running ------------------------------------------------------------------------------------------------


class FakeAdmin:
    """Executions pass QUEUED, RUNNING, then end in the phase the test chose (SUCCEEDED by default)."""

    def __init__(self, existing: tuple[str, ...] = (), outcomes: dict[int, int] | None = None) -> None:
        self.started: list[str] = list(existing)
        self.launched: list[str] = []
        self.polls: dict[str, int] = {}
        self.outcomes = outcomes or {}
        self.max_running = 0

    def launch(self, request: execution_pb2.ExecutionCreateRequest) -> bool:
        if request.name in self.started:
            return False
        self.started.append(request.name)
        self.launched.append(request.name)
        return True

    def phase(self, execution: identifier_pb2.WorkflowExecutionIdentifier) -> int:
        seen = self.polls[execution.name] = self.polls.get(execution.name, 0) + 1
        running = sum(1 for name, count in self.polls.items() if count < 3)
        self.max_running = max(self.max_running, running)
        if seen < 3:
            return int(Phase.RUNNING)
        return int(self.outcomes.get(self.started.index(execution.name), Phase.SUCCEEDED))


def day_plan() -> BackfillPlan:
    return plan_backfill(launch_plan(cron("0 */6 * * *")), utc(2024, 1, 1), utc(2024, 1, 2))


def test_a_serial_backfill_starts_each_time_after_the_previous_ended() -> None:
    admin = FakeAdmin()
    order: list[tuple[str, str]] = []
    runner = BackfillRunner(
        admin, day_plan(), sleep=lambda _s: None, on_change=lambda i: order.append((i.request.name, i.state.value))
    )
    items = runner.run()
    assert all(item.succeeded for item in items)
    assert admin.max_running == 1
    started = list(dict.fromkeys(name for name, state in order if state == "running"))
    assert started == [item.request.name for item in items]
    assert order.index((items[1].request.name, "running")) > order.index((items[0].request.name, "done"))


def test_a_serial_backfill_stops_at_a_failure_unless_told_to_keep_going() -> None:
    failing = {1: Phase.FAILED}
    items = BackfillRunner(FakeAdmin(outcomes=failing), day_plan(), sleep=lambda _s: None).run()
    assert [item.state for item in items] == [ItemState.DONE, ItemState.DONE, ItemState.SKIPPED, ItemState.SKIPPED]
    assert [item.succeeded for item in items[:2]] == [True, False]
    items = BackfillRunner(
        FakeAdmin(outcomes=failing),
        day_plan(),
        keep_going=True,
        sleep=lambda _s: None,
    ).run()
    assert [item.succeeded for item in items] == [True, False, True, True]


def test_a_parallel_backfill_runs_at_most_its_concurrency_at_once() -> None:
    admin = FakeAdmin()
    items = BackfillRunner(admin, day_plan(), parallel=True, concurrency=2, sleep=lambda _s: None).run()
    assert all(item.succeeded for item in items)
    assert admin.max_running == 2
    unlimited = FakeAdmin()
    BackfillRunner(unlimited, day_plan(), parallel=True, sleep=lambda _s: None).run()
    assert unlimited.max_running == 4


def test_times_already_started_are_followed_not_started_again() -> None:
    plan = day_plan()
    admin = FakeAdmin(existing=(plan.requests[0].name,))
    items = BackfillRunner(admin, plan, parallel=True, sleep=lambda _s: None).run()
    assert [item.existed for item in items] == [True, False, False, False]
    assert len(admin.launched) == 3
    assert all(item.succeeded for item in items)


def test_without_waiting_everything_starts_and_nothing_is_followed_to_the_end() -> None:
    admin = FakeAdmin()
    items = BackfillRunner(
        admin,
        day_plan(),
        parallel=True,
        concurrency=1,
        wait=False,
        sleep=lambda _s: None,
    ).run()
    assert len(admin.launched) == 4
    assert all(item.state is ItemState.RUNNING for item in items)


def test_a_serial_backfill_cannot_skip_waiting() -> None:
    with pytest.raises(InvalidArgument, match="needs parallel"):
        BackfillRunner(FakeAdmin(), day_plan(), wait=False)
