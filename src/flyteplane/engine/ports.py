"""The contract between the engine and the admin side, both ways, as narrow protocols.

What the engine needs (EventSink, Signals, ChildExecutions, PreviousRuns, Workflows): in `flyteplane serve` the
admin services implement them in-process; a separate engine process could implement them over gRPC
(CreateWorkflowEvent, CreateNodeEvent, CreateTaskEvent, GetOrCreateSignal, CreateExecution, GetWorkflow ...)
without the engine changing. What the admin side needs from the engine (RunQueue, Wakeup): a new execution
queued in the same transaction that records it, an abort requested, a look now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from flyteidl.admin import common_pb2, event_pb2, execution_pb2, node_execution_pb2, workflow_pb2
from flyteidl.admin import signal_pb2 as admin_signal_pb2
from flyteidl.core import identifier_pb2
from sqlalchemy.orm import Session

__all__ = [
    "ChildExecutions",
    "EngineCounters",
    "EventSink",
    "NoCounters",
    "PreviousRuns",
    "QueuedRun",
    "RunQueue",
    "Signals",
    "Wakeup",
    "Workflows",
]


class EventSink(Protocol):
    """Records engine progress: the three event RPCs (CreateWorkflowEvent, CreateNodeEvent, CreateTaskEvent).

    An event that is already recorded answers ALREADY_EXISTS, or FAILED_PRECONDITION once its execution is
    terminal; the engine treats both as success (it re-sends after a crash: at-least-once delivery)."""

    def create_workflow_event(
        self, request: event_pb2.WorkflowExecutionEventRequest
    ) -> event_pb2.WorkflowExecutionEventResponse: ...

    def create_node_event(
        self, request: event_pb2.NodeExecutionEventRequest
    ) -> event_pb2.NodeExecutionEventResponse: ...

    def create_task_event(
        self, request: event_pb2.TaskExecutionEventRequest
    ) -> event_pb2.TaskExecutionEventResponse: ...


class Signals(Protocol):
    def get_or_create_signal(self, request: admin_signal_pb2.SignalGetOrCreateRequest) -> admin_signal_pb2.Signal: ...


class ChildExecutions(Protocol):
    """Launch-plan nodes start child executions and follow them."""

    def create_execution(
        self, request: execution_pb2.ExecutionCreateRequest
    ) -> execution_pb2.ExecutionCreateResponse: ...

    def get_execution(self, request: execution_pb2.WorkflowExecutionGetRequest) -> execution_pb2.Execution: ...

    def get_execution_data(
        self, request: execution_pb2.WorkflowExecutionGetDataRequest
    ) -> execution_pb2.WorkflowExecutionGetDataResponse: ...

    def terminate_execution(
        self, request: execution_pb2.ExecutionTerminateRequest
    ) -> execution_pb2.ExecutionTerminateResponse: ...

    def recover_execution(
        self, request: execution_pb2.ExecutionRecoverRequest
    ) -> execution_pb2.ExecutionCreateResponse: ...


class PreviousRuns(Protocol):
    """Recovery reads the node executions of the execution being recovered."""

    def get_node_execution(
        self, request: node_execution_pb2.NodeExecutionGetRequest
    ) -> node_execution_pb2.NodeExecution: ...

    def get_node_execution_data(
        self, request: node_execution_pb2.NodeExecutionGetDataRequest
    ) -> node_execution_pb2.NodeExecutionGetDataResponse: ...


class Wakeup(Protocol):
    """Tells the engine an execution needs a look now (created, terminated, a signal set, a child finished)."""

    def __call__(self, execution: identifier_pb2.WorkflowExecutionIdentifier) -> None: ...


class EngineCounters(Protocol):
    """What the engine counts for the operator (the process's Prometheus metrics)."""

    def attempt_started(self, count: int = 1) -> None: ...

    def lease_taken_over(self) -> None: ...


class NoCounters:
    """Counts nothing: an engine without metrics (tests, tools)."""

    def attempt_started(self, count: int = 1) -> None:
        pass

    def lease_taken_over(self) -> None:
        pass


class Workflows(Protocol):
    """The compiled workflows executions run (GetWorkflow); registered versions never change."""

    def get_workflow(self, request: common_pb2.ObjectGetRequest) -> workflow_pb2.Workflow: ...


@dataclass(frozen=True)
class QueuedRun:
    """What the engine runs for one execution, decided once when the execution is created."""

    execution: identifier_pb2.WorkflowExecutionIdentifier
    spec: execution_pb2.ExecutionSpec  # effective: request, launch plan and matchable attributes resolved
    workflow: identifier_pb2.Identifier
    inputs_uri: str


class RunQueue(Protocol):
    """The engine's queue as the admin side uses it. Both calls join the caller's transaction, so an execution
    and its queue entry (or a terminate and its abort request) are written together or not at all."""

    def enqueue(self, session: Session, execution_row: int, run: QueuedRun, at: datetime) -> None: ...

    def request_abort(self, session: Session, execution_row: int, at: datetime) -> None: ...
