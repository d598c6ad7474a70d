"""Backfills: which scheduled times, and the workflow that launches the plan once per time (as flytekit builds it)."""

from __future__ import annotations

import base64
import datetime
import hashlib

import pytest
from flyteidl.admin import launch_plan_pb2, schedule_pb2
from flyteidl.core import identifier_pb2

from flyteplane.remote.backfill import _version, backfill_times, backfill_workflow
from flyteplane.remote.entities import FlyteLaunchPlan

D = datetime.datetime


def cron(expression: str, kickoff: str = "t") -> schedule_pb2.Schedule:
    return schedule_pb2.Schedule(
        cron_schedule=schedule_pb2.CronSchedule(schedule=expression), kickoff_time_input_arg=kickoff
    )


def test_cron_times_leave_both_ends_out_as_flytekit_does() -> None:
    times = backfill_times(cron("0 */6 * * *"), D(2024, 1, 1), D(2024, 1, 2))
    assert times == [D(2024, 1, 1, 6), D(2024, 1, 1, 12), D(2024, 1, 1, 18)]


def test_flytekits_own_backfill_picks_the_same_times() -> None:
    from flytekit import CronSchedule, LaunchPlan, task, workflow
    from flytekit.remote.backfill import create_backfill_workflow

    @task
    def t(x: D) -> None: ...

    @workflow
    def wf(x: D) -> None:
        t(x=x)

    plan = LaunchPlan.get_or_create(
        wf, "bf_same", schedule=CronSchedule(schedule="0 */6 * * *", kickoff_time_input_arg="x")
    )
    _, start, end = create_backfill_workflow(D(2024, 1, 1), D(2024, 1, 2), plan)
    times = backfill_times(cron("0 */6 * * *"), D(2024, 1, 1), D(2024, 1, 2))
    assert (times[0], times[-1]) == (start, end)


def test_fixed_rates_count_from_the_start() -> None:
    rate = schedule_pb2.Schedule(rate=schedule_pb2.FixedRate(value=90, unit=schedule_pb2.MINUTE))
    assert backfill_times(rate, D(2024, 1, 1), D(2024, 1, 1, 4)) == [D(2024, 1, 1, 1, 30), D(2024, 1, 1, 3)]


@pytest.mark.parametrize(
    ("schedule", "start", "end", "message"),
    [
        (cron("0 0 * * *"), D(2024, 1, 2), D(2024, 1, 1), "start date should be earlier than end date"),
        (cron("0 0 * * *"), D(2024, 1, 1), D(2024, 1, 1, 12), "too small for any backfill"),
        (schedule_pb2.Schedule(), D(2024, 1, 1), D(2024, 1, 2), "only be created for scheduled launch plans"),
    ],
)
def test_impossible_backfills_are_refused(schedule: schedule_pb2.Schedule, start: D, end: D, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        backfill_times(schedule, start, end)


def plan_with(schedule: schedule_pb2.Schedule) -> FlyteLaunchPlan:
    ident = identifier_pb2.Identifier(
        resource_type=identifier_pb2.LAUNCH_PLAN, project="p", domain="d", name="lp", version="v"
    )
    spec = launch_plan_pb2.LaunchPlanSpec(entity_metadata=launch_plan_pb2.LaunchPlanMetadata(schedule=schedule))
    return FlyteLaunchPlan(ident, spec)


def test_the_workflow_chains_one_launch_plan_node_per_time_with_the_kickoff_input() -> None:
    plan = plan_with(cron("0 0 * * *"))
    times = [D(2024, 1, 2), D(2024, 1, 3)]
    wf_id = identifier_pb2.Identifier(
        resource_type=identifier_pb2.WORKFLOW, project="p", domain="d", name="backfill-lp", version="x"
    )

    workflow = backfill_workflow(plan, times, wf_id)

    assert [n.id for n in workflow.nodes] == ["n0", "n1"]
    assert [list(n.upstream_node_ids) for n in workflow.nodes] == [[], ["n0"]]
    assert [n.metadata.name for n in workflow.nodes] == ["b-2024-01-02 00:00:00", "b-2024-01-03 00:00:00"]
    assert all(n.workflow_node.launchplan_ref == plan.id for n in workflow.nodes)
    kickoff = workflow.nodes[1].inputs[0]
    assert kickoff.var == "t"
    assert kickoff.binding.scalar.primitive.datetime.ToDatetime() == D(2024, 1, 3)
    parallel = backfill_workflow(plan, times, wf_id, parallel=True)
    assert [list(n.upstream_node_ids) for n in parallel.nodes] == [[], []]


def test_fixed_rate_nodes_pass_no_kickoff_input() -> None:
    rate = schedule_pb2.Schedule(rate=schedule_pb2.FixedRate(value=1, unit=schedule_pb2.HOUR))
    workflow = backfill_workflow(plan_with(rate), [D(2024, 1, 1, 1)], identifier_pb2.Identifier(name="w"))
    assert list(workflow.nodes[0].inputs) == []


def test_the_version_is_flytekits_padded_digest_of_the_range() -> None:
    start, end = D(2024, 1, 2), D(2024, 1, 3)
    digest = hashlib.md5(f"{start}-{end}-lp-None".encode()).digest()
    assert _version(start, end, "lp", None) == base64.urlsafe_b64encode(digest).decode()
    assert _version(start, end, "lp", None).endswith("==")
