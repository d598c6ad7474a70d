"""CreateTaskEvent (flyteadmin §7.4): a task execution per attempt of a node, following its plugin's reports.

An attempt's first event creates it (its node execution must exist). A phase may repeat with a higher
`phase_version` (a plugin's progress within one phase); anything else repeated is ALREADY_EXISTS. SUCCEEDED,
FAILED and ABORTED are final; RETRYABLE_FAILED is not.
"""

from __future__ import annotations

from flyteidl.admin import event_pb2, task_execution_pb2
from flyteidl.core import execution_pb2 as core_execution_pb2
from flyteidl.core import identifier_pb2
from flyteidl.event import event_pb2 as core_event_pb2
from sqlalchemy.orm import Session

from flyteplane.errors import AlreadyExists, InvalidArgument, NotFound
from flyteplane.services.common import times
from flyteplane.services.events.common import EventRecorder, first_input_uri, record_outputs, too_large
from flyteplane.services.events.task_closures import (
    add_reasons,
    filter_logs_by_phase,
    merge_custom_info,
    merge_logs,
    merge_metadata,
    sorted_external_resources,
)
from flyteplane.services.executions.lookups import (
    MAX_INT32,
    execution_row,
    text,
    validate_attempt_parts,
)
from flyteplane.services.executions.phases import (
    TASK_TERMINAL,
    AlreadyInTerminalState,
    task_phase_name,
    validate_cluster,
)
from flyteplane.store.db import Conflict
from flyteplane.store.repositories import node_executions, task_executions
from flyteplane.store.repositories.task_executions import TaskExecutionRow

__all__ = ["TaskEvents", "task_execution_id_of"]

Phase = core_execution_pb2.TaskExecution


def task_execution_id_of(event: core_event_pb2.TaskExecutionEvent) -> identifier_pb2.TaskExecutionIdentifier:
    return identifier_pb2.TaskExecutionIdentifier(
        task_id=event.task_id,
        node_execution_id=event.parent_node_execution_id,
        retry_attempt=event.retry_attempt,
    )


