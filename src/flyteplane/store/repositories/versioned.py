"""Tasks, workflows and launch plans: versioned rows keyed by (project, domain, name, version).

One `VersionedTable` serves each of the three for lookups, listings of versions and of names, and inserts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeAlias, TypeVar

from sqlalchemy import LargeBinary, Text, select, tuple_
from sqlalchemy.orm import Session, defer

from flyteplane.store import scopes
from flyteplane.store.listing import Listing, PageRequest, fetch_page
from flyteplane.store.models import LaunchPlan, Task, Workflow
from flyteplane.store.pagination import Page
from flyteplane.store.repositories.common import save

__all__ = [
    "LAUNCH_PLANS",
    "TASKS",
    "WORKFLOWS",
    "Identity",
    "LaunchPlanRow",
    "TaskRow",
    "VersionedRow",
    "VersionedTable",
    "WorkflowRow",
]

TaskRow: TypeAlias = Task
WorkflowRow: TypeAlias = Workflow
LaunchPlanRow: TypeAlias = LaunchPlan
VersionedRow: TypeAlias = Task | Workflow | LaunchPlan
Identity: TypeAlias = tuple[str, str, str, str]
"""(project, domain, name, version)"""

Row = TypeVar("Row", Task, Workflow, LaunchPlan)


@dataclass(frozen=True)
class VersionedTable(Generic[Row]):
    """How one kind of versioned entity is queried; `listed_without` are columns its listings leave unloaded."""

    model: type[Row]
    listing: Listing
    listed_without: tuple[str, ...] = ()

    def find(self, session: Session, project: str, domain: str, name: str, version: str) -> Row | None:
        model = self.model
        return session.scalar(
            select(model).where(
                model.project == project, model.domain == domain, model.name == name, model.version == version
            )
        )

    def find_all(self, session: Session, identities: Iterable[Identity]) -> dict[Identity, Row]:
        """The rows of these identities that exist, in one query."""
        model = self.model
        wanted = sorted(set(identities))
        if not wanted:
            return {}
        rows = session.scalars(
            select(model).where(tuple_(model.project, model.domain, model.name, model.version).in_(wanted))
        ).all()
        return {(row.project, row.domain, row.name, row.version): row for row in rows}

    def by_id(self, session: Session, row_id: int) -> Row | None:
        return session.get(self.model, row_id)

    def insert(self, session: Session, values: Mapping[str, Any]) -> Row:
        """A new version; a taken identity fails the transaction with a Conflict."""
        row = self.model(**values)
        save(session, row)
        return row

    def list_page(
        self, session: Session, project: str, domain: str, name: str, request: PageRequest, *, what: str
    ) -> Page[Row]:
        """The versions in a project and domain (of one name, when given), filtered and sorted as requested."""
        model = self.model
        stmt = select(model).where(model.project == project, model.domain == domain)
        large = None
        if self.listed_without:
            stmt = stmt.options(*[defer(getattr(model, column)) for column in self.listed_without])
            large = [
                column
                for column in model.__table__.columns
                if isinstance(column.type, LargeBinary | Text) and column.name not in self.listed_without
            ]
        if name:
            stmt = stmt.where(model.name == name)
        return fetch_page(session, stmt, self.listing, request, keys=[model.id], what=what, large_columns=large)

    def list_names(
        self, session: Session, project: str, domain: str, limit: int, token: str, *, what: str
    ) -> Page[Any]:
        """Distinct (project, domain, name) rows in a project and domain, in name order."""
        model = self.model
        stmt = (
            select(model.project, model.domain, model.name)
            .where(model.project == project, model.domain == domain)
            .group_by(model.project, model.domain, model.name)
        )
        page = PageRequest(limit=limit, token=token)  # filters and sort are not offered here, as in flyteadmin
        return fetch_page(session, stmt, self.listing, page, keys=[model.name], what=what, distinct=True)


TASKS = VersionedTable(Task, scopes.TASKS)
WORKFLOWS = VersionedTable(Workflow, scopes.WORKFLOWS, listed_without=("closure",))
LAUNCH_PLANS = VersionedTable(LaunchPlan, scopes.LAUNCH_PLANS)
