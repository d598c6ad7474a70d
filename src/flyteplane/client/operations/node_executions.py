"""Node executions: one per node run of a workflow execution (and per node a dynamic task spawned)."""

from __future__ import annotations

from typing import Any

from flyteidl.admin import node_execution_pb2
from flyteidl.core import identifier_pb2

from flyteplane.client.calls import Call, Page, Pages, operation, paged
from flyteplane.client.filters import FiltersLike, SortLike, render_filters, to_sort
from flyteplane.client.idl import IdlLike, to_idl
from flyteplane.client.operations.listing import page_reader
from flyteplane.client.rpcs import ADMIN

__all__ = ["NodeExecutionOperations"]


def _node_execution_id(value: IdlLike, what: str) -> Any:
    return to_idl(value, identifier_pb2.NodeExecutionIdentifier, what)


class NodeExecutionOperations:
    @operation
    def get_node_execution(self, node_execution_identifier: IdlLike) -> Call[Any]:
        request = node_execution_pb2.NodeExecutionGetRequest(
            id=_node_execution_id(node_execution_identifier, "node_execution_identifier")
        )
        return Call(ADMIN["GetNodeExecution"], request)

    @operation
    def get_node_execution_data(self, node_execution_identifier: IdlLike) -> Call[Any]:
        """The node's inputs and outputs (literal maps and blob URLs), and its dynamic workflow if it had one."""
        request = node_execution_pb2.NodeExecutionGetDataRequest(
            id=_node_execution_id(node_execution_identifier, "node_execution_identifier")
        )
        return Call(ADMIN["GetNodeExecutionData"], request)

    @operation
    def list_node_executions(
        self,
        workflow_execution_identifier: IdlLike,
        limit: int = 100,
        token: str | None = None,
        filters: FiltersLike = None,
        sort_by: SortLike = None,
        unique_parent_id: str | None = None,
    ) -> Call[Page[Any]]:
        """One page of an execution's top-level node executions, or of the children of `unique_parent_id`."""
        request = node_execution_pb2.NodeExecutionListRequest(
            workflow_execution_id=to_idl(
                workflow_execution_identifier,
                identifier_pb2.WorkflowExecutionIdentifier,
                "workflow_execution_identifier",
            ),
            limit=limit,
            token=token or "",
            filters=render_filters(filters),
            sort_by=to_sort(sort_by),
            unique_parent_id=unique_parent_id or "",
        )
        return Call(ADMIN["ListNodeExecutions"], request, page_reader("node_executions"))

    @operation
    def list_node_executions_for_task_paginated(
        self,
        task_execution_identifier: IdlLike,
        limit: int = 100,
        token: str | None = None,
        filters: FiltersLike = None,
        sort_by: SortLike = None,
    ) -> Call[Page[Any]]:
        """One page of the node executions a task execution spawned (a dynamic task's subnodes)."""
        request = node_execution_pb2.NodeExecutionForTaskListRequest(
            task_execution_id=to_idl(
                task_execution_identifier, identifier_pb2.TaskExecutionIdentifier, "task_execution_identifier"
            ),
            limit=limit,
            token=token or "",
            filters=render_filters(filters),
            sort_by=to_sort(sort_by),
        )
        return Call(ADMIN["ListNodeExecutionsForTask"], request, page_reader("node_executions"))

    @paged
    def iter_node_executions(
        self,
        workflow_execution_identifier: IdlLike,
        filters: FiltersLike = None,
        sort_by: SortLike = None,
        unique_parent_id: str | None = None,
        page_size: int = 100,
    ) -> Pages[Any]:
        return Pages(
            lambda token: self.list_node_executions.call(
                workflow_execution_identifier, page_size, token, filters, sort_by, unique_parent_id
            )
        )

    @paged
    def iter_node_executions_for_task(
        self,
        task_execution_identifier: IdlLike,
        filters: FiltersLike = None,
        sort_by: SortLike = None,
        page_size: int = 100,
    ) -> Pages[Any]:
        return Pages(
            lambda token: self.list_node_executions_for_task_paginated.call(
                task_execution_identifier, page_size, token, filters, sort_by
            )
        )
