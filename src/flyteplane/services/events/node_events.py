"""CreateNodeEvent (flyteadmin §7.3): node executions appear with their first event and follow their engine.

A node's first event (any phase) creates its row; later events may move it to any other phase until it is
terminal. Children name their parent node by unique id; a dynamic node's compiled workflow is kept in the blob
store; a launch-plan node's child execution is recorded once it exists.
"""

from __future__ import annotations

from datetime import datetime

from flyteidl.admin import event_pb2, node_execution_pb2
from flyteidl.core import catalog_pb2, identifier_pb2
from flyteidl.core import execution_pb2 as core_execution_pb2
from flyteidl.event import event_pb2 as core_event_pb2
from sqlalchemy.orm import Session

from flyteplane.errors import AlreadyExists, InvalidArgument, NotFound
from flyteplane.services.common import times
from flyteplane.services.events.common import EventRecorder, error_columns, first_input_uri, record_outputs, too_large
from flyteplane.services.executions.data import metadata_key
from flyteplane.services.executions.lookups import (
    execution_row,
    node_execution_row,
    task_execution_row,
    text,
    validate_execution_id,
    validate_node_execution_id,
)
from flyteplane.services.executions.phases import (
    NODE_TERMINAL,
    AlreadyInTerminalState,
    node_phase_name,
    validate_cluster,
)
from flyteplane.store.db import Conflict
from flyteplane.store.repositories import executions, node_executions
from flyteplane.store.repositories.node_executions import NodeExecutionRow

__all__ = ["NodeEvents", "dynamic_closure_key"]

Phase = core_execution_pb2.NodeExecution


def dynamic_closure_key(node: identifier_pb2.NodeExecutionIdentifier, workflow: identifier_pb2.Identifier) -> str:
    """Where flyteadmin keeps a dynamic node's compiled workflow."""
    execution = node.execution_id
    name = f"{workflow.project}_{workflow.domain}_{workflow.name}_{workflow.version}"
    return metadata_key("admin", execution.project, execution.domain, execution.name, node.node_id, name)


