"""Task executions (flyteadmin §7): one per attempt of a task node; get, list a node's attempts, and data."""

from __future__ import annotations

from flyteidl.admin import common_pb2, task_execution_pb2
from flyteidl.core import identifier_pb2

from flyteplane.services.common.listing import page_request
from flyteplane.services.common.validation import validate_limit
from flyteplane.services.executions.data import ExecutionData
from flyteplane.services.executions.lookups import (
    task_execution_identifier,
    task_execution_row,
    validate_node_execution_id,
    validate_task_execution_id,
)
from flyteplane.store.db import Database
from flyteplane.store.repositories import task_executions
from flyteplane.store.repositories.task_executions import TaskExecutionRow

__all__ = ["TaskExecutionService", "flyte_urls_of_attempt", "task_execution_proto"]


def task_execution_proto(row: TaskExecutionRow, *, is_parent: bool = False) -> task_execution_pb2.TaskExecution:
    """Error messages stay whole, in lists too, so that attempts show their full stack trace."""
    return task_execution_pb2.TaskExecution(
        id=task_execution_identifier(row),
        input_uri=row.input_uri,
        closure=task_execution_pb2.TaskExecutionClosure.FromString(row.closure),
        is_parent=is_parent,
    )


def flyte_urls_of_attempt(attempt: identifier_pb2.TaskExecutionIdentifier) -> common_pb2.FlyteURLs:
    node = attempt.node_execution_id
    execution = node.execution_id
    base = f"flyte://v1/{execution.project}/{execution.domain}/{execution.name}/{node.node_id}/{attempt.retry_attempt}"
    return common_pb2.FlyteURLs(inputs=f"{base}/i", outputs=f"{base}/o")


class TaskExecutionService:
    def __init__(self, db: Database, data: ExecutionData) -> None:
        self.db = db
        self.data = data

    def get_task_execution(
        self, request: task_execution_pb2.TaskExecutionGetRequest
    ) -> task_execution_pb2.TaskExecution:
        validate_task_execution_id(request.id, present=request.HasField("id"))
        with self.db.read() as session:
            row = task_execution_row(session, request.id)
            return task_execution_proto(row, is_parent=bool(task_executions.parents_among(session, [row.id])))

    def list_task_executions(
        self, request: task_execution_pb2.TaskExecutionListRequest
    ) -> task_execution_pb2.TaskExecutionList:
        """The attempts of one node execution."""
        validate_node_execution_id(request.node_execution_id, present=request.HasField("node_execution_id"))
        validate_limit(request.limit)
        with self.db.read() as session:
            page = task_executions.list_page(session, request.node_execution_id, page_request(request))
            parents = task_executions.parents_among(session, [row.id for row in page.items])
            return task_execution_pb2.TaskExecutionList(
                task_executions=[task_execution_proto(row, is_parent=row.id in parents) for row in page.items],
                token=page.token,
            )

    def get_task_execution_data(
        self, request: task_execution_pb2.TaskExecutionGetDataRequest
    ) -> task_execution_pb2.TaskExecutionGetDataResponse:
        validate_task_execution_id(request.id, present=request.HasField("id"))
        with self.db.read() as session:
            row = task_execution_row(session, request.id)
        closure = task_execution_pb2.TaskExecutionClosure.FromString(row.closure)
        full_inputs, inputs = self.data.for_response(row.input_uri)
        response = task_execution_pb2.TaskExecutionGetDataResponse(
            full_inputs=full_inputs, inputs=inputs, flyte_urls=flyte_urls_of_attempt(request.id)
        )
        if closure.HasField("output_data"):
            response.full_outputs.CopyFrom(self.data.inline_for_response(closure.output_data))
        elif closure.output_uri:
            full_outputs, outputs = self.data.for_response(closure.output_uri)
            response.full_outputs.CopyFrom(full_outputs)
            response.outputs.CopyFrom(outputs)
        return response
