"""GetExecution waits briefly for an execution in its first moments — but only on the second look, only while it
runs, never past its window or the caller's deadline, and never for more callers at once than allowed."""

from __future__ import annotations

import threading
import time
from typing import Any

from flyteidl.admin import execution_pb2
from flyteidl.core import execution_pb2 as core_execution_pb2
from flyteidl.core import identifier_pb2

from flyteplane.api.grpc.first_look import FirstLookWait

RUNNING = core_execution_pb2.WorkflowExecution.RUNNING
SUCCEEDED = core_execution_pb2.WorkflowExecution.SUCCEEDED


class Execution:
    """A fake execution service: the execution ends `runs_for` seconds after its creation."""

    def __init__(self, runs_for: float, name: str = "e1") -> None:
        self.created = time.time()
        self.runs_for = runs_for
        self.calls = 0
        self.id = identifier_pb2.WorkflowExecutionIdentifier(project="p", domain="d", name=name)

    def __call__(self, request: Any, context: Any) -> execution_pb2.Execution:
        self.calls += 1
        execution = execution_pb2.Execution(id=self.id)
        execution.closure.created_at.FromNanoseconds(int(self.created * 1e9))
        execution.closure.phase = SUCCEEDED if time.time() - self.created >= self.runs_for else RUNNING
        return execution

    def request(self) -> execution_pb2.WorkflowExecutionGetRequest:
        return execution_pb2.WorkflowExecutionGetRequest(id=self.id)


class Context:
    def __init__(self, remaining: float | None = None) -> None:
        self.remaining = remaining

    def time_remaining(self) -> float | None:
        return self.remaining


def look(wait: FirstLookWait, execution: Execution, context: Context | None = None) -> tuple[int, float]:
    started = time.monotonic()
    answer = wait.answer(execution.request(), context or Context(), execution)
    return answer.closure.phase, time.monotonic() - started


def test_the_first_look_is_answered_at_once_a_second_one_when_the_execution_ends() -> None:
    wait = FirstLookWait(3.0, max_waiting=4)
    execution = Execution(runs_for=0.3)
    phase, took = look(wait, execution)
    assert phase == RUNNING and took < 0.1
    phase, took = look(wait, execution)
    assert phase == SUCCEEDED and 0.1 < took < 1.0


def test_no_wait_beyond_the_executions_first_seconds_or_the_callers_deadline() -> None:
    wait = FirstLookWait(0.5, max_waiting=4)
    long = Execution(runs_for=60)
    look(wait, long)
    phase, took = look(wait, long)
    assert phase == RUNNING and 0.3 < took < 1.0
    assert look(wait, long)[1] < 0.1  # past the window: at once
    wait = FirstLookWait(30.0, max_waiting=4)
    other = Execution(runs_for=60, name="e2")
    look(wait, other)
    phase, took = look(wait, other, Context(remaining=0.6))
    assert phase == RUNNING and took < 0.6


def test_ended_executions_and_a_zero_window_never_wait() -> None:
    done = Execution(runs_for=0)
    wait = FirstLookWait(3.0, max_waiting=4)
    assert [look(wait, done)[1] < 0.1 for _ in range(3)] == [True] * 3
    assert FirstLookWait(0, max_waiting=4).intercept_service(lambda details: "handler", object()) == "handler"


def test_at_most_max_waiting_calls_wait_at_once() -> None:
    wait = FirstLookWait(1.0, max_waiting=1)
    execution = Execution(runs_for=60)
    look(wait, execution)
    waited: list[float] = []
    threads = [threading.Thread(target=lambda: waited.append(look(wait, execution)[1])) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(took > 0.5 for took in waited) == [False, False, True]
