"""The scheduler against a real database, with a clock the test moves and an Admin that records executions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flyteidl.admin import launch_plan_pb2
from sqlalchemy import select
from tests.unit.scheduler.conftest import AddPlan
from tests.unit.scheduler.fakes import FakeClock, FakeMonotonic, RecordingAdmin
from tests.unit.scheduler.plans import cron, minutely_rate, set_state

from flyteplane.config import Settings
from flyteplane.errors import InvalidArgument
from flyteplane.scheduler.catchup import CatchUp
from flyteplane.scheduler.loop import Scheduler
from flyteplane.scheduler.names import scheduled_execution_name
from flyteplane.scheduler.timezones import TIMEZONE_LABEL
from flyteplane.services.registry.launch_plans import LaunchPlanService
from flyteplane.store.db import Database
from flyteplane.store.models import ScheduleProgress

ACTIVE, INACTIVE = launch_plan_pb2.ACTIVE, launch_plan_pb2.INACTIVE
START = datetime(2024, 1, 1, 0, 0, 0, tzinfo=UTC)


def at(minute: int, second: int = 0, hour: int = 0) -> datetime:
    return datetime(2024, 1, 1, hour, minute, second, tzinfo=UTC)


def scheduler(
    db: Database, admin: RecordingAdmin, clock: FakeClock, policy: CatchUp = CatchUp.ALL, **kwargs: object
) -> Scheduler:
    kwargs.setdefault("monotonic", FakeMonotonic())
    return Scheduler(db, admin, LaunchPlanService(db, Settings()), catch_up=policy, clock=clock, rate=1000, **kwargs)  # type: ignore[arg-type]


def run_minutes(clock: FakeClock, sched: Scheduler, minutes: int, step_seconds: int = 20) -> None:
    """Ticks every `step_seconds` for `minutes` of clock time."""
    for _ in range(minutes * 60 // step_seconds):
        clock.advance(seconds=step_seconds)
        sched.tick()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def admin() -> RecordingAdmin:
    return RecordingAdmin()


def test_an_inactive_launch_plan_never_fires(
    db: Database, add_plan: AddPlan, admin: RecordingAdmin, clock: FakeClock
) -> None:
    add_plan("nightly", cron("* * * * *", "when"))
    sched = scheduler(db, admin, clock)
    run_minutes(clock, sched, 5)
    assert admin.created == []


def test_an_active_cron_schedule_fires_each_time_with_its_kickoff_input(
    db: Database, add_plan: AddPlan, launch_plans: LaunchPlanService, admin: RecordingAdmin, clock: FakeClock
) -> None:
    plan = add_plan("nightly", cron("* * * * *", "when"))
    set_state(launch_plans, plan, ACTIVE)
    sched = scheduler(db, admin, clock)
    sched.tick()
    run_minutes(clock, sched, 3)
    assert admin.scheduled_times == [at(1), at(2), at(3)]
    for request, moment in zip(admin.created, admin.scheduled_times, strict=True):
        assert request.inputs.literals["when"].scalar.primitive.datetime.ToDatetime(UTC) == moment
        assert request.name == scheduled_execution_name(plan.project, plan.domain, plan.name, plan.version, moment)


def test_a_fixed_rate_counts_from_activation_and_gets_no_kickoff_input(
    db: Database, add_plan: AddPlan, launch_plans: LaunchPlanService, admin: RecordingAdmin, clock: FakeClock
) -> None:
    plan = add_plan("ticker", minutely_rate())
    clock.set(at(0, 25))
    set_state(launch_plans, plan, ACTIVE)
    sched = scheduler(db, admin, clock)
    sched.tick()
    run_minutes(clock, sched, 3, step_seconds=5)
    assert admin.scheduled_times == [at(1, 25), at(2, 25), at(3, 25)]
    assert all(len(request.inputs.literals) == 0 for request in admin.created)


def test_deactivation_stops_the_schedule_at_the_next_pass(
    db: Database, add_plan: AddPlan, launch_plans: LaunchPlanService, admin: RecordingAdmin, clock: FakeClock
) -> None:
    plan = add_plan("nightly", cron("* * * * *"))
    set_state(launch_plans, plan, ACTIVE)
    sched = scheduler(db, admin, clock)
    sched.tick()
    run_minutes(clock, sched, 2)
    set_state(launch_plans, plan, INACTIVE)
    run_minutes(clock, sched, 5)
    assert admin.scheduled_times == [at(1), at(2)]


def test_reactivation_starts_afresh_without_catching_up_the_inactive_time(
    db: Database, add_plan: AddPlan, launch_plans: LaunchPlanService, admin: RecordingAdmin, clock: FakeClock
) -> None:
    plan = add_plan("nightly", cron("* * * * *"))
    set_state(launch_plans, plan, ACTIVE)
    sched = scheduler(db, admin, clock)
    sched.tick()
    run_minutes(clock, sched, 1)
    set_state(launch_plans, plan, INACTIVE)
    run_minutes(clock, sched, 3)
    set_state(launch_plans, plan, ACTIVE)
    sched.tick()
    run_minutes(clock, sched, 2)
    assert admin.scheduled_times == [at(1), at(5), at(6)]


def test_activating_another_version_moves_the_schedule_to_it(
    db: Database, add_plan: AddPlan, launch_plans: LaunchPlanService, admin: RecordingAdmin, clock: FakeClock
) -> None:
    first = add_plan("nightly", cron("* * * * *"), version="v1")
    second = add_plan("nightly", cron("*/2 * * * *"), version="v2")
    set_state(launch_plans, first, ACTIVE)
    sched = scheduler(db, admin, clock)
    sched.tick()
    run_minutes(clock, sched, 2)
    set_state(launch_plans, second, ACTIVE)
    run_minutes(clock, sched, 4)
    assert [(r.spec.launch_plan.version, t) for r, t in zip(admin.created, admin.scheduled_times, strict=True)] == [
        ("v1", at(1)),
        ("v1", at(2)),
        ("v2", at(4)),
        ("v2", at(6)),
    ]


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (CatchUp.ALL, [at(15), at(20), at(25), at(30)]),
        (CatchUp.LATEST, [at(30)]),
        (CatchUp.NONE, []),
    ],
)
def test_a_restart_catches_up_the_downtime_per_policy(
    db: Database,
    add_plan: AddPlan,
    launch_plans: LaunchPlanService,
    admin: RecordingAdmin,
    clock: FakeClock,
    policy: CatchUp,
    expected: list[datetime],
) -> None:
    plan = add_plan("every5", cron("*/5 * * * *", "when"))
    set_state(launch_plans, plan, ACTIVE)
    before = scheduler(db, admin, clock, policy)
    before.tick()
    run_minutes(clock, before, 12)
    assert admin.scheduled_times == [at(5), at(10)]
    clock.set(at(31, 30))  # down from 00:12 to 00:31:30: four firings missed, the last one 90 s ago
    after = scheduler(db, admin, clock, policy)
    for _ in range(3):
        after.tick()
    assert admin.scheduled_times[2:] == expected
    run_minutes(clock, after, 10, step_seconds=30)
    assert admin.scheduled_times[-2:] == [at(35), at(40)], "then it runs on time"
    kickoffs = [r.inputs.literals["when"].scalar.primitive.datetime.ToDatetime(UTC) for r in admin.created]
    assert kickoffs == admin.scheduled_times


def test_with_policy_none_a_firing_still_on_time_after_a_quick_restart_is_started(
    db: Database, add_plan: AddPlan, launch_plans: LaunchPlanService, admin: RecordingAdmin, clock: FakeClock
) -> None:
    plan = add_plan("nightly", cron("* * * * *"))
    set_state(launch_plans, plan, ACTIVE)
    before = scheduler(db, admin, clock, CatchUp.NONE)
    before.tick()
    clock.set(at(1, 10))
    before.tick()
    clock.set(at(2, 15))  # restarted 15 s after 00:02
    scheduler(db, admin, clock, CatchUp.NONE).tick()
    assert admin.scheduled_times == [at(1), at(2)]


def test_a_restart_fires_nothing_twice(
    db: Database, add_plan: AddPlan, launch_plans: LaunchPlanService, admin: RecordingAdmin, clock: FakeClock
) -> None:
    plan = add_plan("nightly", cron("* * * * *"))
    set_state(launch_plans, plan, ACTIVE)
    before = scheduler(db, admin, clock)
    before.tick()
    run_minutes(clock, before, 3)
    after = scheduler(db, admin, clock)
    after.tick()
    run_minutes(clock, after, 2)
    assert admin.scheduled_times == [at(m) for m in range(1, 6)]
    assert admin.attempts == 5


def test_a_firing_that_already_exists_counts_as_done(
    db: Database, add_plan: AddPlan, launch_plans: LaunchPlanService, admin: RecordingAdmin, clock: FakeClock
) -> None:
    """Progress recorded late (a crash between creating and recording) re-fires into ALREADY_EXISTS."""
    plan = add_plan("nightly", cron("* * * * *"))
    set_state(launch_plans, plan, ACTIVE)
    sched = scheduler(db, admin, clock)
    sched.tick()
    run_minutes(clock, sched, 2)
    with db.transaction() as session:
        session.get(ScheduleProgress, 1).last_execution_time = None  # type: ignore[union-attr]
    run_minutes(clock, scheduler(db, admin, clock), 1)
    assert admin.scheduled_times == [at(1), at(2), at(3)]
    assert admin.attempts == 5


def test_two_replicas_on_one_database_start_each_time_once(
    db: Database, add_plan: AddPlan, launch_plans: LaunchPlanService, admin: RecordingAdmin, clock: FakeClock
) -> None:
    plan = add_plan("ticker", minutely_rate())
    clock.set(at(0, 7))
    set_state(launch_plans, plan, ACTIVE)
    one, two = scheduler(db, admin, clock), scheduler(db, admin, clock)
    one.tick()  # one sees the activation first, at 00:00:07: both count from there
    for _ in range(12):
        clock.advance(seconds=20)
        one.tick()
        clock.advance(seconds=1)
        two.tick()
    assert admin.scheduled_times == [at(m, 7) for m in range(1, 5)], "both count the rate from one anchor"


def test_a_backlog_is_started_in_order_at_the_bounded_rate(
    db: Database, add_plan: AddPlan, launch_plans: LaunchPlanService, admin: RecordingAdmin, clock: FakeClock
) -> None:
    plan = add_plan("nightly", cron("* * * * *"))
    set_state(launch_plans, plan, ACTIVE)
    monotonic = FakeMonotonic()
    sched = Scheduler(db, admin, LaunchPlanService(db, Settings()), clock=clock, rate=5, monotonic=monotonic)
    sched.tick()
    clock.set(at(0, 0, hour=1))  # an hour due at once
    assert sched.tick() == pytest.approx(0.2)
    assert admin.scheduled_times == [at(m) for m in range(1, 11)], "a burst of 10"
    monotonic.value += 1.0
    sched.tick()
    assert len(admin.created) == 15, "then 5 a second"
    for _ in range(20):
        monotonic.value += 1.0
        sched.tick()
    assert admin.scheduled_times == [at(m) for m in range(1, 60)] + [at(0, 0, hour=1)]


def test_schedules_fire_in_time_order_across_launch_plans(
    db: Database, add_plan: AddPlan, launch_plans: LaunchPlanService, admin: RecordingAdmin, clock: FakeClock
) -> None:
    hourly = add_plan("hourly", cron("0 * * * *"))
    half = add_plan("half", cron("30 * * * *"))
    set_state(launch_plans, hourly, ACTIVE)
    set_state(launch_plans, half, ACTIVE)
    sched = scheduler(db, admin, clock)
    sched.tick()
    clock.set(at(0, 0, hour=3))
    sched.tick()
    fired = zip(admin.created, admin.scheduled_times, strict=True)
    assert [(r.spec.launch_plan.name, t.hour, t.minute) for r, t in fired] == [
        ("half", 0, 30),
        ("hourly", 1, 0),
        ("half", 1, 30),
        ("hourly", 2, 0),
        ("half", 2, 30),
        ("hourly", 3, 0),
    ]


def test_an_unexpected_failure_is_retried_later_without_losing_the_order(
    db: Database, add_plan: AddPlan, launch_plans: LaunchPlanService, admin: RecordingAdmin, clock: FakeClock
) -> None:
    plan = add_plan("nightly", cron("* * * * *"))
    set_state(launch_plans, plan, ACTIVE)
    monotonic = FakeMonotonic()
    sched = scheduler(db, admin, clock, monotonic=monotonic)
    sched.tick()
    admin.failures.append(RuntimeError("database is locked"))
    clock.set(at(2, 10))
    sched.tick()
    assert admin.created == []
    monotonic.value += 0.5
    sched.tick()
    assert admin.attempts == 1, "backing off"
    monotonic.value += 1.0
    sched.tick()
    assert admin.scheduled_times == [at(1), at(2)]


def test_a_firing_the_launch_plan_cannot_run_is_skipped(
    db: Database, add_plan: AddPlan, launch_plans: LaunchPlanService, admin: RecordingAdmin, clock: FakeClock
) -> None:
    plan = add_plan("nightly", cron("* * * * *"))
    set_state(launch_plans, plan, ACTIVE)
    sched = scheduler(db, admin, clock)
    sched.tick()
    admin.failures.append(InvalidArgument("project [flytesnacks] is archived"))
    run_minutes(clock, sched, 2)
    assert admin.scheduled_times == [at(2)]


def test_a_time_zone_label_moves_cron_times_and_a_bad_one_stops_only_that_schedule(
    db: Database, add_plan: AddPlan, launch_plans: LaunchPlanService, admin: RecordingAdmin, clock: FakeClock
) -> None:
    tokyo = add_plan("tokyo", cron("0 9 * * *"), labels={TIMEZONE_LABEL: "Asia.Tokyo"})
    broken = add_plan("broken", cron("0 9 * * *"), labels={TIMEZONE_LABEL: "Mars.Base"})
    plain = add_plan("plain", cron("0 9 * * *"))
    for plan in (tokyo, broken, plain):
        set_state(launch_plans, plan, ACTIVE)
    sched = scheduler(db, admin, clock, default_zone=ZoneInfo("Europe/Paris"))
    sched.tick()
    clock.set(datetime(2024, 1, 2, 12, tzinfo=UTC))
    sched.tick()
    fired = sorted((r.spec.launch_plan.name, t) for r, t in zip(admin.created, admin.scheduled_times, strict=True))
    assert fired == [
        ("plain", datetime(2024, 1, 1, 8, tzinfo=UTC)),
        ("plain", datetime(2024, 1, 2, 8, tzinfo=UTC)),
        ("tokyo", datetime(2024, 1, 2, 0, tzinfo=UTC)),
    ]


def test_progress_is_recorded_in_the_store(
    db: Database, add_plan: AddPlan, launch_plans: LaunchPlanService, admin: RecordingAdmin, clock: FakeClock
) -> None:
    plan = add_plan("nightly", cron("* * * * *"))
    set_state(launch_plans, plan, ACTIVE)
    sched = scheduler(db, admin, clock)
    sched.tick()
    run_minutes(clock, sched, 2)
    with db.read() as session:
        progress = session.scalars(select(ScheduleProgress)).one()
    assert progress.anchor == START.replace(tzinfo=None)
    assert progress.last_execution_time == at(2).replace(tzinfo=None)


def test_the_next_pass_is_due_no_later_than_the_next_firing(
    db: Database, add_plan: AddPlan, launch_plans: LaunchPlanService, admin: RecordingAdmin, clock: FakeClock
) -> None:
    plan = add_plan("ticker", schedule=cron("@every 2s"))
    set_state(launch_plans, plan, ACTIVE)
    sched = scheduler(db, admin, clock, poll_seconds=0.5)
    assert sched.tick() == pytest.approx(0.5)
    plan_slow = add_plan("slow", cron("@hourly"))
    set_state(launch_plans, plan_slow, ACTIVE)
    clock.advance(seconds=1.8)
    assert sched.tick() == pytest.approx(0.2)


def test_the_thread_starts_wakes_and_stops(
    db: Database, add_plan: AddPlan, launch_plans: LaunchPlanService, admin: RecordingAdmin
) -> None:
    import time

    from flyteplane.scheduler.clock import ScaledClock

    plan = add_plan("nightly", cron("@every 1s"))
    set_state(launch_plans, plan, ACTIVE)
    sched = Scheduler(
        db, admin, LaunchPlanService(db, Settings()), poll_seconds=0.05, clock=ScaledClock(datetime.now(UTC), speed=20)
    )
    sched.start()
    try:
        deadline = time.monotonic() + 5
        while len(admin.created) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        sched.wake()
    finally:
        sched.stop()
    assert len(admin.created) >= 2
    count = len(admin.created)
    time.sleep(0.3)
    assert len(admin.created) == count, "stopped"


def test_settings_choose_policy_rate_zone_and_clock(db: Database, tmp_path: object) -> None:
    from flyteplane.config import Settings
    from flyteplane.scheduler.clock import ScaledClock

    settings = Settings(
        scheduler_catchup="latest",
        scheduler_catchup_rate=7,
        scheduler_timezone="America/New_York",
        scheduler_clock_start="2024-01-01T00:00:00Z",
        scheduler_clock_speed=60,
    )
    sched = Scheduler.from_settings(settings, db, RecordingAdmin(), LaunchPlanService(db, settings))
    assert sched.catch_up is CatchUp.LATEST
    assert sched.default_zone.key == "America/New_York"
    assert isinstance(sched.clock, ScaledClock) and sched.clock.speed == 60
    assert sched.clock.now() - datetime(2024, 1, 1, tzinfo=UTC) < timedelta(minutes=5)
