"""Task executions (flyteadmin §7): one per attempt of a task node; get, list a node's attempts, and data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flyteidl.admin import common_pb2, task_execution_pb2
from flyteidl.core import identifier_pb2
from sqlalchemy.orm import Session

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


@dataclass(eq=False)
class TaskExecutionService:
    db: Database
    data: ExecutionData

    def get_task_execution(
        self, request: task_execution_pb2.TaskExecutionGetRequest
    ) -> task_execution_pb2.TaskExecution:
        with self.db.read() as session:
            row = _named(session, request)
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
        with self.db.read() as session:
            row = _named(session, request)
        closure = task_execution_pb2.TaskExecutionClosure.FromString(row.closure)
        response = task_execution_pb2.TaskExecutionGetDataResponse(flyte_urls=flyte_urls_of_attempt(request.id))
        inline = closure.output_data if closure.HasField("output_data") else None
        self.data.fill_response(response, row.input_uri, inline, closure.output_uri)
        return response


def _named(session: Session, request: Any) -> TaskExecutionRow:
    """The attempt a Get or GetData request names, its identifier checked first."""
    validate_task_execution_id(request.id, present=request.HasField("id"))
    return task_execution_row(session, request.id)
