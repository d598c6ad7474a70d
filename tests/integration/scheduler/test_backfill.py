"""Backfills: `flyteplane backfill` (serial, parallel, dry run, re-run) and flytekit's FlyteRemote.launch_backfill."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flyteidl.admin import execution_pb2
from scheduled_apps import launch_plans
from scheduled_apps.workflows import ticker
from tests.integration.scheduler.planes import (
    APPS,
    DOMAIN,
    SCHEDULED,
    Plane,
    executions,
    kickoff_of,
    new_project,
    register,
    scheduled_at,
    scheduled_of,
    serialization,
    wait_until_done,
)

from flyteplane.scheduler.backfill import BACKFILL_LABEL
from flyteplane.scheduler.names import scheduled_execution_name

DAY = [datetime(2024, 1, 1, hour, tzinfo=UTC) for hour in (0, 6, 12, 18)]
CHILD_WORKFLOW = execution_pb2.ExecutionMetadata.CHILD_WORKFLOW


def backfill(plane: Plane, project: str, plan: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`flyteplane backfill` as a user runs it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLYTEPLANE_", "FLYTE_"))}
    env["COLUMNS"] = "200"
    command = [sys.executable, "-m", "flyteplane", "backfill", plan, "-p", project, "-d", DOMAIN]
    command += ["--endpoint", plane.endpoint, "--poll-interval", "0.2", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env=env, check=False)


@pytest.fixture(scope="module")
def report_project(fast_plane: Plane) -> tuple[str, Any]:
    """The launch plan with a real task, registered with its code (fast registration)."""
    project = new_project(fast_plane, "report")
    registered = fast_plane.remote.register_script(
        launch_plans.report_every_6_hours,
        project=project,
        domain=DOMAIN,
        source_path=str(APPS),
        module_name="scheduled_apps.launch_plans",
    )
    return project, registered.id.to_flyte_idl()


def test_a_parallel_backfill_of_a_day_starts_and_runs_every_scheduled_time(
    fast_plane: Plane, report_project: tuple[str, Any]
) -> None:
    project, plan = report_project
    done = backfill(fast_plane, project, plan.name, "--from", "2024-01-01", "--to", "2024-01-02", "--parallel")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "succeeded 4 of 4 (0 existed already)" in done.stdout
    fired = scheduled_of(fast_plane, project, plan.name)
    assert [scheduled_at(e) for e in fired] == DAY
    for execution, moment in zip(fired, DAY, strict=True):
        assert execution.id.name == scheduled_execution_name(project, DOMAIN, plan.name, plan.version, moment)
        assert execution.spec.metadata.mode == SCHEDULED
        assert execution.closure.phase == 4
        assert kickoff_of(fast_plane, execution, "when") == moment
        assert execution.spec.labels.values[BACKFILL_LABEL] == "20240101T000000Z-20240102T000000Z"
        data = fast_plane.admin.GetExecutionData(execution_pb2.WorkflowExecutionGetDataRequest(id=execution.id))
        assert data.full_outputs.literals["o0"].scalar.primitive.string_value == f"{moment:%Y-%m-%dT%H:%M}"

    again = backfill(fast_plane, project, plan.name, "--from", "2024-01-01", "--to", "2024-01-02", "--parallel")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "succeeded 4 of 4 (4 existed already)" in again.stdout
    assert len(executions(fast_plane, project)) == 4, "a re-run starts nothing twice"


def test_a_dry_run_lists_times_and_names_and_starts_nothing(fast_plane: Plane, report_project: tuple[str, Any]) -> None:
    project, plan = report_project
    before = len(executions(fast_plane, project))
    done = backfill(fast_plane, project, plan.name, "--from", "2024-01-02", "--to", "2024-01-03", "--dry-run")
    assert done.returncode == 0, done.stdout + done.stderr
    for hour in (0, 6, 12, 18):
        moment = datetime(2024, 1, 2, hour, tzinfo=UTC)
        assert scheduled_execution_name(project, DOMAIN, plan.name, plan.version, moment) in done.stdout
    assert done.stdout.count("to start") == 4
    assert len(executions(fast_plane, project)) == before


def test_a_serial_backfill_starts_each_time_after_the_previous_one_ended(fast_plane: Plane) -> None:
    project = new_project(fast_plane, "serial")
    plan = register(fast_plane, project, launch_plans.echo_every_6_hours)
    done = backfill(fast_plane, project, plan.name, "--from", "2024-01-01T00:00", "--to", "2024-01-02T00:00")
    assert done.returncode == 0, done.stdout + done.stderr
    fired = scheduled_of(fast_plane, project, plan.name)
    assert [scheduled_at(e) for e in fired] == DAY
    assert [kickoff_of(fast_plane, e) for e in fired] == DAY
    for earlier, later in itertools.pairwise(fired):
        assert later.closure.created_at.ToDatetime() >= earlier.closure.updated_at.ToDatetime(), "one at a time"


def test_a_backfill_of_an_unscheduled_launch_plan_is_a_usage_error(fast_plane: Plane) -> None:
    project = new_project(fast_plane, "unscheduled")
    registered = fast_plane.remote.register_workflow(ticker, serialization_settings=serialization(project, "v1"))
    done = backfill(fast_plane, project, registered.id.name, "--from", "2024-01-01", "--to", "2024-01-02")
    assert done.returncode == 2
    assert "has no schedule" in done.stderr


@pytest.mark.parametrize("parallel", [False, True])
def test_flytekit_launch_backfill_runs_one_child_execution_per_scheduled_time(
    fast_plane: Plane, parallel: bool
) -> None:
    project = new_project(fast_plane, "flytekit")
    plan = register(fast_plane, project, launch_plans.echo_every_6_hours)
    remote = fast_plane.remote
    start, end = datetime(2024, 1, 1), datetime(2024, 1, 2)
    dry = remote.launch_backfill(project, DOMAIN, start, end, plan.name, dry_run=True, parallel=parallel)
    assert len(dry.nodes) == 3, "flytekit leaves both ends out: 06:00, 12:00, 18:00"
    assert executions(fast_plane, project) == []
    started = remote.launch_backfill(project, DOMAIN, start, end, plan.name, parallel=parallel)
    parent = remote.wait(started, timeout=timedelta(seconds=60), poll_interval=timedelta(seconds=0.2))
    assert parent.closure.phase == 4, parent.closure.error
    children = [e for e in executions(fast_plane, project) if e.spec.metadata.mode == CHILD_WORKFLOW]
    assert len(children) == 3
    done = wait_until_done(fast_plane, children)
    assert [e.closure.phase for e in done] == [4, 4, 4]
    kickoffs = sorted(kickoff_of(fast_plane, e) for e in children)  # type: ignore[type-var]
    assert kickoffs == [datetime(2024, 1, 1, hour, tzinfo=UTC) for hour in (6, 12, 18)]
    if not parallel:
        ordered = sorted(done, key=lambda e: e.closure.created_at.ToDatetime())
        for earlier, later in itertools.pairwise(ordered):
            assert later.closure.created_at.ToDatetime() >= earlier.closure.updated_at.ToDatetime()
