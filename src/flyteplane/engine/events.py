"""Builds the workflow, node and task events the engine reports, exactly as propeller would send them."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from flyteidl.admin import event_pb2 as admin_event_pb2
from flyteidl.core import execution_pb2, identifier_pb2
from flyteidl.event import event_pb2
from google.protobuf.timestamp_pb2 import Timestamp

from flyteplane.engine.ports import EventSink
from flyteplane.errors import AlreadyExists, AlreadyInTerminalState

__all__ = ["PRODUCER", "Emitter", "NodePhase", "NodeRef", "TaskPhase", "WorkflowPhase"]

PRODUCER = "flyteplane"
Request = TypeVar("Request")
NodePhase = execution_pb2.NodeExecution.Phase
TaskPhase = execution_pb2.TaskExecution.Phase
WorkflowPhase = execution_pb2.WorkflowExecution.Phase


def timestamp(epoch: float) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(datetime.fromtimestamp(epoch, UTC))
    return stamp


@dataclass(frozen=True)
class NodeRef:
    """Where a node sits: its unique id, its id in its (sub)workflow spec, its parent and retry group."""

    unique_id: str
    spec_node_id: str
    name: str
    parent_unique_id: str = ""
    retry_group: str = ""


class Emitter:
    """Sends events for one execution; a repeat of an already recorded event is not an error (at-least-once)."""

    def __init__(self, sink: EventSink, execution: identifier_pb2.WorkflowExecutionIdentifier) -> None:
        self.sink = sink
        self.execution = execution

    def workflow(
        self,
        phase: int,
        at: float,
        *,
        output_uri: str = "",
        error: execution_pb2.ExecutionError | None = None,
    ) -> None:
        event = event_pb2.WorkflowExecutionEvent(
            execution_id=self.execution, producer_id=PRODUCER, phase=phase, occurred_at=timestamp(at)
        )
        if output_uri:
            event.output_uri = output_uri
        if error is not None:
            event.error.CopyFrom(error)
        self._send(self.sink.create_workflow_event, admin_event_pb2.WorkflowExecutionEventRequest(event=event))

    def node(
        self,
        ref: NodeRef,
        phase: int,
        at: float,
        *,
        input_uri: str = "",
        output_uri: str = "",
        deck_uri: str = "",
        error: execution_pb2.ExecutionError | None = None,
        is_parent: bool = False,
        is_dynamic: bool = False,
        is_array: bool = False,
        task_node_metadata: event_pb2.TaskNodeMetadata | None = None,
        child_execution: identifier_pb2.WorkflowExecutionIdentifier | None = None,
    ) -> None:
        event = event_pb2.NodeExecutionEvent(
            id=identifier_pb2.NodeExecutionIdentifier(node_id=ref.unique_id, execution_id=self.execution),
            producer_id=PRODUCER,
            phase=phase,
            occurred_at=timestamp(at),
            reported_at=timestamp(at),
            input_uri=input_uri,
            spec_node_id=ref.spec_node_id,
            node_name=ref.name or ref.spec_node_id,
            retry_group=ref.retry_group,
            event_version=1,
            is_parent=is_parent,
            is_dynamic=is_dynamic,
            is_array=is_array,
        )
        if ref.parent_unique_id:
            event.parent_node_metadata.node_id = ref.parent_unique_id
        if output_uri:
            event.output_uri = output_uri
        if deck_uri:
            event.deck_uri = deck_uri
        if error is not None:
            event.error.CopyFrom(error)
        if task_node_metadata is not None:
            event.task_node_metadata.CopyFrom(task_node_metadata)
        if child_execution is not None:
            event.workflow_node_metadata.execution_id.CopyFrom(child_execution)
        self._send(self.sink.create_node_event, admin_event_pb2.NodeExecutionEventRequest(event=event))

    def task(
        self,
        ref: NodeRef,
        task_id: identifier_pb2.Identifier,
        task_type: str,
        attempt: int,
        phase: int,
        at: float,
        *,
        phase_version: int = 0,
        input_uri: str = "",
        output_uri: str = "",
        error: execution_pb2.ExecutionError | None = None,
        logs: Sequence[execution_pb2.TaskLog] = (),
        reason: str = "",
        generated_name: str = "",
        external_resources: Sequence[event_pb2.ExternalResourceInfo] = (),
        interruptible: bool = False,
    ) -> None:
        event = event_pb2.TaskExecutionEvent(
            task_id=task_id,
            parent_node_execution_id=identifier_pb2.NodeExecutionIdentifier(
                node_id=ref.unique_id, execution_id=self.execution
            ),
            retry_attempt=attempt,
            phase=phase,
            producer_id=PRODUCER,
            logs=list(logs),
            occurred_at=timestamp(at),
            reported_at=timestamp(at),
            input_uri=input_uri,
            phase_version=phase_version,
            reason=reason,
            task_type=task_type,
            event_version=1,
        )
        if output_uri:
            event.output_uri = output_uri
        if error is not None:
            event.error.CopyFrom(error)
        if generated_name:
            event.metadata.generated_name = generated_name
        if external_resources:
            event.metadata.external_resources.extend(external_resources)
        if interruptible:
            event.metadata.instance_class = event_pb2.TaskExecutionMetadata.INTERRUPTIBLE
        self._send(self.sink.create_task_event, admin_event_pb2.TaskExecutionEventRequest(event=event))

    @staticmethod
    def _send(send: Callable[[Request], object], request: Request) -> None:
        # An event recorded before a crash or in a retried round is already there, which is what we want.
        with contextlib.suppress(AlreadyExists, AlreadyInTerminalState):
            send(request)
