"""Waiting for an execution to finish, then syncing it once.

Unlike flytekit, which fully syncs every node on every poll and polls every 30 seconds, a poll here is one
GetExecution (plus one node listing when a progress line is shown): every 0.2 s for the first 10 s, so short runs
are seen to finish promptly, then at an interval growing to 5 s. The full sync (nodes included, when asked)
happens once, at the end. A fixed `poll_interval` is honoured.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable, Iterator
from typing import TextIO

from flyteidl.core import identifier_pb2

from flyteplane.client import FlyteTimeout
from flyteplane.remote.context import RemoteContext
from flyteplane.remote.executions import FlyteWorkflowExecution
from flyteplane.remote.progress import describe, progress_display
from flyteplane.remote.syncing import executed_entity, sync_execution

__all__ = ["intervals", "seconds_of", "wait"]

FIRST_POLL = 0.2
FAST_POLLS = 50  # 10 s at FIRST_POLL
LAST_POLL = 5.0
GROWTH = 1.5


def seconds_of(value: datetime.timedelta | float | None) -> float | None:
    if value is None:
        return None
    return value.total_seconds() if isinstance(value, datetime.timedelta) else float(value)


def intervals(poll_interval: float | None) -> Iterator[float]:
    """The pauses between polls: `poll_interval` every time, or FIRST_POLL FAST_POLLS times then growing to
    LAST_POLL."""
    if poll_interval is not None:
        if poll_interval <= 0:
            raise ValueError(f"poll_interval must be positive, got {poll_interval}")
        while True:
            yield poll_interval
    for _ in range(FAST_POLLS):
        yield FIRST_POLL
    pause = FIRST_POLL * GROWTH
    while True:
        yield pause
        pause = min(pause * GROWTH, LAST_POLL)


def _node_total(ctx: RemoteContext, execution: FlyteWorkflowExecution) -> int | None:
    if execution.spec.launch_plan.resource_type == identifier_pb2.TASK:
        return 1
    executed_entity(ctx, execution)
    return len(execution.flyte_workflow.nodes) if execution.flyte_workflow is not None else None


def wait(
    ctx: RemoteContext,
    execution: FlyteWorkflowExecution,
    timeout: datetime.timedelta | float | None = None,
    poll_interval: datetime.timedelta | float | None = None,
    sync_nodes: bool = True,
    progress_stream: TextIO | None = None,
    show_progress: bool | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> FlyteWorkflowExecution:
    """Blocks until the execution is done (FlyteTimeout after `timeout`), then returns it synced."""
    limit = seconds_of(timeout)
    deadline = None if limit is None else clock() + limit
    display = progress_display(progress_stream, show_progress)
    total: int | None = None
    line = ""
    pauses = intervals(seconds_of(poll_interval))
    try:
        while True:
            execution._refresh(ctx.client.get_execution(execution.id))
            if display is not None:
                if total is None:
                    total = _node_total(ctx, execution)
                nodes = list(ctx.client.iter_node_executions(execution.id))
                line = describe(execution.id.name, execution.current_state, nodes, total)
                display.update(line)
            if execution.is_done:
                break
            now = clock()
            if deadline is not None and now >= deadline:
                raise FlyteTimeout(f"Execution {execution.id.name} did not complete before timeout.")
            pause = next(pauses)
            sleep(pause if deadline is None else max(0.0, min(pause, deadline - now)))
    finally:
        if display is not None:
            display.close(line or f"{execution.id.name}  {execution.current_state}")
    return sync_execution(ctx, execution, sync_nodes=sync_nodes)
