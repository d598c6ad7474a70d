"""Node executions: one per node run of a workflow execution (and per node a dynamic task spawned)."""

from __future__ import annotations

from typing import Any

from flyteidl.admin import node_execution_pb2

from flyteplane.client.calls import Call, Page, Pages, operation, paged
from flyteplane.client.filters import FiltersLike, SortLike
from flyteplane.client.idl import IdlLike
from flyteplane.client.operations.identifiers import execution_id, node_execution_id, task_execution_id
from flyteplane.client.operations.listing import page_reader, page_request
from flyteplane.client.rpcs import ADMIN

__all__ = ["NodeExecutionOperations"]


class NodeExecutionOperations:
    @operation
    def get_node_execution(self, node_execution_identifier: IdlLike) -> Call[Any]:
        request = node_execution_pb2.NodeExecutionGetRequest(id=node_execution_id(node_execution_identifier))
        return Call(ADMIN["GetNodeExecution"], request)

    @operation
    def get_node_execution_data(self, node_execution_identifier: IdlLike) -> Call[Any]:
        """The node's inputs and outputs (literal maps and blob URLs), and its dynamic workflow if it had one."""
        request = node_execution_pb2.NodeExecutionGetDataRequest(id=node_execution_id(node_execution_identifier))
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
        request = page_request(
            node_execution_pb2.NodeExecutionListRequest,
            limit,
            token,
            filters,
            sort_by,
            workflow_execution_id=execution_id(workflow_execution_identifier),
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
        task = task_execution_id(task_execution_identifier)
        request_type = node_execution_pb2.NodeExecutionForTaskListRequest
        request = page_request(request_type, limit, token, filters, sort_by, task_execution_id=task)
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
