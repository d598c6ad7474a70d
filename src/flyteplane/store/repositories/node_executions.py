"""Node executions: one per node of an execution (and per node of its sub-workflows, branches, dynamic
workflows and array items), children pointing at their parent node or at the task attempt that launched them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TypeAlias

from flyteidl.core import identifier_pb2
from sqlalchemy import select
from sqlalchemy.orm import Session

from flyteplane.store import scopes
from flyteplane.store.listing import PageRequest, fetch_page
from flyteplane.store.models import NodeExecution
from flyteplane.store.pagination import Page
from flyteplane.store.repositories.common import referenced, save

__all__ = ["NodeExecutionRow", "by_id", "find", "list_page", "new", "parents_among", "save"]

NodeExecutionRow: TypeAlias = NodeExecution


def find(
    session: Session, node: identifier_pb2.NodeExecutionIdentifier, *, lock: bool = False
) -> NodeExecutionRow | None:
    execution = node.execution_id
    stmt = select(NodeExecution).where(
        NodeExecution.execution_project == execution.project,
        NodeExecution.execution_domain == execution.domain,
        NodeExecution.execution_name == execution.name,
        NodeExecution.node_id == node.node_id,
    )
    return session.scalar(stmt.with_for_update() if lock else stmt)


def by_id(session: Session, row_id: int) -> NodeExecutionRow | None:
    return session.get(NodeExecution, row_id)


def new(
    execution: identifier_pb2.WorkflowExecutionIdentifier,
    node_id: str,
    created_at: datetime,
    parent_id: int | None = None,
    parent_task_execution_id: int | None = None,
) -> NodeExecutionRow:
    """A row for a node's first event, not yet in any session: `save` writes it once it is complete (a first
    event racing another then fails with a Conflict)."""
    return NodeExecution(
        execution_project=execution.project,
        execution_domain=execution.domain,
        execution_name=execution.name,
        node_id=node_id,
        node_execution_created_at=created_at,
        parent_id=parent_id,
        parent_task_execution_id=parent_task_execution_id,
    )


def parents_among(session: Session, row_ids: Iterable[int]) -> set[int]:
    """Which of these node executions have child node executions."""
    return referenced(session, NodeExecution.parent_id, row_ids)


def list_page(
    session: Session,
    execution: identifier_pb2.WorkflowExecutionIdentifier,
    request: PageRequest,
    *,
    parent_id: int | None = None,
    parent_task_execution_id: int | None = None,
) -> Page[NodeExecutionRow]:
    """ListNodeExecutions: the children of one parent node, or of one task attempt, or else the top-level nodes
    (no parent of either kind)."""
    stmt = select(NodeExecution).where(
        NodeExecution.execution_project == execution.project,
        NodeExecution.execution_domain == execution.domain,
        NodeExecution.execution_name == execution.name,
    )
    if parent_id is not None:
        stmt = stmt.where(NodeExecution.parent_id == parent_id)
    elif parent_task_execution_id is not None:
        stmt = stmt.where(NodeExecution.parent_task_execution_id == parent_task_execution_id)
    else:
        stmt = stmt.where(NodeExecution.parent_id.is_(None), NodeExecution.parent_task_execution_id.is_(None))
    return fetch_page(
        session, stmt, scopes.NODE_EXECUTIONS, request, keys=[NodeExecution.id], what="ListNodeExecutions"
    )
