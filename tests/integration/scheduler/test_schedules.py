"""Schedules in a running server: a fixed rate and a cron schedule fire on a fast clock, deactivation stops them,
and scheduled executions are listed and filtered as such."""

from __future__ import annotations

import itertools
import time
from datetime import timedelta

from flyteidl.admin import execution_pb2
from flytekit.models.filters import Equal
from scheduled_apps import launch_plans
from tests.integration.scheduler.planes import (
    SCHEDULED,
    Plane,
    activate,
    at_least,
    kickoff_of,
    new_project,
    register,
    scheduled_at,
    scheduled_of,
    wait_for,
    wait_until_done,
)

from flyteplane.scheduler.names import scheduled_execution_name


def test_a_one_minute_rate_fires_every_minute_without_a_kickoff_input(fast_plane: Plane) -> None:
    project = new_project(fast_plane, "rate")
    plan = register(fast_plane, project, launch_plans.ticker_every_minute)
    activate(fast_plane, plan)
    fired = wait_for(at_least(3, lambda: scheduled_of(fast_plane, project, plan.name)))
    activate(fast_plane, plan, active=False)
    times = [scheduled_at(e) for e in fired]
    assert [b - a for a, b in itertools.pairwise(times)] == [timedelta(minutes=1)] * (len(times) - 1)
    for execution in fired:
        assert execution.spec.metadata.mode == SCHEDULED
        assert execution.spec.launch_plan == plan
        assert execution.id.name == scheduled_execution_name(
            project, plan.domain, plan.name, plan.version, scheduled_at(execution)
        )
        assert kickoff_of(fast_plane, execution) is None
    done = wait_until_done(fast_plane, fired[:3])
    assert [e.closure.phase for e in done] == [4, 4, 4]


def test_a_cron_schedule_passes_each_scheduled_time_to_the_kickoff_input(fast_plane: Plane) -> None:
    project = new_project(fast_plane, "cron")
    plan = register(fast_plane, project, launch_plans.echo_minutely)
    activate(fast_plane, plan)
    fired = wait_for(at_least(3, lambda: scheduled_of(fast_plane, project, plan.name)))
    activate(fast_plane, plan, active=False)
    times = [scheduled_at(e) for e in fired]
    assert all(t.second == 0 and t.microsecond == 0 for t in times), "on whole minutes"
    assert [b - a for a, b in itertools.pairwise(times)] == [timedelta(minutes=1)] * (len(times) - 1)
    assert [kickoff_of(fast_plane, e) for e in fired] == times
    done = wait_until_done(fast_plane, fired[:2])
    for execution in done:
        data = fast_plane.admin.GetExecutionData(execution_pb2.WorkflowExecutionGetDataRequest(id=execution.id))
        echoed = data.full_outputs.literals["o0"].scalar.primitive.datetime.ToDatetime()
        assert echoed.replace(tzinfo=scheduled_at(execution).tzinfo) == scheduled_at(execution)


def test_deactivation_stops_the_schedule_within_a_second(fast_plane: Plane) -> None:
    project = new_project(fast_plane, "stop")
    plan = register(fast_plane, project, launch_plans.echo_minutely)
    activate(fast_plane, plan)
    wait_for(lambda: len(scheduled_of(fast_plane, project, plan.name)) >= 1)
    activate(fast_plane, plan, active=False)
    time.sleep(1.0)  # a pass may have started before the deactivation
    count = len(scheduled_of(fast_plane, project, plan.name))
    time.sleep(3.0)  # three more minutes of the scheduler's clock
    assert len(scheduled_of(fast_plane, project, plan.name)) == count


def test_scheduled_executions_are_filtered_by_mode_and_launch_plan_through_flytekit(fast_plane: Plane) -> None:
    project = new_project(fast_plane, "filter")
    rate = register(fast_plane, project, launch_plans.ticker_every_minute)
    cron = register(fast_plane, project, launch_plans.echo_minutely)
    activate(fast_plane, rate)
    activate(fast_plane, cron)
    wait_for(lambda: len(scheduled_of(fast_plane, project, rate.name)) >= 2)
    activate(fast_plane, rate, active=False)
    activate(fast_plane, cron, active=False)
    manual = fast_plane.remote.execute(
        fast_plane.remote.fetch_launch_plan(project, "development", rate.name, rate.version),
        inputs={},
        project=project,
        domain="development",
    )
    client = fast_plane.remote.client
    every, _ = client.list_executions_paginated(project, "development", limit=100)
    scheduled, _ = client.list_executions_paginated(project, "development", limit=100, filters=[Equal("mode", "1")])
    of_rate, _ = client.list_executions_paginated(
        project, "development", limit=100, filters=[Equal("mode", "1"), Equal("launch_plan.name", rate.name)]
    )
    assert manual.id.name in {e.id.name for e in every}
    assert manual.id.name not in {e.id.name for e in scheduled}
    assert {e.id.name for e in of_rate} == {e.id.name for e in scheduled_of(fast_plane, project, rate.name)}
    assert {e.spec.launch_plan.name for e in scheduled} == {rate.name, cron.name}
    assert len(scheduled) == len(of_rate) + len(scheduled_of(fast_plane, project, cron.name))
