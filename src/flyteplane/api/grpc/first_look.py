"""A bounded wait in GetExecution for an execution in its first moments, so flytekit's wait sees it end.

flytekit's `FlyteRemote.wait` (and so `pyflyte run --remote --wait` and `execute(..., wait=True)`) looks at an
execution right after creating it and then sleeps its poll interval, 30 s by default: an execution that takes
0.2 s costs the user half a minute. flytekit's `execute` itself reads the execution once, right after
CreateExecution; its `wait` reads it again at once. So: the first GetExecution of an execution is answered at
once, as always; a later one, while the execution is still running and younger than `window` seconds, is held
until the execution ends or its first `window` seconds are over, whichever comes first (and never past the
call's own deadline). At most `max_waiting` calls wait at once (each holds a gRPC worker); others are answered at
once. Nothing but the gRPC GetExecution is affected: the engine, the HTTP gateway and the console read
executions as before.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import grpc
from flyteidl.core import execution_pb2 as core_execution_pb2

__all__ = ["FirstLookWait"]

METHOD = "/flyteidl.service.AdminService/GetExecution"
TERMINAL = frozenset(
    {
        core_execution_pb2.WorkflowExecution.SUCCEEDED,
        core_execution_pb2.WorkflowExecution.FAILED,
        core_execution_pb2.WorkflowExecution.ABORTED,
        core_execution_pb2.WorkflowExecution.TIMED_OUT,
    }
)
POLL_SECONDS = 0.025  # the first pause between looks; each next one is POLL_GROWTH times longer ...
POLL_GROWTH = 1.2
MAX_POLL_SECONDS = 0.25  # ... up to this: a quick execution is seen at once, a slow one costs few reads
REMEMBERED = 4096  # executions whose looks are counted (the most recently asked for)
DEADLINE_MARGIN = 0.2  # seconds left to answer in before the caller's own deadline


class FirstLookWait(grpc.ServerInterceptor):  # type: ignore[misc,type-arg]
    """See the module docstring."""

    def __init__(self, window: float, *, max_waiting: int, clock: Callable[[], float] = time.time) -> None:
        self.window = window
        self.max_waiting = max(1, max_waiting)
        self._clock = clock
        self._lock = threading.Lock()
        self._looks: OrderedDict[tuple[str, str, str], int] = OrderedDict()
        self._waiting = 0

    def intercept_service(self, continuation: Callable[[Any], Any], details: Any) -> Any:
        handler = continuation(details)
        if self.window <= 0 or handler is None or details.method != METHOD or handler.unary_unary is None:
            return handler
        answer = handler.unary_unary

        def get_execution(request: Any, context: grpc.ServicerContext) -> Any:
            return self.answer(request, context, answer)

        return grpc.unary_unary_rpc_method_handler(
            get_execution,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )

    def answer(self, request: Any, context: grpc.ServicerContext, answer: Callable[[Any, Any], Any]) -> Any:
        execution = answer(request, context)
        closure = execution.closure
        if closure.phase in TERMINAL or not closure.HasField("created_at"):
            return execution
        until = closure.created_at.ToNanoseconds() / 1e9 + self.window
        remaining = context.time_remaining() if context is not None else None
        if remaining is not None:
            until = min(until, self._clock() + remaining - DEADLINE_MARGIN)
        if until <= self._clock() or not self._may_wait(execution.id):
            return execution
        interval = POLL_SECONDS
        try:
            while execution.closure.phase not in TERMINAL:
                pause = min(interval, until - self._clock())
                if pause <= 0:
                    break
                time.sleep(pause)
                interval = min(interval * POLL_GROWTH, MAX_POLL_SECONDS)
                execution = answer(request, context)
        finally:
            with self._lock:
                self._waiting -= 1
        return execution

    def _may_wait(self, execution_id: Any) -> bool:
        """Counts the look; True (and one more waiting) if this is not the first one and a place is free."""
        key = (execution_id.project, execution_id.domain, execution_id.name)
        with self._lock:
            looks = self._looks.pop(key, 0) + 1
            self._looks[key] = looks
            while len(self._looks) > REMEMBERED:
                self._looks.popitem(last=False)
            if looks == 1 or self._waiting >= self.max_waiting:
                return False
            self._waiting += 1
            return True
