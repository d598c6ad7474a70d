"""Task executions: one per attempt of a task node."""

from __future__ import annotations

from typing import Any

from flyteidl.admin import task_execution_pb2

from flyteplane.client.calls import Call, Page, Pages, operation, paged
from flyteplane.client.filters import FiltersLike, SortLike
from flyteplane.client.idl import IdlLike
from flyteplane.client.operations.identifiers import node_execution_id, task_execution_id
from flyteplane.client.operations.listing import page_reader, page_request
from flyteplane.client.rpcs import ADMIN

__all__ = ["TaskExecutionOperations"]


class TaskExecutionOperations:
    @operation
    def get_task_execution(self, id: IdlLike) -> Call[Any]:
        request = task_execution_pb2.TaskExecutionGetRequest(id=task_execution_id(id, "id"))
        return Call(ADMIN["GetTaskExecution"], request)

    @operation
    def get_task_execution_data(self, task_execution_identifier: IdlLike) -> Call[Any]:
        """The attempt's inputs and outputs, as literal maps and blob URLs."""
        request = task_execution_pb2.TaskExecutionGetDataRequest(id=task_execution_id(task_execution_identifier))
        return Call(ADMIN["GetTaskExecutionData"], request)

    @operation
    def list_task_executions_paginated(
        self,
        node_execution_identifier: IdlLike,
        limit: int = 100,
        token: str | None = None,
        filters: FiltersLike = None,
        sort_by: SortLike = None,
    ) -> Call[Page[Any]]:
        """One page of the attempts of a node execution."""
        node = node_execution_id(node_execution_identifier)
        request_type = task_execution_pb2.TaskExecutionListRequest
        request = page_request(request_type, limit, token, filters, sort_by, node_execution_id=node)
        return Call(ADMIN["ListTaskExecutions"], request, page_reader("task_executions"))

    @paged
    def iter_task_executions(
        self,
        node_execution_identifier: IdlLike,
        filters: FiltersLike = None,
        sort_by: SortLike = None,
        page_size: int = 100,
    ) -> Pages[Any]:
        return Pages(
            lambda token: self.list_task_executions_paginated.call(
                node_execution_identifier, page_size, token, filters, sort_by
            )
        )
