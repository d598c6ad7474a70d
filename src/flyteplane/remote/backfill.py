"""launch_backfill: one workflow that runs a scheduled launch plan for each of its past scheduled times.

Mirrors flytekit: the workflow is named `backfill-<launch plan>`, has one launch-plan node per scheduled time
strictly between `from_date` and `to_date` (chained one after another unless `parallel`), passes each time to the
cron schedule's kickoff input, and is versioned by a digest of the range unless a version is given. `dry_run`
returns the workflow unregistered, `execute=False` registers it, and by default it is registered and executed.
Built from flyteidl directly, so no flytekit is needed; fixed-rate schedules (which flytekit refuses) count their
times from `from_date`.
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import hashlib
from typing import Any

from flyteidl.admin import launch_plan_pb2, schedule_pb2, workflow_pb2
from flyteidl.core import identifier_pb2, interface_pb2, literals_pb2
from flyteidl.core import workflow_pb2 as core_workflow_pb2

from flyteplane.client import FlyteEntityAlreadyExistsException
from flyteplane.client.idl import enum_number
from flyteplane.remote import launching
from flyteplane.remote.context import RemoteContext
from flyteplane.remote.entities import FlyteLaunchPlan, FlyteWorkflow
from flyteplane.remote.executions import FlyteWorkflowExecution
from flyteplane.remote.fetching import fetch_launch_plan, fetch_workflow, identifier
from flyteplane.remote.literals.encode import encode
from flyteplane.remote.literals.types import literal_type_of

__all__ = ["backfill_times", "backfill_workflow", "launch_backfill"]

_RATE_UNITS = {
    schedule_pb2.MINUTE: datetime.timedelta(minutes=1),
    schedule_pb2.HOUR: datetime.timedelta(hours=1),
    schedule_pb2.DAY: datetime.timedelta(days=1),
}


def backfill_times(schedule: Any, start: datetime.datetime, end: datetime.datetime) -> list[datetime.datetime]:
    """Scheduled times t with start < t < end (flytekit leaves both ends out)."""
    if start >= end:
        raise ValueError(f"for a backfill start date should be earlier than end date. Received {start} -> {end}")
    which = schedule.WhichOneof("ScheduleExpression")
    times: list[datetime.datetime] = []
    if which in ("cron_schedule", "cron_expression"):
        try:
            from croniter import croniter
        except ImportError as e:
            raise ImportError("backfilling a cron schedule needs croniter: pip install croniter") from e
        expression = schedule.cron_schedule.schedule if which == "cron_schedule" else schedule.cron_expression
        moments = croniter(expression, start_time=start, ret_type=datetime.datetime)
        moment = moments.get_next()
        while moment < end:
            times.append(moment)
            moment = moments.get_next()
    elif which == "rate":
        step = _RATE_UNITS[schedule.rate.unit] * int(schedule.rate.value)
        if step <= datetime.timedelta(0):
            raise ValueError("the launch plan's fixed rate is not positive")
        moment = start + step
        while moment < end:
            times.append(moment)
            moment += step
    else:
        raise ValueError("Backfill can only be created for scheduled launch plans")
    if not times:
        raise ValueError(f"The time window is too small for any backfill instances between {start} and {end}")
    return times


def backfill_workflow(
    plan: FlyteLaunchPlan,
    times: list[datetime.datetime],
    workflow_id: Any,
    parallel: bool = False,
    failure_policy: Any = None,
) -> FlyteWorkflow:
    """The backfill workflow: node i launches `plan` for times[i] (after node i-1 unless parallel)."""
    schedule = plan.entity_metadata.schedule
    kickoff = schedule.kickoff_time_input_arg if schedule.WhichOneof("ScheduleExpression") != "rate" else ""
    datetime_type = literal_type_of(datetime.datetime)
    nodes = []
    for index, moment in enumerate(times):
        bindings = []
        if kickoff:
            scalar = encode(moment, datetime_type).scalar
            bindings.append(literals_pb2.Binding(var=kickoff, binding=literals_pb2.BindingData(scalar=scalar)))
        nodes.append(
            core_workflow_pb2.Node(
                id=f"n{index}",
                metadata=core_workflow_pb2.NodeMetadata(name=f"b-{moment}"),
                inputs=bindings,
                upstream_node_ids=[] if parallel or index == 0 else [f"n{index - 1}"],
                workflow_node=core_workflow_pb2.WorkflowNode(launchplan_ref=plan.id),
            )
        )
    metadata = core_workflow_pb2.WorkflowMetadata()
    if failure_policy is not None:
        metadata.on_failure = enum_number(int(getattr(failure_policy, "value", failure_policy)))
    template = core_workflow_pb2.WorkflowTemplate(
        id=workflow_id,
        metadata=metadata,
        interface=interface_pb2.TypedInterface(inputs=interface_pb2.VariableMap(), outputs=interface_pb2.VariableMap()),
        nodes=nodes,
    )
    return FlyteWorkflow(template)


def _version(start: datetime.datetime, end: datetime.datetime, plan_name: str, plan_version: str | None) -> str:
    """flytekit's backfill version: urlsafe base64 (padding kept) of the md5 of the range and plan."""
    digest = hashlib.md5(f"{start}-{end}-{plan_name}-{plan_version}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")


def _register(ctx: RemoteContext, workflow: FlyteWorkflow) -> None:
    with contextlib.suppress(FlyteEntityAlreadyExistsException):
        ctx.client.create_workflow(workflow.id, workflow_pb2.WorkflowSpec(template=workflow.template))
    plan_id = identifier_pb2.Identifier()
    plan_id.CopyFrom(workflow.id)
    plan_id.resource_type = identifier_pb2.LAUNCH_PLAN
    spec = launch_plan_pb2.LaunchPlanSpec(workflow_id=workflow.id, entity_metadata=launch_plan_pb2.LaunchPlanMetadata())
    with contextlib.suppress(FlyteEntityAlreadyExistsException):
        ctx.client.create_launch_plan(plan_id, spec)


def launch_backfill(
    ctx: RemoteContext,
    project: str,
    domain: str,
    from_date: datetime.datetime,
    to_date: datetime.datetime,
    launchplan: str,
    launchplan_version: str | None = None,
    execution_name: str | None = None,
    version: str | None = None,
    dry_run: bool = False,
    execute: bool = True,
    parallel: bool = False,
    failure_policy: Any = None,
    overwrite_cache: bool | None = None,
) -> FlyteWorkflowExecution | FlyteWorkflow:
    """Runs a scheduled launch plan for each of its scheduled times in (from_date, to_date).

    One workflow, `backfill-<launch plan>`, launches the plan once per time; `dry_run` returns it unregistered,
    `execute=False` registers it and returns it, and by default it is also executed.
    """
    plan = fetch_launch_plan(ctx, project, domain, launchplan, launchplan_version)
    times = backfill_times(plan.entity_metadata.schedule, from_date, to_date)
    version = version or _version(times[0], times[-1], launchplan, launchplan_version)
    workflow_id = identifier(identifier_pb2.WORKFLOW, project, domain, f"backfill-{plan.name}", version)
    workflow = backfill_workflow(plan, times, workflow_id, parallel, failure_policy)
    if dry_run:
        return workflow
    _register(ctx, workflow)
    registered = fetch_workflow(ctx, project, domain, workflow_id.name, version)
    if not execute:
        return registered
    return launching.execute(
        ctx, registered, {}, project, domain, execution_name=execution_name, overwrite_cache=overwrite_cache
    )
