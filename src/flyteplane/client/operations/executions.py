"""Workflow executions: launch, recover, relaunch, terminate, read state, data and metrics, list."""

from __future__ import annotations

from typing import Any

from flyteidl.admin import execution_pb2
from flyteidl.core import literals_pb2

from flyteplane.client.calls import Call, Page, Pages, discard, operation, paged
from flyteplane.client.filters import FiltersLike, SortLike
from flyteplane.client.idl import IdlLike, enum_number, optional_idl, to_idl
from flyteplane.client.operations.identifiers import execution_id
from flyteplane.client.operations.listing import named_entity_identifier, page_reader, resource_list_request
from flyteplane.client.rpcs import ADMIN

__all__ = ["ExecutionOperations"]


def _created_id(response: Any) -> Any:
    return response.id


def _span(response: Any) -> Any:
    return response.span


class ExecutionOperations:
    @operation
    def create_execution(
        self, project: str, domain: str, name: str | None, execution_spec: IdlLike, inputs: IdlLike | None
    ) -> Call[Any]:
        """Launches an execution and returns its WorkflowExecutionIdentifier; an empty name lets the server pick one."""
        request = execution_pb2.ExecutionCreateRequest(
            project=project,
            domain=domain,
            name=name or "",
            spec=to_idl(execution_spec, execution_pb2.ExecutionSpec, "execution_spec"),
            inputs=optional_idl(inputs, literals_pb2.LiteralMap, "inputs"),
        )
        return Call(ADMIN["CreateExecution"], request, _created_id)

    @operation
    def recover_execution(self, id: IdlLike, name: str | None = None) -> Call[Any]:
        """A new execution that reuses the successful nodes of a failed one and resumes from the failure."""
        request = execution_pb2.ExecutionRecoverRequest(id=execution_id(id, "id"), name=name or "")
        return Call(ADMIN["RecoverExecution"], request, _created_id)

    @operation
    def relaunch_execution(self, id: IdlLike, name: str | None = None, overwrite_cache: bool = False) -> Call[Any]:
        """A new execution with the same launch plan and inputs as `id`."""
        request = execution_pb2.ExecutionRelaunchRequest(
            id=execution_id(id, "id"), name=name or "", overwrite_cache=overwrite_cache
        )
        return Call(ADMIN["RelaunchExecution"], request, _created_id)

    @operation
    def terminate_execution(self, id: IdlLike, cause: str) -> Call[None]:
        """Aborts a running execution, recording `cause`."""
        request = execution_pb2.ExecutionTerminateRequest(id=execution_id(id, "id"), cause=cause)
        return Call(ADMIN["TerminateExecution"], request, discard)

    @operation
    def get_execution(self, id: IdlLike) -> Call[Any]:
        """The execution with its spec and closure (phase, timings, outputs or error)."""
        request = execution_pb2.WorkflowExecutionGetRequest(id=execution_id(id, "id"))
        return Call(ADMIN["GetExecution"], request)

    @operation
    def get_execution_data(self, id: IdlLike) -> Call[Any]:
        """The execution's inputs and outputs: as literal maps, and as URLs to their stored blobs."""
        request = execution_pb2.WorkflowExecutionGetDataRequest(id=execution_id(id, "id"))
        return Call(ADMIN["GetExecutionData"], request)

    @operation
    def get_execution_metrics(self, id: IdlLike, depth: int = 10) -> Call[Any]:
        """The execution's timeline as a tree of spans, `depth` levels deep."""
        request = execution_pb2.WorkflowExecutionGetMetricsRequest(id=execution_id(id, "id"), depth=depth)
        return Call(ADMIN["GetExecutionMetrics"], request, _span)

    @operation
    def update_execution(self, id: IdlLike, state: int | str) -> Call[None]:
        """Archives (EXECUTION_ARCHIVED) or restores (EXECUTION_ACTIVE) an execution in listings."""
        request = execution_pb2.ExecutionUpdateRequest(id=execution_id(id, "id"), state=enum_number(state))
        return Call(ADMIN["UpdateExecution"], request, discard)

    @operation
    def list_executions_paginated(
        self,
        project: str,
        domain: str,
        limit: int = 100,
        token: str | None = None,
        filters: FiltersLike = None,
        sort_by: SortLike = None,
    ) -> Call[Page[Any]]:
        """One page of the executions of a project and domain."""
        request = resource_list_request(named_entity_identifier(project, domain), limit, token, filters, sort_by)
        return Call(ADMIN["ListExecutions"], request, page_reader("executions"))

    @paged
    def iter_executions(
        self, project: str, domain: str, filters: FiltersLike = None, sort_by: SortLike = None, page_size: int = 100
    ) -> Pages[Any]:
        return Pages(
            lambda token: self.list_executions_paginated.call(project, domain, page_size, token, filters, sort_by)
        )
