"""The three event RPCs, which are also the engine's EventSink port.

A repeated event answers ALREADY_EXISTS, as flyteadmin does; the engine, which re-sends after a crash, takes
that as success.
"""

from __future__ import annotations

from flyteidl.admin import event_pb2

from flyteplane.engine.ports import Wakeup
from flyteplane.services.events.node_events import NodeEvents
from flyteplane.services.events.task_events import TaskEvents
from flyteplane.services.events.workflow_events import WorkflowEvents
from flyteplane.services.executions.data import ExecutionData
from flyteplane.services.notifications.outbox import NotificationOutbox
from flyteplane.store.db import Database

__all__ = ["EventService"]


class EventService:
    def __init__(
        self, db: Database, data: ExecutionData, wakeup: Wakeup, outbox: NotificationOutbox | None = None
    ) -> None:
        self.workflows = WorkflowEvents(db, data, wakeup, outbox)
        self.nodes = NodeEvents(db, data)
        self.tasks = TaskEvents(db, data)

    # -- RPCs -------------------------------------------------------------------------------------------

    def create_workflow_event(
        self, request: event_pb2.WorkflowExecutionEventRequest
    ) -> event_pb2.WorkflowExecutionEventResponse:
        self.workflows.record(request)
        return event_pb2.WorkflowExecutionEventResponse()

    def create_node_event(self, request: event_pb2.NodeExecutionEventRequest) -> event_pb2.NodeExecutionEventResponse:
        self.nodes.record(request)
        return event_pb2.NodeExecutionEventResponse()

    def create_task_event(self, request: event_pb2.TaskExecutionEventRequest) -> event_pb2.TaskExecutionEventResponse:
        self.tasks.record(request)
        return event_pb2.TaskExecutionEventResponse()
