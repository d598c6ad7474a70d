"""Node executions (flyteadmin §7): get, list (top level or one parent's children), data, dynamic workflows.

Also the engine's PreviousRuns port (recovery reads the node executions of the run it recovers) and the data
proxy's deck lookup.
"""

from __future__ import annotations

from dataclasses import dataclass

from flyteidl.admin import common_pb2, node_execution_pb2
from flyteidl.core import compiler_pb2, identifier_pb2
from sqlalchemy.orm import Session

from flyteplane.errors import FailedPrecondition, FlyteplaneError, InvalidArgument, NotFound
from flyteplane.services.common.listing import page_request
from flyteplane.services.common.validation import validate_limit
from flyteplane.services.executions.data import ExecutionData
from flyteplane.services.executions.lookups import (
    node_execution_identifier,
    node_execution_row,
    task_execution_row,
    validate_execution_id,
    validate_task_execution_id,
)
from flyteplane.services.executions.trimming import trim_error_message
from flyteplane.store.db import Database
from flyteplane.store.pagination import Page
from flyteplane.store.repositories import node_executions
from flyteplane.store.repositories.node_executions import NodeExecutionRow

__all__ = ["NodeExecutionService", "flyte_urls_of_node", "node_execution_proto"]


def node_execution_proto(
    row: NodeExecutionRow, *, has_children: bool = False, trim_errors: bool = False
) -> node_execution_pb2.NodeExecution:
    """A row as NodeExecution. A node with child node executions is a parent even when no event said so
    (branch nodes): flyteadmin does this in lists only, here in every answer so that Get and List agree."""
    closure = node_execution_pb2.NodeExecutionClosure.FromString(row.closure)
    metadata = node_execution_pb2.NodeExecutionMetaData.FromString(row.node_execution_metadata)
    if trim_errors and closure.HasField("error") and closure.error.message:
        closure.error.message = trim_error_message(closure.error.message)
    if has_children and not (metadata.is_parent_node or metadata.is_dynamic):
        metadata.is_parent_node = True
        metadata.is_dynamic = bool(row.dynamic_workflow_remote_closure_reference)
    return node_execution_pb2.NodeExecution(
        id=node_execution_identifier(row), input_uri=row.input_uri, closure=closure, metadata=metadata
    )


def flyte_urls_of_node(node: identifier_pb2.NodeExecutionIdentifier, *, deck: bool) -> common_pb2.FlyteURLs:
    execution = node.execution_id
    base = f"flyte://v1/{execution.project}/{execution.domain}/{execution.name}/{node.node_id}"
    return common_pb2.FlyteURLs(inputs=f"{base}/i", outputs=f"{base}/o", deck=f"{base}/d" if deck else "")


