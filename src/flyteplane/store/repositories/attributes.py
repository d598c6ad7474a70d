"""Matchable attributes (flyteadmin's `resources` table), keyed by project, domain, workflow, launch plan and
kind, where an empty key part is a wildcard; the kind is stored by its MatchableResource name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeAlias

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from flyteplane.store.models import MatchableAttribute
from flyteplane.store.repositories.common import insert_or_lock

__all__ = ["AttributeRow", "Scope", "delete_exact", "find_exact", "list_of_kind", "most_specific", "write"]

AttributeRow: TypeAlias = MatchableAttribute


@dataclass(frozen=True)
class Scope:
    """Where attributes apply: one row's key without its kind."""

    project: str = ""
    domain: str = ""
    workflow: str = ""
    launch_plan: str = ""


def _exact(kind: str, scope: Scope) -> list[Any]:
    return [
        MatchableAttribute.resource_type == kind,
        MatchableAttribute.project == scope.project,
        MatchableAttribute.domain == scope.domain,
        MatchableAttribute.workflow == scope.workflow,
        MatchableAttribute.launch_plan == scope.launch_plan,
    ]


def find_exact(session: Session, kind: str, scope: Scope) -> AttributeRow | None:
    return session.scalar(select(MatchableAttribute).where(*_exact(kind, scope)))


def most_specific(session: Session, kind: str, scope: Scope) -> AttributeRow | None:
    """The highest-priority row whose every key part is either the scope's value or the wildcard."""
    stmt = (
        select(MatchableAttribute)
        .where(
            MatchableAttribute.resource_type == kind,
            MatchableAttribute.project.in_({"", scope.project}),
            MatchableAttribute.domain.in_({"", scope.domain}),
            MatchableAttribute.workflow.in_({"", scope.workflow}),
            MatchableAttribute.launch_plan.in_({"", scope.launch_plan}),
        )
        .order_by(MatchableAttribute.priority.desc(), MatchableAttribute.id.desc())
        .limit(1)
    )
    return session.scalar(stmt)


def write(
    session: Session,
    kind: str,
    scope: Scope,
    priority: int,
    attributes: bytes,
    merge: Callable[[bytes], bytes] | None = None,
) -> None:
    """Insert or update one row (serialized MatchingAttributes); a concurrent insert of the same key turns into
    an update, never an error. `merge` turns the stored attributes into what an update stores instead."""
    key = {
        "resource_type": kind,
        "project": scope.project,
        "domain": scope.domain,
        "workflow": scope.workflow,
        "launch_plan": scope.launch_plan,
    }
    row, created = insert_or_lock(session, MatchableAttribute, key, {"priority": priority, "attributes": attributes})
    if created:
        return
    row.attributes = attributes if merge is None else merge(row.attributes)
    row.priority = priority


def delete_exact(session: Session, kind: str, scope: Scope) -> None:
    session.execute(delete(MatchableAttribute).where(*_exact(kind, scope)))


def list_of_kind(session: Session, kind: str) -> list[AttributeRow]:
    """Every row of a kind, the most specific level first."""
    stmt = (
        select(MatchableAttribute)
        .where(MatchableAttribute.resource_type == kind)
        .order_by(MatchableAttribute.priority.desc(), MatchableAttribute.id)
    )
    return list(session.scalars(stmt))
