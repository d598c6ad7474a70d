"""Named entities: the names of one kind's versions in a project and domain, with their optional metadata.

No row is written at registration: a named entity exists while some version with its project, domain and name
exists. Only the metadata (description, state) has its own table; a name without it reads as ACTIVE with an
empty description.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from flyteidl.admin import common_pb2
from flyteidl.core import identifier_pb2
from sqlalchemy import ColumnElement, Integer, Select, and_, func, literal, select
from sqlalchemy.orm import Session

from flyteplane.store.filters import Filter, FilterableEntity, FilterScope, SortOrder
from flyteplane.store.listing import Listing, PageRequest, fetch_page
from flyteplane.store.models import LaunchPlan, NamedEntityMetadata, Task, Workflow
from flyteplane.store.pagination import Page
from flyteplane.store.repositories.common import insert_or_lock

__all__ = ["KINDS", "NamedEntityRow", "find", "list_page", "save_metadata"]

NamedEntityRow = tuple[str, str, int]
"""(name, description, state)"""

KINDS: dict[int, type[Task] | type[Workflow] | type[LaunchPlan]] = {
    identifier_pb2.TASK: Task,
    identifier_pb2.WORKFLOW: Workflow,
    identifier_pb2.LAUNCH_PLAN: LaunchPlan,
}
"""The resource types that have named entities, and the table of their versions."""

NAMED_ENTITY_ACTIVE = common_pb2.NAMED_ENTITY_ACTIVE
SYSTEM_GENERATED_PATTERN = ".flytegen%"  # single-task executions register hidden `.flytegen.<task>` workflows


class _Query:
    """The SQL of a named-entity query: one kind's versions in a project and domain, grouped by name and
    outer-joined to their metadata.

    State and description are COALESCEd so that names without metadata filter and sort as ACTIVE with an
    empty description. Grouping by the name alone lets both databases walk the (project, domain, name) index
    in order and stop after one page; only a sort on metadata needs those columns grouped (and a full sort).
    """

    def __init__(self, resource_type: int, project: str, domain: str) -> None:
        self.project = project
        self.domain = domain
        self.table = table = KINDS[resource_type]
        meta = NamedEntityMetadata
        self.join_condition = and_(
            meta.resource_type == resource_type,
            meta.project == table.project,
            meta.domain == table.domain,
            meta.name == table.name,
        )
        self.state: ColumnElement[int] = func.coalesce(meta.state, NAMED_ENTITY_ACTIVE)
        self.description: ColumnElement[str] = func.coalesce(meta.description, "")
        kind = literal(resource_type, Integer)
        entity = FilterableEntity(
            code="nen",
            columns={
                "resource_type": kind,
                "project": table.project,
                "domain": table.domain,
                "name": table.name,
                "description": self.description,
                "state": self.state,
            },
        )
        metadata = FilterableEntity(
            code="nem",
            columns={
                "resource_type": meta.resource_type,
                "project": meta.project,
                "domain": meta.domain,
                "name": meta.name,
                "description": self.description,
                "state": self.state,
                "created_at": meta.created_at,
                "updated_at": meta.updated_at,
            },
        )
        self.listing = Listing(
            scope=FilterScope(default="entities", entities={"entities": entity, "named_entity_metadata": metadata}),
            joins={"named_entity_metadata": lambda stmt: stmt},  # always outer-joined
            hidden=self._unfiltered,
            # Sort keys must be grouped expressions: project and domain are constants of the listing.
            sortable=FilterableEntity(
                code="nen",
                columns={
                    "resource_type": kind,
                    "project": literal(project),
                    "domain": literal(domain),
                    "name": table.name,
                    "description": self.description,
                    "state": self.state,
                },
            ),
        )

    def _unfiltered(self, filters: Sequence[Filter]) -> list[ColumnElement[bool]]:
        """Without filters, names of system-generated entities (`.flytegen…`) are hidden, as in flyteadmin."""
        return [] if filters else [self.table.name.not_like(SYSTEM_GENERATED_PATTERN)]

    def select(self, order: SortOrder | None = None) -> Select[Any]:
        """(name, description, state) rows; typed as `Select[Any]`, the shape the pagination helpers take."""
        table, meta = self.table, NamedEntityMetadata
        by_metadata = order is not None and order.key in ("description", "state")
        grouping = [table.name, meta.description, meta.state] if by_metadata else [table.name]
        stmt = (
            select(table.name, func.max(self.description), func.max(self.state))
            .select_from(table)
            .outerjoin(meta, self.join_condition)
            .where(table.project == self.project, table.domain == self.domain)
            .group_by(*grouping)
        )
        return cast("Select[Any]", stmt)


def find(session: Session, resource_type: int, project: str, domain: str, name: str) -> NamedEntityRow | None:
    """The named entity of a kind (one of KINDS), or None while no version has that name."""
    query = _Query(resource_type, project, domain)
    row = session.execute(query.select().where(query.table.name == name)).first()
    return None if row is None else (row[0], row[1], row[2])


def list_page(
    session: Session, resource_type: int, project: str, domain: str, request: PageRequest
) -> Page[NamedEntityRow]:
    """ListNamedEntities: the distinct names of a kind (one of KINDS), one query per page."""
    query = _Query(resource_type, project, domain)
    return fetch_page(
        session, query.select, query.listing, request, keys=[query.table.name], what="ListNamedEntities", distinct=True
    )


def save_metadata(
    session: Session, resource_type: int, project: str, domain: str, name: str, description: str, state: int
) -> None:
    """Insert or update the metadata row; a concurrent first update of the same name becomes an update."""
    key = {"resource_type": resource_type, "project": project, "domain": domain, "name": name}
    row, created = insert_or_lock(session, NamedEntityMetadata, key, {"description": description, "state": state})
    if not created:
        row.description = description
        row.state = state