class TaskEvents(EventRecorder):
    def record(self, request: event_pb2.TaskExecutionEventRequest) -> None:
        event = self._validated(request)
        for attempt in range(2):
            try:
                with self.db.transaction() as session:
                    self._record(session, event)
                return
            except Conflict:
                if attempt:  # an attempt's first event raced with another; the second try updates
                    raise

    def _validated(self, request: event_pb2.TaskExecutionEventRequest) -> core_event_pb2.TaskExecutionEvent:
        if not request.HasField("event"):
            raise InvalidArgument("missing event")
        event = request.event
        if not event.HasField("occurred_at"):
            raise InvalidArgument("missing occurred_at")
        times.to_datetime(event.occurred_at, "occurred_at")
        if event.HasField("reported_at"):
            times.to_datetime(event.reported_at, "reported_at")
        if event.HasField("output_data") and self.data.too_large(event.output_data):
            raise too_large(self.data, event.output_data.ByteSize())
        validate_attempt_parts(event, "parent_node_execution_id")
        if event.phase not in Phase.Phase.values():
            raise InvalidArgument(f"invalid value for phase: {event.phase}")
        if event.retry_attempt > MAX_INT32:
            raise InvalidArgument(f"invalid value for retry_attempt: {event.retry_attempt}")
        if event.phase_version > MAX_INT32:
            raise InvalidArgument(f"invalid value for phase_version: {event.phase_version}")
        return event

    def _record(self, session: Session, event: core_event_pb2.TaskExecutionEvent) -> None:
        node_id = event.parent_node_execution_id
        validate_cluster(execution_row(session, node_id.execution_id).cluster, event.producer_id)
        identifier = task_execution_id_of(event)
        row = task_executions.find(session, identifier, lock=True)
        if row is None:
            if node_executions.find(session, node_id) is None:
                raise NotFound(
                    f"Failed to get existing node execution id: [{text(node_id)}] with err: "
                    f"missing entity of type node execution with identifier [{text(node_id)}]"
                )
            row = self._created(event)
        else:
            self._check_transition(row, event, identifier)
            self._update(row, event)
        task_executions.save(session, row)

    @staticmethod
    def _check_transition(
        row: TaskExecutionRow,
        event: core_event_pb2.TaskExecutionEvent,
        identifier: identifier_pb2.TaskExecutionIdentifier,
    ) -> None:
        """As for nodes, the refusal names the attempt's actual phase, not the incoming one (a quirk)."""
        new_name = task_phase_name(event.phase)
        if row.phase == new_name and row.phase_version >= event.phase_version:
            raise AlreadyExists(
                f"have already recorded task execution phase {new_name} (version: {event.phase_version}) "
                f"for {text(identifier)}"
            )
        if Phase.Phase.Value(row.phase) in TASK_TERMINAL:
            raise AlreadyInTerminalState(
                f"invalid phase change from {row.phase} to {new_name} for task execution {text(identifier)}",
                row.phase,
            )

    def _created(self, event: core_event_pb2.TaskExecutionEvent) -> TaskExecutionRow:
        node = event.parent_node_execution_id
        task = event.task_id
        reported = event.reported_at if times.is_set(event.reported_at) else event.occurred_at
        row = task_executions.new(
            {
                "project": task.project,
                "domain": task.domain,
                "name": task.name,
                "version": task.version,
                "execution_project": node.execution_id.project,
                "execution_domain": node.execution_id.domain,
                "execution_name": node.execution_id.name,
                "node_id": node.node_id,
                "retry_attempt": event.retry_attempt,
                "phase": task_phase_name(event.phase),
                "phase_version": event.phase_version,
                "task_execution_created_at": times.to_datetime(event.occurred_at),
                "task_execution_updated_at": times.to_datetime(reported),
                "duration": 0,
            }
        )
        closure = task_execution_pb2.TaskExecutionClosure(
            phase=event.phase,
            updated_at=reported,
            created_at=event.occurred_at,
            logs=event.logs,
            task_type=event.task_type,
            event_version=event.event_version,
        )
        if event.HasField("custom_info"):
            closure.custom_info.CopyFrom(event.custom_info)
        if event.HasField("metadata"):
            closure.metadata.CopyFrom(event.metadata)
            del closure.metadata.external_resources[:]
            closure.metadata.external_resources.extend(sorted_external_resources(event.metadata.external_resources))
        if event.HasField("log_context"):
            closure.log_context.CopyFrom(event.log_context)
        add_reasons(closure, event, first=True)
        self._record_inputs(row, event)
        if event.phase == Phase.RUNNING:
            row.started_at = times.to_datetime(event.occurred_at)
            closure.started_at.CopyFrom(event.occurred_at)
        if event.phase in TASK_TERMINAL:
            self._record_result(row, closure, event)
        row.closure = closure.SerializeToString()
        return row

    def _update(self, row: TaskExecutionRow, event: core_event_pb2.TaskExecutionEvent) -> None:
        closure = task_execution_pb2.TaskExecutionClosure.FromString(row.closure)
        reported = event.reported_at if times.is_set(event.reported_at) else event.occurred_at
        phase_changed = row.phase != task_phase_name(event.phase)
        was_running = row.phase == "RUNNING"
        self._record_inputs(row, event)
        row.phase = task_phase_name(event.phase)
        row.phase_version = event.phase_version
        closure.phase = event.phase
        closure.updated_at.CopyFrom(reported)
        logs = filter_logs_by_phase(merge_logs(list(closure.logs), list(event.logs)), event.phase)
        del closure.logs[:]
        closure.logs.extend(logs)
        add_reasons(closure, event, first=False)
        if not was_running and event.phase == Phase.RUNNING and row.started_at is None:
            row.started_at = times.to_datetime(event.occurred_at)
            closure.started_at.CopyFrom(event.occurred_at)
        if event.phase in TASK_TERMINAL:
            self._record_result(row, closure, event)
        custom = merge_custom_info(
            closure.custom_info if closure.HasField("custom_info") else None,
            event.custom_info if event.HasField("custom_info") else None,
        )
        if custom is not None:
            closure.custom_info.CopyFrom(custom)
        metadata = merge_metadata(
            closure.metadata if closure.HasField("metadata") else None,
            event.metadata if event.HasField("metadata") else None,
        )
        if metadata is not None:
            closure.metadata.CopyFrom(metadata)
            if phase_changed:
                for resource in closure.metadata.external_resources:
                    kept = filter_logs_by_phase(list(resource.logs), event.phase)
                    del resource.logs[:]
                    resource.logs.extend(kept)
        if event.HasField("log_context"):
            closure.log_context.CopyFrom(event.log_context)
        closure.event_version = max(closure.event_version, event.event_version)
        row.task_execution_updated_at = times.to_datetime(reported)
        row.closure = closure.SerializeToString()

    def _record_inputs(self, row: TaskExecutionRow, event: core_event_pb2.TaskExecutionEvent) -> None:
        row.input_uri = first_input_uri(self.data, row.input_uri, event, _attempt_parts(event, "offloaded_inputs"))

    def _record_result(
        self,
        row: TaskExecutionRow,
        closure: task_execution_pb2.TaskExecutionClosure,
        event: core_event_pb2.TaskExecutionEvent,
    ) -> None:
        if row.started_at is not None:
            row.duration = times.duration_ns(row.started_at, times.to_datetime(event.occurred_at))
            closure.started_at.CopyFrom(times.timestamp(row.started_at))
            closure.duration.CopyFrom(times.duration(row.duration))
        record_outputs(self.data, closure, event, _attempt_parts(event, "offloaded_outputs"))


def _attempt_parts(event: core_event_pb2.TaskExecutionEvent, leaf: str) -> tuple[str, ...]:
    node, task = event.parent_node_execution_id, event.task_id
    execution = node.execution_id
    return (
        execution.project,
        execution.domain,
        execution.name,
        node.node_id,
        task.project,
        task.domain,
        task.name,
        task.version,
        str(event.retry_attempt),
        leaf,
    )