@dataclass(eq=False)
class NodeExecutionService:
    db: Database
    data: ExecutionData

    def get_node_execution(
        self, request: node_execution_pb2.NodeExecutionGetRequest
    ) -> node_execution_pb2.NodeExecution:
        """flyteadmin only logs an invalid identifier here; the lookup then answers NOT_FOUND."""
        with self.db.read() as session:
            row = node_execution_row(session, request.id)
            return node_execution_proto(row, has_children=bool(node_executions.parents_among(session, [row.id])))

    def list_node_executions(
        self, request: node_execution_pb2.NodeExecutionListRequest
    ) -> node_execution_pb2.NodeExecutionList:
        """Top-level nodes only, unless `unique_parent_id` names the parent whose children are wanted."""
        try:
            validate_execution_id(request.workflow_execution_id, present=request.HasField("workflow_execution_id"))
        except InvalidArgument:
            raise InvalidArgument("missing execution_id") from None
        validate_limit(request.limit)
        execution = request.workflow_execution_id
        with self.db.read() as session:
            parent_id = None
            if request.unique_parent_id:
                parent = node_execution_row(
                    session,
                    identifier_pb2.NodeExecutionIdentifier(execution_id=execution, node_id=request.unique_parent_id),
                )
                parent_id = parent.id
            page = node_executions.list_page(session, execution, page_request(request), parent_id=parent_id)
            return self._listed(session, page)

    def list_node_executions_for_task(
        self, request: node_execution_pb2.NodeExecutionForTaskListRequest
    ) -> node_execution_pb2.NodeExecutionList:
        """Nodes launched by one task attempt (legacy events named the parent task; today's name a node)."""
        validate_task_execution_id(request.task_execution_id, present=request.HasField("task_execution_id"))
        validate_limit(request.limit)
        execution = request.task_execution_id.node_execution_id.execution_id
        with self.db.read() as session:
            parent_task = task_execution_row(session, request.task_execution_id)
            page = node_executions.list_page(
                session, execution, page_request(request), parent_task_execution_id=parent_task.id
            )
            return self._listed(session, page)

    @staticmethod
    def _listed(session: Session, page: Page[NodeExecutionRow]) -> node_execution_pb2.NodeExecutionList:
        """A page of node executions as both list requests answer it, parents marked in one query."""
        parents = node_executions.parents_among(session, [row.id for row in page.items])
        return node_execution_pb2.NodeExecutionList(
            node_executions=[
                node_execution_proto(row, has_children=row.id in parents, trim_errors=True) for row in page.items
            ],
            token=page.token,
        )

    def get_node_execution_data(
        self, request: node_execution_pb2.NodeExecutionGetDataRequest
    ) -> node_execution_pb2.NodeExecutionGetDataResponse:
        row = self._node_execution(request.id)
        closure = node_execution_pb2.NodeExecutionClosure.FromString(row.closure)
        response = node_execution_pb2.NodeExecutionGetDataResponse(
            flyte_urls=flyte_urls_of_node(node_execution_identifier(row), deck=bool(closure.deck_uri))
        )
        inline = closure.output_data if closure.HasField("output_data") else None
        self.data.fill_response(response, row.input_uri, inline, closure.output_uri)
        if row.dynamic_workflow_remote_closure_reference:
            compiled = self._dynamic_closure(row.dynamic_workflow_remote_closure_reference)
            response.dynamic_workflow.CopyFrom(
                node_execution_pb2.DynamicWorkflowNodeMetadata(
                    id=compiled.primary.template.id,
                    compiled_workflow=compiled,
                    dynamic_job_spec_uri=closure.dynamic_job_spec_uri,
                )
            )
        return response

    def get_dynamic_node_workflow(
        self, request: node_execution_pb2.GetDynamicNodeWorkflowRequest
    ) -> node_execution_pb2.DynamicNodeWorkflowResponse:
        row = self._node_execution(request.id)
        if not row.dynamic_workflow_remote_closure_reference:
            raise NotFound("node does not contain dynamic workflow")
        compiled = self._dynamic_closure(row.dynamic_workflow_remote_closure_reference)
        return node_execution_pb2.DynamicNodeWorkflowResponse(compiled_workflow=compiled)

    def _node_execution(self, identifier: identifier_pb2.NodeExecutionIdentifier) -> NodeExecutionRow:
        with self.db.read() as session:
            return node_execution_row(session, identifier)

    def _dynamic_closure(self, reference: str) -> compiler_pb2.CompiledWorkflowClosure:
        try:
            compiled = self.data.read_message(reference, compiler_pb2.CompiledWorkflowClosure())
        except FlyteplaneError as exc:
            raise FailedPrecondition(
                f"Unable to read WorkflowClosure from location {reference} : {exc.message}"
            ) from None
        if not compiled.primary.HasField("template"):  # type: ignore[attr-defined]
            raise FailedPrecondition("Empty primary workflow template in loaded dynamic workflow model.")
        return compiled  # type: ignore[return-value]

    # -- for the data proxy -----------------------------------------------------------------------------

    def deck_uri_of(self, node: identifier_pb2.NodeExecutionIdentifier) -> str:
        """CreateDownloadLink's lookup; a missing node execution is the caller's mistake."""
        with self.db.read() as session:
            row = node_executions.find(session, node)
        if row is None:
            execution = node.execution_id
            raise InvalidArgument(
                "failed to get node execution with id "
                f"[{execution.project}/{execution.domain}/{execution.name}/{node.node_id}]: "
                "node execution does not exist"
            )
        return str(node_execution_pb2.NodeExecutionClosure.FromString(row.closure).deck_uri)
