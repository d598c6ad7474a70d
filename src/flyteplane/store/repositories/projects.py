"""Projects: rows keyed by their identifier."""

from __future__ import annotations

from typing import TypeAlias

from sqlalchemy import select
from sqlalchemy.orm import Session

from flyteplane.store import scopes
from flyteplane.store.listing import PageRequest, fetch_page
from flyteplane.store.models import Project
from flyteplane.store.pagination import Page
from flyteplane.store.repositories.common import save

__all__ = ["ProjectRow", "find", "insert", "labels_of", "list_page", "state_of"]

ProjectRow: TypeAlias = Project


def find(session: Session, identifier: str) -> ProjectRow | None:
    return session.scalar(select(Project).where(Project.identifier == identifier))


def state_of(session: Session, identifier: str) -> int | None:
    """The project's state, or None when no such project is registered."""
    return session.scalar(select(Project.state).where(Project.identifier == identifier))


def labels_of(session: Session, identifier: str) -> bytes | None:
    """The project's serialized admin Labels (empty when it has none), or None when there is no such project."""
    return session.scalar(select(Project.labels).where(Project.identifier == identifier))


def insert(
    session: Session, identifier: str, name: str, description: str = "", labels: bytes = b"", state: int = 0
) -> ProjectRow:
    """A new project; a taken identifier fails the transaction with a Conflict."""
    row = Project(identifier=identifier, name=name, description=description, labels=labels, state=state)
    save(session, row)
    return row


def list_page(session: Session, request: PageRequest) -> Page[ProjectRow]:
    """ListProjects: by identifier unless sorted otherwise; archived projects only when filters are given."""
    return fetch_page(session, select(Project), scopes.PROJECTS, request, keys=[Project.id], what="ListProjects")
