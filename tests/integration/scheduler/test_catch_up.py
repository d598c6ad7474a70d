"""Downtime and restarts: missed firings are caught up per policy, a restart starts nothing twice, and two
standalone schedulers on one database start each scheduled time once."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flyteidl.admin import common_pb2, launch_plan_pb2
from scheduled_apps import launch_plans
from sqlalchemy import update
from tests.integration.scheduler.planes import (
    activate,
    at_least,
    kickoff_of,
    new_project,
    register,
    running_plane,
    scheduled_at,
    scheduled_of,
    wait_for,
)
from tests.postgres import temporary_database

from flyteplane.store.db import Database
from flyteplane.store.models import ScheduleProgress


def at(minute: int, second: int = 0) -> datetime:
    return datetime(2024, 1, 1, 0, minute, second, tzinfo=UTC)


def times_of(plane: object, project: str, name: str) -> list[datetime]:
    return [scheduled_at(e) for e in scheduled_of(plane, project, name)]  # type: ignore[arg-type]


@pytest.mark.parametrize(("policy", "caught_up"), [("all", [5, 10, 15, 20]), ("latest", [20]), ("none", [])])
def test_a_downtime_is_caught_up_per_policy(tmp_path: Path, policy: str, caught_up: list[int]) -> None:
    """Up until the first firing of a five-minute cron schedule, down for the next four, back up a minute before
    the fifth."""
    with running_plane(tmp_path, clock_start=at(8, 30).isoformat(), clock_speed=60, catchup=policy) as plane:
        project = new_project(plane, "catchup")
        plan = register(plane, project, launch_plans.echo_every_5_minutes)
        activate(plane, plan)
        (first,) = wait_for(at_least(1, lambda: times_of(plane, project, plan.name)))
    restart = first + timedelta(minutes=24)
    with running_plane(tmp_path, clock_start=restart.isoformat(), clock_speed=60, catchup=policy) as plane:
        back_on_time = first + timedelta(minutes=25)
        wait_for(lambda: back_on_time in times_of(plane, project, plan.name))
        fired = scheduled_of(plane, project, plan.name)
        kickoffs = [kickoff_of(plane, e) for e in fired]
    expected = [first] + [first + timedelta(minutes=m) for m in caught_up] + [back_on_time]
    assert [scheduled_at(e) for e in fired] == expected
    assert kickoffs == expected


def test_a_restart_starts_nothing_twice(tmp_path: Path) -> None:
    with running_plane(tmp_path, clock_start=at(0, 30).isoformat(), clock_speed=60) as plane:
        project = new_project(plane, "restart")
        plan = register(plane, project, launch_plans.echo_minutely)
        activate(plane, plan)
        before = wait_for(at_least(2, lambda: times_of(plane, project, plan.name)))
        database_url = plane.control.settings.database_url
    # As if the server had crashed after starting executions but before recording that it did: the restarted
    # scheduler fires those times again and is told they exist.
    database = Database(database_url)
    with database.transaction() as session:
        session.execute(update(ScheduleProgress).values(last_execution_time=None))
    database.close()
    restart = before[-1] + timedelta(seconds=30)
    with running_plane(tmp_path, clock_start=restart.isoformat(), clock_speed=60) as plane:
        last = before[-1] + timedelta(minutes=2)
        wait_for(lambda: last in times_of(plane, project, plan.name))
        activate(plane, plan, active=False)
        times = times_of(plane, project, plan.name)
    assert len(times) == len(set(times)), f"a scheduled time started twice: {times}"
    assert times[: len(before) + 2] == [before[0] + timedelta(minutes=m) for m in range(len(before) + 2)]


def _standalone_scheduler(home: Path, db: str, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLYTEPLANE_")}
    database = ["--db", db] if db else []
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "flyteplane", "scheduler", "--home", str(home), *database, "--log-level", "DEBUG"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest) -> Iterator[str]:
    """Empty for SQLite under the plane's home, else the URL of a new PostgreSQL database."""
    if request.param == "sqlite":
        yield ""
        return
    with temporary_database() as url:
        yield url


def test_two_standalone_schedulers_on_one_database_start_each_time_once(tmp_path: Path, database: str) -> None:
    """`serve` without its scheduler runs what two `flyteplane scheduler` replicas start, on the real clock."""
    with running_plane(tmp_path, db=database, enabled=False) as plane:
        project = new_project(plane, "replicas")
        base = register(plane, project, launch_plans.echo_minutely)
        registered = plane.admin.GetLaunchPlan(common_pb2.ObjectGetRequest(id=base))
        spec = launch_plan_pb2.LaunchPlanSpec()
        spec.CopyFrom(registered.spec)
        spec.entity_metadata.schedule.cron_schedule.schedule = "@every 2s"  # flytekit refuses it, flyteadmin not
        plan = type(base)()
        plan.CopyFrom(base)
        plan.version = "every-2s"
        plane.admin.CreateLaunchPlan(launch_plan_pb2.LaunchPlanCreateRequest(id=plan, spec=spec))
        replicas = [_standalone_scheduler(tmp_path, database, tmp_path / f"replica-{i}.log") for i in range(2)]
        try:
            activate(plane, plan)
            wait_for(lambda: len(times_of(plane, project, plan.name)) >= 3, timeout=30)
        finally:
            for replica in replicas:
                replica.send_signal(signal.SIGTERM)
            codes = [replica.wait(timeout=15) for replica in replicas]
        activate(plane, plan, active=False)
        time.sleep(0.5)
        fired = scheduled_of(plane, project, plan.name)
    logs = [(tmp_path / f"replica-{i}.log").read_text() for i in range(2)]
    assert codes == [0, 0], logs
    times = [scheduled_at(e) for e in fired]
    assert len(times) == len(set(times)), f"a scheduled time started twice: {times}"
    assert all((b - a).total_seconds() == 2 for a, b in itertools.pairwise(times)), times
    assert all("flyteplane scheduler running" in log for log in logs)
    assert sum(log.count(" fired for ") for log in logs) == len(times), "each time created by one replica"
