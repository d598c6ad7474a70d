"""Description entities: the long descriptions and source links of task and workflow versions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeAlias

from sqlalchemy import select
from sqlalchemy.orm import Session

from flyteplane.store import scopes
from flyteplane.store.listing import PageRequest, fetch_page
from flyteplane.store.models import DescriptionEntity
from flyteplane.store.pagination import Page
from flyteplane.store.repositories.common import insert_or_lock

__all__ = ["IDENTITY", "DescriptionEntityRow", "find", "list_page", "save"]

DescriptionEntityRow: TypeAlias = DescriptionEntity
IDENTITY = ("resource_type", "project", "domain", "name", "version")
"""The columns that identify a description: the described version's identifier."""


def find(
    session: Session, resource_type: int, project: str, domain: str, name: str, version: str
) -> DescriptionEntityRow | None:
    return session.scalar(
        select(DescriptionEntity).where(
            DescriptionEntity.resource_type == resource_type,
            DescriptionEntity.project == project,
            DescriptionEntity.domain == domain,
            DescriptionEntity.name == name,
            DescriptionEntity.version == version,
        )
    )


def list_page(
    session: Session, prefix: str, resource_type: int | None, project: str, domain: str, name: str, request: PageRequest
) -> Page[DescriptionEntityRow]:
    """The descriptions of one name's versions, of one kind or (`resource_type` None) of every kind; filters
    name fields of `prefix`, the described entity ("task", "workflow", "launch_plan")."""
    stmt = select(DescriptionEntity).where(
        DescriptionEntity.project == project, DescriptionEntity.domain == domain, DescriptionEntity.name == name
    )
    if resource_type is not None:
        stmt = stmt.where(DescriptionEntity.resource_type == resource_type)
    return fetch_page(
        session,
        stmt,
        scopes.description_entities(prefix),
        request,
        keys=[DescriptionEntity.id],
        what="ListDescriptionEntities",
    )


def save(session: Session, values: Mapping[str, Any]) -> None:
    """Stores a description (every column, IDENTITY included): an identical one stays as it is, a different
    one replaces the row in place."""
    key = {column: values[column] for column in IDENTITY}
    rest = {column: value for column, value in values.items() if column not in IDENTITY}
    row, created = insert_or_lock(session, DescriptionEntity, key, rest)
    if created:
        return
    for column, value in rest.items():
        if getattr(row, column) != value:
            setattr(row, column, value)
