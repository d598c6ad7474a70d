"""Task executions: one per attempt of a task node."""

from __future__ import annotations

from typing import Any

from flyteidl.admin import task_execution_pb2
from flyteidl.core import identifier_pb2

from flyteplane.client.calls import Call, Page, Pages, operation, paged
from flyteplane.client.filters import FiltersLike, SortLike, render_filters, to_sort
from flyteplane.client.idl import IdlLike, to_idl
from flyteplane.client.operations.listing import page_reader
from flyteplane.client.rpcs import ADMIN

__all__ = ["TaskExecutionOperations"]


def _task_execution_id(value: IdlLike, what: str) -> Any:
    return to_idl(value, identifier_pb2.TaskExecutionIdentifier, what)


class TaskExecutionOperations:
    @operation
    def get_task_execution(self, id: IdlLike) -> Call[Any]:
        request = task_execution_pb2.TaskExecutionGetRequest(id=_task_execution_id(id, "id"))
        return Call(ADMIN["GetTaskExecution"], request)

    @operation
    def get_task_execution_data(self, task_execution_identifier: IdlLike) -> Call[Any]:
        """The attempt's inputs and outputs, as literal maps and blob URLs."""
        request = task_execution_pb2.TaskExecutionGetDataRequest(
            id=_task_execution_id(task_execution_identifier, "task_execution_identifier")
        )
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
        request = task_execution_pb2.TaskExecutionListRequest(
            node_execution_id=to_idl(
                node_execution_identifier, identifier_pb2.NodeExecutionIdentifier, "node_execution_identifier"
            ),
            limit=limit,
            token=token or "",
            filters=render_filters(filters),
            sort_by=to_sort(sort_by),
        )
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
