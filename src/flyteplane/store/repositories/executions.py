"""Workflow executions and their tags."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

from flyteidl.core import identifier_pb2
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flyteplane.store import scopes
from flyteplane.store.listing import PageRequest, fetch_page
from flyteplane.store.models import Execution, ExecutionTag, LaunchPlan
from flyteplane.store.pagination import Page
from flyteplane.store.repositories.common import save

__all__ = ["ExecutionRow", "count_by_phase", "count_of_launch_plan", "find", "insert", "list_page"]

ExecutionRow: TypeAlias = Execution


def find(
    session: Session, execution: identifier_pb2.WorkflowExecutionIdentifier, *, lock: bool = False
) -> ExecutionRow | None:
    stmt = select(Execution).where(
        Execution.execution_project == execution.project,
        Execution.execution_domain == execution.domain,
        Execution.execution_name == execution.name,
    )
    return session.scalar(stmt.with_for_update() if lock else stmt)


def insert(session: Session, values: Mapping[str, Any], tags: Mapping[str, str]) -> ExecutionRow:
    """A new execution and its tag rows (labels as key and value, tags as key and ""); a taken name fails the
    transaction with a Conflict."""
    row = Execution(**values)
    save(session, row)
    session.add_all(ExecutionTag(execution_id=row.id, key=key, value=value) for key, value in tags.items())
    return row


def count_by_phase(session: Session) -> dict[str, int]:
    """Executions per phase, on the phase index (for /metrics)."""
    rows = session.execute(select(Execution.phase, func.count()).group_by(Execution.phase)).all()
    return {phase: count for phase, count in rows}


def count_of_launch_plan(session: Session, project: str, domain: str, launch_plan: str, phases: Sequence[str]) -> int:
    """Executions in these phases of every version of a launch plan."""
    count = session.scalar(
        select(func.count(Execution.id))
        .join(LaunchPlan, LaunchPlan.id == Execution.launch_plan_id)
        .where(
            Execution.execution_project == project,
            Execution.execution_domain == domain,
            LaunchPlan.name == launch_plan,
            Execution.phase.in_(phases),
        )
    )
    return count or 0


def list_page(session: Session, project: str, domain: str, name: str, request: PageRequest) -> Page[ExecutionRow]:
    """ListExecutions in a project and domain (of one name, when given); archived ones only when a filter names
    `state`."""
    stmt = select(Execution).where(Execution.execution_project == project, Execution.execution_domain == domain)
    if name:
        stmt = stmt.where(Execution.execution_name == name)
    return fetch_page(session, stmt, scopes.EXECUTIONS, request, keys=[Execution.id], what="ListExecutions")
