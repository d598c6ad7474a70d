"""What the engine needs from the rest of the control plane, as narrow protocols.

In `flyteplane serve` the admin services implement them in-process; a separate engine process could implement
them over gRPC (CreateWorkflowEvent, CreateNodeEvent, CreateTaskEvent, GetOrCreateSignal, CreateExecution, ...)
without the engine changing.
"""

from __future__ import annotations

from typing import Protocol

from flyteidl.admin import event_pb2, execution_pb2, node_execution_pb2
from flyteidl.admin import signal_pb2 as admin_signal_pb2
from flyteidl.core import identifier_pb2

__all__ = ["ChildExecutions", "EventSink", "PreviousRuns", "Signals", "Wakeup"]


class EventSink(Protocol):
    """Records engine progress. Re-sending an already recorded event must be harmless: implementations treat
    ALREADY_EXISTS as success, so the engine can re-emit after a crash (at-least-once delivery)."""

    def workflow_event(self, request: event_pb2.WorkflowExecutionEventRequest) -> None: ...

    def node_event(self, request: event_pb2.NodeExecutionEventRequest) -> None: ...

    def task_event(self, request: event_pb2.TaskExecutionEventRequest) -> None: ...


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
