"""CreateWorkflowEvent (flyteadmin §6.8): an execution's phase changes as its engine reports them.

Repeating a phase is ALREADY_EXISTS (except QUEUED, which may repeat), a terminal execution refuses every
event, RUNNING never goes back to QUEUED, and ABORTING only ends. Anything else is accepted: the engine is
trusted to report in order.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flyteidl.admin import event_pb2, execution_pb2
from flyteidl.core import execution_pb2 as core_execution_pb2
from flyteidl.event import event_pb2 as core_event_pb2

from flyteplane.compiler.prototext import go_text
from flyteplane.engine.ports import Wakeup
from flyteplane.errors import AlreadyExists, FailedPrecondition, InvalidArgument
from flyteplane.services.common import times
from flyteplane.services.events.common import EventRecorder, error_columns, too_large
from flyteplane.services.executions.lookups import execution_identifier, execution_row, text
from flyteplane.services.executions.phases import (
    DEFAULT_PRODUCER_ID,
    WORKFLOW_TERMINAL,
    AlreadyInTerminalState,
    IncompatibleCluster,
    validate_cluster,
    workflow_phase_name,
)
from flyteplane.services.notifications.outbox import NotificationOutbox
from flyteplane.store.repositories import node_executions
from flyteplane.store.repositories.executions import ExecutionRow

__all__ = ["WorkflowEvents"]

log = logging.getLogger(__name__)

Phase = core_execution_pb2.WorkflowExecution
_CLUSTER_REASSIGNABLE = frozenset({Phase.UNDEFINED, Phase.QUEUED})


@dataclass(eq=False)
class WorkflowEvents(EventRecorder):
    wakeup: Wakeup
    outbox: NotificationOutbox | None = None  # notifications the new phase triggers join its transaction

    def record(self, request: event_pb2.WorkflowExecutionEventRequest) -> None:
        event = self._validated(request)
        with self.db.transaction() as session:
            row = execution_row(session, event.execution_id, lock=True)
            self._check_transition(row, event)
            self._apply(row, event)
            if self.outbox is not None and event.phase in WORKFLOW_TERMINAL:
                self.outbox.record(session, row, event)
            parent = (
                node_executions.by_id(session, row.parent_node_execution_id)
                if event.phase in WORKFLOW_TERMINAL and row.parent_node_execution_id is not None
                else None
            )
        if parent is not None:  # a finished child lets its launch-plan node move on at once
            self.wakeup(execution_identifier(parent))

    def _validated(self, request: event_pb2.WorkflowExecutionEventRequest) -> core_event_pb2.WorkflowExecutionEvent:
        if not request.HasField("event"):
            raise InvalidArgument("Workflow event handler was called without event")
        event = request.event
        if not event.HasField("execution_id"):
            raise InvalidArgument(
                f"Workflow event handler request event doesn't have an execution id - {go_text(event)}"
            )
        if event.HasField("output_data") and self.data.too_large(event.output_data):
            raise too_large(self.data, event.output_data.ByteSize())
        if event.phase not in Phase.Phase.values():
            raise InvalidArgument(f"invalid value for phase: {event.phase}")
        if not event.HasField("occurred_at"):
            raise InvalidArgument("missing occurred_at")
        times.to_datetime(event.occurred_at, "occurred_at")
        return event

    @staticmethod
    def _check_transition(row: ExecutionRow, event: core_event_pb2.WorkflowExecutionEvent) -> None:
        current = Phase.Phase.Value(row.phase)
        new = event.phase
        shown = text(event.execution_id)
        if new != Phase.QUEUED:  # repeated QUEUED events announce a cluster reassignment
            if current == new:
                raise AlreadyExists(f"This phase {row.phase} was already recorded for workflow execution {shown}")
            validate_cluster(row.cluster, event.producer_id)
        new_name = workflow_phase_name(new)
        if current in WORKFLOW_TERMINAL:
            raise AlreadyInTerminalState(
                f"Invalid phase change from {row.phase} to {new_name} for workflow execution {shown}",
                row.phase,
            )
        if current == Phase.RUNNING and new == Phase.QUEUED:
            raise FailedPrecondition(f"Cannot go from {row.phase} to {new_name} for workflow execution {shown}")
        if current == Phase.ABORTING and new not in WORKFLOW_TERMINAL:
            raise FailedPrecondition(f"Invalid phase change from aborting to {new_name} for workflow execution {shown}")

    def _apply(self, row: ExecutionRow, event: core_event_pb2.WorkflowExecutionEvent) -> None:
        closure = execution_pb2.ExecutionClosure.FromString(row.closure)
        occurred = times.to_datetime(event.occurred_at)
        closure.phase = event.phase
        closure.updated_at.CopyFrom(event.occurred_at)
        row.phase = workflow_phase_name(event.phase)
        row.execution_updated_at = occurred
        if event.phase == Phase.RUNNING:
            row.started_at = occurred
            closure.started_at.CopyFrom(event.occurred_at)
        elif event.phase in WORKFLOW_TERMINAL and row.started_at is not None:
            row.duration = times.duration_ns(row.started_at, occurred)
            closure.duration.CopyFrom(times.duration(row.duration))
        self._assign_cluster(row, event)
        if event.output_uri:
            closure.outputs.CopyFrom(execution_pb2.LiteralMapBlob(uri=event.output_uri))
        elif event.HasField("output_data"):
            key = (row.execution_project, row.execution_domain, row.execution_name, "offloaded_outputs")
            closure.outputs.CopyFrom(execution_pb2.LiteralMapBlob(uri=self.data.offload(key, event.output_data)))
        elif event.HasField("error"):
            closure.error.CopyFrom(event.error)
            row.error_kind, row.error_code = error_columns(event.error)
        row.closure = closure.SerializeToString()

    @staticmethod
    def _assign_cluster(row: ExecutionRow, event: core_event_pb2.WorkflowExecutionEvent) -> None:
        """A named producer claims a queued execution; afterwards only that producer may report."""
        producer = event.producer_id
        if not producer or producer == DEFAULT_PRODUCER_ID:
            return
        if event.phase in _CLUSTER_REASSIGNABLE:
            row.cluster = producer
            spec = execution_pb2.ExecutionSpec.FromString(row.spec)
            spec.metadata.system_metadata.execution_cluster = producer
            row.spec = spec.SerializeToString()
        elif row.cluster != producer:
            raise IncompatibleCluster(
                "Cannot accept events for running/terminated execution "
                f"[{text(event.execution_id)}] from cluster [{producer}],"
                f"expected events to originate from [{row.cluster}]",
                row.cluster,
            )
