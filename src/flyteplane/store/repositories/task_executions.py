"""Task executions: one per attempt of a task node."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeAlias

from flyteidl.core import identifier_pb2
from sqlalchemy import select
from sqlalchemy.orm import Session

from flyteplane.store import scopes
from flyteplane.store.listing import PageRequest, fetch_page
from flyteplane.store.models import NodeExecution, TaskExecution
from flyteplane.store.pagination import Page
from flyteplane.store.repositories.common import referenced, save

__all__ = ["MAX_INT32", "TaskExecutionRow", "find", "list_page", "new", "parents_among", "save"]

TaskExecutionRow: TypeAlias = TaskExecution
MAX_INT32 = 2**31 - 1
"""uint32 fields (retry attempts, phase versions) are stored in 32-bit signed columns."""


def find(
    session: Session, attempt: identifier_pb2.TaskExecutionIdentifier, *, lock: bool = False
) -> TaskExecutionRow | None:
    if attempt.retry_attempt > MAX_INT32:  # the column cannot hold it, so no such row exists
        return None
    task, node = attempt.task_id, attempt.node_execution_id
    stmt = select(TaskExecution).where(
        TaskExecution.execution_project == node.execution_id.project,
        TaskExecution.execution_domain == node.execution_id.domain,
        TaskExecution.execution_name == node.execution_id.name,
        TaskExecution.node_id == node.node_id,
        TaskExecution.project == task.project,
        TaskExecution.domain == task.domain,
        TaskExecution.name == task.name,
        TaskExecution.version == task.version,
        TaskExecution.retry_attempt == attempt.retry_attempt,
    )
    return session.scalar(stmt.with_for_update() if lock else stmt)


def new(values: Mapping[str, Any]) -> TaskExecutionRow:
    """A row for an attempt's first event, not yet in any session: `save` writes it once it is complete (a first
    event racing another then fails with a Conflict)."""
    return TaskExecution(**values)


def parents_among(session: Session, row_ids: Iterable[int]) -> set[int]:
    """Attempts that launched node executions themselves (legacy events named their parent task)."""
    return referenced(session, NodeExecution.parent_task_execution_id, row_ids)


def list_page(
    session: Session, node: identifier_pb2.NodeExecutionIdentifier, request: PageRequest
) -> Page[TaskExecutionRow]:
    """ListTaskExecutions: the attempts of one node execution."""
    stmt = select(TaskExecution).where(
        TaskExecution.execution_project == node.execution_id.project,
        TaskExecution.execution_domain == node.execution_id.domain,
        TaskExecution.execution_name == node.execution_id.name,
        TaskExecution.node_id == node.node_id,
    )
    return fetch_page(
        session, stmt, scopes.TASK_EXECUTIONS, request, keys=[TaskExecution.id], what="ListTaskExecutions"
    )
