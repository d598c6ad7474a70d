"""FlyteExecutionSpan: an execution's timeline (GetExecutionMetrics) and where its time went.

The span tree is flyteidl's `core.Span`; `aggregate()` sums the time of each operation (WORKFLOW_SETUP,
NODE_SETUP, TASK_RUNTIME, ...) over the tree, per node and per attempt, as flytekit's span does.
"""

from __future__ import annotations

import datetime
from typing import Any

__all__ = ["FlyteExecutionSpan"]


def _moment(timestamp: Any) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(timestamp.seconds + timestamp.nanos / 1e9)


def _seconds(span: Any) -> float:
    """Microsecond precision, as flytekit computes it, so both report the same figures."""
    return (_moment(span.end_time) - _moment(span.start_time)).total_seconds()


def _aggregate(spans: Any) -> dict[str, Any]:
    breakdown: dict[str, float] = {}
    groups: dict[str, dict[Any, Any]] = {"workflows": {}, "nodes": {}, "task_attempts": {}}
    for span in spans:
        which = span.WhichOneof("id")
        if which == "operation_id":
            breakdown[span.operation_id] = breakdown.get(span.operation_id, 0.0) + _seconds(span)
            continue
        inner = _aggregate(span.spans)
        if which == "workflow_id":
            groups["workflows"][span.workflow_id.name] = inner
        elif which == "node_id":
            groups["nodes"][span.node_id.node_id] = inner
        elif which == "task_id":
            groups["task_attempts"][int(span.task_id.retry_attempt)] = inner
        for operation, seconds in inner["breakdown"].items():
            breakdown[operation] = breakdown.get(operation, 0.0) + seconds
    result: dict[str, Any] = {"breakdown": breakdown}
    result.update({key: value for key, value in groups.items() if value})
    return result


class FlyteExecutionSpan:
    def __init__(self, span: Any) -> None:
        self.span = span

    @property
    def duration(self) -> float:
        """Seconds from the execution's creation to its last update."""
        return _seconds(self.span)

    def aggregate(self) -> dict[str, Any]:
        """{"breakdown": {operation: seconds}, "nodes": {...}, "task_attempts": {...}, "workflows": {...}}."""
        return _aggregate([self.span])

    def explain(self) -> str:
        """The breakdown as text, one operation per line, biggest first."""
        breakdown = self.aggregate()["breakdown"]
        width = max((len(k) for k in breakdown), default=0)
        lines = [f"{op.ljust(width)}  {secs:8.3f} s" for op, secs in sorted(breakdown.items(), key=lambda kv: -kv[1])]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"FlyteExecutionSpan({self.duration:.3f} s)"
