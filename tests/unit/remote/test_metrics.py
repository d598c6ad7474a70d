"""Execution metrics: time per operation, summed over the span tree, per node and per attempt."""

from __future__ import annotations

from flyteidl.core import identifier_pb2, metrics_pb2
from google.protobuf import timestamp_pb2
from tests.unit.remote.fakes import execution_id

from flyteplane.remote import FlyteExecutionSpan


def span(start: float, end: float, **ident: object) -> metrics_pb2.Span:
    return metrics_pb2.Span(
        start_time=timestamp_pb2.Timestamp(seconds=int(start), nanos=int(start % 1 * 1e9)),
        end_time=timestamp_pb2.Timestamp(seconds=int(end), nanos=int(end % 1 * 1e9)),
        **ident,  # type: ignore[arg-type]
    )


def test_operations_are_summed_per_node_attempt_and_overall() -> None:
    node_id = identifier_pb2.NodeExecutionIdentifier(node_id="n0", execution_id=execution_id())
    attempt = identifier_pb2.TaskExecutionIdentifier(node_execution_id=node_id, retry_attempt=0)
    task_span = span(10, 14, task_id=attempt)
    task_span.spans.extend([span(10, 11, operation_id="TASK_SETUP"), span(11, 14, operation_id="TASK_RUNTIME")])
    node_span = span(9.5, 14.5, node_id=node_id)
    node_span.spans.extend([span(9.5, 10, operation_id="NODE_SETUP"), task_span])
    root = span(9, 15, workflow_id=execution_id())
    root.spans.extend([span(9, 9.5, operation_id="WORKFLOW_SETUP"), node_span])

    metrics = FlyteExecutionSpan(root)
    summary = metrics.aggregate()

    assert metrics.duration == 6.0
    assert summary["breakdown"] == {"WORKFLOW_SETUP": 0.5, "NODE_SETUP": 0.5, "TASK_SETUP": 1.0, "TASK_RUNTIME": 3.0}
    assert summary["workflows"]["e1"]["nodes"]["n0"]["task_attempts"][0]["breakdown"]["TASK_RUNTIME"] == 3.0
    assert metrics.explain().splitlines()[0].startswith("TASK_RUNTIME")
