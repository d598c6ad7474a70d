"""The CreateExecution request for one scheduled time, as flyteadmin's native scheduler sends it.

Mode SCHEDULED, `scheduled_at` set, the exact launch-plan version, the deterministic name, and as inputs only the
kickoff-time argument of a cron schedule (fixed rates never get it); everything else comes from the launch plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from flyteidl.admin import common_pb2, execution_pb2, schedule_pb2
from flyteidl.core import identifier_pb2, literals_pb2
from google.protobuf.timestamp_pb2 import Timestamp

from flyteplane.scheduler.cadence import is_cron
from flyteplane.scheduler.names import scheduled_execution_name

__all__ = ["datetime_literal", "scheduled_execution_request"]

SCHEDULED = execution_pb2.ExecutionMetadata.SCHEDULED


def _timestamp(moment: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime((moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC).replace(tzinfo=None))
    return stamp


def datetime_literal(moment: datetime) -> literals_pb2.Literal:
    return literals_pb2.Literal(
        scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(datetime=_timestamp(moment)))
    )


def scheduled_execution_request(
    launch_plan: identifier_pb2.Identifier,
    schedule: schedule_pb2.Schedule,
    scheduled_at: datetime,
    labels: Mapping[str, str] | None = None,
) -> execution_pb2.ExecutionCreateRequest:
    """`labels`, when given, replace the launch plan's on the execution (a backfill adds its mark this way)."""
    plan = identifier_pb2.Identifier()
    plan.CopyFrom(launch_plan)
    plan.resource_type = identifier_pb2.LAUNCH_PLAN
    inputs = literals_pb2.LiteralMap()
    if is_cron(schedule) and schedule.kickoff_time_input_arg:
        inputs.literals[schedule.kickoff_time_input_arg].CopyFrom(datetime_literal(scheduled_at))
    spec = execution_pb2.ExecutionSpec(
        launch_plan=plan,
        metadata=execution_pb2.ExecutionMetadata(mode=SCHEDULED, scheduled_at=_timestamp(scheduled_at)),
    )
    if labels:
        spec.labels.CopyFrom(common_pb2.Labels(values=dict(labels)))
    return execution_pb2.ExecutionCreateRequest(
        project=plan.project,
        domain=plan.domain,
        name=scheduled_execution_name(plan.project, plan.domain, plan.name, plan.version, scheduled_at),
        spec=spec,
        inputs=inputs,
    )