class NodeEvents(EventRecorder):
    def record(self, request: event_pb2.NodeExecutionEventRequest) -> None:
        event = self._validated(request)
        dynamic_reference = ""
        dynamic = event.task_node_metadata.dynamic_workflow
        if event.task_node_metadata.HasField("dynamic_workflow"):
            dynamic_reference = self.data.write(dynamic_closure_key(event.id, dynamic.id), dynamic.compiled_workflow)
        for attempt in range(2):
            try:
                with self.db.transaction() as session:
                    self._record(session, event, dynamic_reference)
                return
            except Conflict:
                if attempt:  # the first event of a node raced with another; the second try updates
                    raise

    def _validated(self, request: event_pb2.NodeExecutionEventRequest) -> core_event_pb2.NodeExecutionEvent:
        """flyteadmin only logs these failures and then fails later in worse ways; here they answer."""
        if not request.HasField("event"):
            raise InvalidArgument("missing event")
        event = request.event
        validate_node_execution_id(event.id, present=event.HasField("id"))
        if event.phase not in Phase.Phase.values():
            raise InvalidArgument(f"invalid value for phase: {event.phase}")
        if not event.HasField("occurred_at"):
            raise InvalidArgument("missing occurred_at")
        times.to_datetime(event.occurred_at, "occurred_at")
        if event.HasField("reported_at"):
            times.to_datetime(event.reported_at, "reported_at")
        if event.task_node_metadata.HasField("dynamic_workflow"):
            dynamic = event.task_node_metadata.dynamic_workflow
            if not dynamic.compiled_workflow.primary.HasField("template"):
                raise InvalidArgument("missing primary dynamic workflow template")
        if event.HasField("output_data") and self.data.too_large(event.output_data):
            raise too_large(self.data, event.output_data.ByteSize())
        if event.workflow_node_metadata.HasField("execution_id"):
            validate_execution_id(event.workflow_node_metadata.execution_id)
        return event

    def _record(self, session: Session, event: core_event_pb2.NodeExecutionEvent, dynamic_reference: str) -> None:
        execution_id = event.id.execution_id
        execution = executions.find(session, execution_id)
        if execution is None:
            raise NotFound(
                f"Failed to get existing execution id: [{text(execution_id)}] with err: "
                f"missing entity of type execution with identifier [{text(execution_id)}]"
            )
        validate_cluster(execution.cluster, event.producer_id)
        row = node_executions.find(session, event.id, lock=True)
        if row is not None:
            self._check_transition(row, event)
        if event.workflow_node_metadata.HasField("execution_id"):
            execution_row(session, event.workflow_node_metadata.execution_id)  # the child must exist
        if row is None:
            row = self._new_row(session, event)
            closure = node_execution_pb2.NodeExecutionClosure(phase=event.phase, created_at=event.occurred_at)
            metadata = node_execution_pb2.NodeExecutionMetaData(
                retry_group=event.retry_group, spec_node_id=event.spec_node_id
            )
        else:
            closure = node_execution_pb2.NodeExecutionClosure.FromString(row.closure)
            metadata = node_execution_pb2.NodeExecutionMetaData.FromString(row.node_execution_metadata)
        self._apply(row, closure, metadata, event, dynamic_reference)
        node_executions.save(session, row)  # only now that it is complete: a query must not autoflush half a row

    @staticmethod
    def _new_row(session: Session, event: core_event_pb2.NodeExecutionEvent) -> NodeExecutionRow:
        execution = event.id.execution_id
        created_at = times.to_datetime(event.occurred_at)
        parent_id = parent_task_id = None
        if event.HasField("parent_node_metadata"):
            parent = identifier_pb2.NodeExecutionIdentifier(
                execution_id=execution, node_id=event.parent_node_metadata.node_id
            )
            parent_id = node_execution_row(session, parent).id
        if event.HasField("parent_task_metadata"):  # legacy events name the task attempt that launched the node
            parent_task_id = task_execution_row(session, event.parent_task_metadata.id).id
        return node_executions.new(execution, event.id.node_id, created_at, parent_id, parent_task_id)

    @staticmethod
    def _check_transition(row: NodeExecutionRow, event: core_event_pb2.NodeExecutionEvent) -> None:
        """flyteadmin names the incoming phase as the `current_phase` of the refusal (a quirk); the phase
        reported here is the one the node actually is in."""
        new_name = node_phase_name(event.phase)
        if row.phase == new_name:
            raise AlreadyExists(f"This phase was already recorded {row.phase} for {text(event.id)}")
        if Phase.Phase.Value(row.phase) in NODE_TERMINAL:
            raise AlreadyInTerminalState(
                f"Invalid phase change from {row.phase} to {new_name} for node execution {row.id}", row.phase
            )

    def _apply(
        self,
        row: NodeExecutionRow,
        closure: node_execution_pb2.NodeExecutionClosure,
        metadata: node_execution_pb2.NodeExecutionMetaData,
        event: core_event_pb2.NodeExecutionEvent,
        dynamic_reference: str,
    ) -> None:
        reported = event.reported_at if times.is_set(event.reported_at) else event.occurred_at
        occurred = times.to_datetime(event.occurred_at)
        row.phase = node_phase_name(event.phase)
        closure.phase = event.phase
        closure.updated_at.CopyFrom(reported)
        row.node_execution_updated_at = times.to_datetime(reported)
        self._record_inputs(row, event)
        if event.phase == Phase.RUNNING and row.started_at is None:
            row.started_at = occurred
            closure.started_at.CopyFrom(event.occurred_at)
        if event.phase in (Phase.RUNNING, *NODE_TERMINAL) and event.deck_uri:
            closure.deck_uri = event.deck_uri
        if event.phase in NODE_TERMINAL:
            self._record_result(row, closure, event, occurred)
        if event.workflow_node_metadata.HasField("execution_id") and not closure.HasField("workflow_node_metadata"):
            closure.workflow_node_metadata.executionId.CopyFrom(event.workflow_node_metadata.execution_id)
        if event.HasField("task_node_metadata"):
            self._record_task_metadata(row, closure, event.task_node_metadata)
        if dynamic_reference:
            row.dynamic_workflow_remote_closure_reference = dynamic_reference
        # The flags are sticky: not every event repeats them.
        metadata.is_parent_node |= event.is_parent
        metadata.is_dynamic |= event.is_dynamic
        metadata.is_array |= event.is_array
        metadata.is_eager |= event.is_eager
        row.is_parent, row.is_dynamic, row.is_array = (
            metadata.is_parent_node,
            metadata.is_dynamic,
            metadata.is_array,
        )
        row.closure = closure.SerializeToString()
        row.node_execution_metadata = metadata.SerializeToString()

    def _record_inputs(self, row: NodeExecutionRow, event: core_event_pb2.NodeExecutionEvent) -> None:
        row.input_uri = first_input_uri(self.data, row.input_uri, event, _node_parts(event.id, "offloaded_inputs"))

    def _record_result(
        self,
        row: NodeExecutionRow,
        closure: node_execution_pb2.NodeExecutionClosure,
        event: core_event_pb2.NodeExecutionEvent,
        occurred: datetime,
    ) -> None:
        if row.started_at is not None:
            row.duration = times.duration_ns(row.started_at, occurred)
            closure.duration.CopyFrom(times.duration(row.duration))
        if record_outputs(self.data, closure, event, _node_parts(event.id, "offloaded_outputs")):
            row.error_kind, row.error_code = error_columns(event.error)

    @staticmethod
    def _record_task_metadata(
        row: NodeExecutionRow,
        closure: node_execution_pb2.NodeExecutionClosure,
        metadata: core_event_pb2.TaskNodeMetadata,
    ) -> None:
        """Cache status and key come with a catalog key; an event without one keeps what an earlier one said
        (flyteadmin forgets it in the closure but keeps the column)."""
        previous = closure.task_node_metadata
        recorded = node_execution_pb2.TaskNodeMetadata(checkpoint_uri=metadata.checkpoint_uri)
        if metadata.HasField("catalog_key"):
            recorded.cache_status = metadata.cache_status
            recorded.catalog_key.CopyFrom(metadata.catalog_key)
            row.cache_status = catalog_status_name(metadata.cache_status)
        elif previous.HasField("catalog_key"):
            recorded.cache_status = previous.cache_status
            recorded.catalog_key.CopyFrom(previous.catalog_key)
        if not recorded.checkpoint_uri:
            recorded.checkpoint_uri = previous.checkpoint_uri
        closure.task_node_metadata.CopyFrom(recorded)
        if metadata.dynamic_workflow.dynamic_job_spec_uri:
            closure.dynamic_job_spec_uri = metadata.dynamic_workflow.dynamic_job_spec_uri


def catalog_status_name(status: int) -> str:
    try:
        return str(catalog_pb2.CatalogCacheStatus.Name(status))
    except ValueError:
        return str(status)


def _node_parts(node: identifier_pb2.NodeExecutionIdentifier, leaf: str) -> tuple[str, ...]:
    execution = node.execution_id
    return (execution.project, execution.domain, execution.name, node.node_id, leaf)
