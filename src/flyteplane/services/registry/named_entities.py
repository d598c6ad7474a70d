"""Named entities (flyteadmin §2.5): the version-less names of tasks, workflows and launch plans.

No row is written at registration: a named entity exists while some version with its project, domain and name
exists. Only the optional metadata (description, state) has its own table; a name without it is ACTIVE.
"""

from __future__ import annotations

from typing import Any, cast

from flyteidl.admin import common_pb2
from flyteidl.core import identifier_pb2
from sqlalchemy import ColumnElement, Integer, Select, and_, func, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from flyteplane.config import Settings
from flyteplane.errors import InvalidArgument, NotFound
from flyteplane.services.common.validation import validate_limit
from flyteplane.store.db import Database
from flyteplane.store.filters import (
    FilterableEntity,
    FilterScope,
    build_conditions,
    parse_filters,
    parse_sort,
)
from flyteplane.store.models import LaunchPlan, NamedEntityMetadata, Task, Workflow
from flyteplane.store.pagination import paginate_distinct

NAMED_ENTITY_ACTIVE = common_pb2.NAMED_ENTITY_ACTIVE
SYSTEM_GENERATED_PATTERN = ".flytegen%"  # single-task executions register hidden `.flytegen.<task>` workflows

_TABLES: dict[int, type[Task] | type[Workflow] | type[LaunchPlan]] = {
    identifier_pb2.TASK: Task,
    identifier_pb2.WORKFLOW: Workflow,
    identifier_pb2.LAUNCH_PLAN: LaunchPlan,
}


def _resource_type(value: int) -> int:
    if value == identifier_pb2.UNSPECIFIED or value not in identifier_pb2.ResourceType.values():
        raise InvalidArgument("invalid value for resource_type")
    return value


def _table(resource_type: int, action: str) -> type[Task] | type[Workflow] | type[LaunchPlan]:
    table = _TABLES.get(resource_type)
    if table is None:
        name = identifier_pb2.ResourceType.Name(resource_type)
        raise InvalidArgument(f"Cannot {action} for resource type: {name}")
    return table


def _validate_id(req: Any) -> None:
    if not req.HasField("id"):
        raise InvalidArgument("missing id")
    for part in ("project", "domain", "name"):
        if not getattr(req.id, part):
            raise InvalidArgument(f"missing {part}")


class _Listing:
    """The SQL of a named-entity query: one kind's versions in a project and domain, grouped by name and
    outer-joined to their metadata.

    State and description are COALESCEd so that names without metadata filter and sort as ACTIVE with an
    empty description. Grouping by the name alone lets both databases walk the (project, domain, name) index
    in order and stop after one page; only a sort on metadata needs those columns grouped (and a full sort).
    """

    def __init__(self, resource_type: int, project: str, domain: str, action: str) -> None:
        self.resource_type = resource_type
        self.project = project
        self.domain = domain
        self.table = table = _table(resource_type, action)
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
        self.scope = FilterScope(default="entities", entities={"entities": entity, "named_entity_metadata": metadata})
        # Sort keys must be grouped expressions: project and domain are constants of the listing.
        self.sortable = FilterableEntity(
            code="nen",
            columns={
                "resource_type": kind,
                "project": literal(project),
                "domain": literal(domain),
                "name": table.name,
                "description": self.description,
                "state": self.state,
            },
        )

    def select(self, *, sorted_by_metadata: bool = False) -> Select[Any]:
        """(name, description, state) rows; typed as `Select[Any]`, the shape the pagination helpers take."""
        table, meta = self.table, NamedEntityMetadata
        grouping = [table.name, meta.description, meta.state] if sorted_by_metadata else [table.name]
        stmt = (
            select(table.name, func.max(self.description), func.max(self.state))
            .select_from(table)
            .outerjoin(meta, self.join_condition)
            .where(table.project == self.project, table.domain == self.domain)
            .group_by(*grouping)
        )
        return cast("Select[Any]", stmt)

    def to_proto(self, row: Any) -> common_pb2.NamedEntity:
        name, description, state = row
        return common_pb2.NamedEntity(
            resource_type=self.resource_type,
            id=common_pb2.NamedEntityIdentifier(project=self.project, domain=self.domain, name=name),
            metadata=common_pb2.NamedEntityMetadata(description=description, state=state),
        )


def _find(session: Session, resource_type: int, ident: common_pb2.NamedEntityIdentifier) -> common_pb2.NamedEntity:
    listing = _Listing(resource_type, ident.project, ident.domain, "get NamedEntityMetadata")
    row = session.execute(listing.select().where(listing.table.name == ident.name)).first()
    if row is None:
        raise NotFound("entry not found")
    return listing.to_proto(row)


class NamedEntityService:
    """ListNamedEntities, GetNamedEntity and UpdateNamedEntity."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings

    def list_named_entities(self, req: common_pb2.NamedEntityListRequest) -> common_pb2.NamedEntityList:
        """Distinct names of one kind with their metadata, one query per page.

        Without filters, names of system-generated entities (`.flytegen…`) are hidden, as in flyteadmin.
        """
        if not req.project:
            raise InvalidArgument("missing project")
        if not req.domain:
            raise InvalidArgument("missing domain")
        resource_type = _resource_type(req.resource_type)
        validate_limit(req.limit)
        listing = _Listing(resource_type, req.project, req.domain, "list entity names")
        if req.filters:
            conditions, _ = build_conditions(parse_filters(req.filters), listing.scope)
        else:
            conditions = [listing.table.name.not_like(SYSTEM_GENERATED_PATTERN)]
        order = parse_sort(req.sort_by if req.HasField("sort_by") else None, listing.sortable)
        by_metadata = order is not None and order.key in ("description", "state")
        stmt = listing.select(sorted_by_metadata=by_metadata).where(*conditions)
        with self.db.read() as session:
            page = paginate_distinct(
                session,
                stmt,
                key_columns=[listing.table.name],
                order=order,
                limit=req.limit,
                token=req.token,
                what="ListNamedEntities",
            )
        return common_pb2.NamedEntityList(entities=[listing.to_proto(row) for row in page.items], token=page.token)

    def get_named_entity(self, req: common_pb2.NamedEntityGetRequest) -> common_pb2.NamedEntity:
        resource_type = _resource_type(req.resource_type)
        _validate_id(req)
        with self.db.read() as session:
            return _find(session, resource_type, req.id)

    def update_named_entity(self, req: common_pb2.NamedEntityUpdateRequest) -> common_pb2.NamedEntityUpdateResponse:
        """Writes description and state together (an empty description clears it), as flyteadmin does."""
        resource_type = _resource_type(req.resource_type)
        _validate_id(req)
        if not req.HasField("metadata"):
            raise InvalidArgument("missing metadata")
        state = req.metadata.state
        if state not in common_pb2.NamedEntityState.values():
            raise InvalidArgument("invalid value for state")
        if state != NAMED_ENTITY_ACTIVE and resource_type not in _TABLES:
            name = identifier_pb2.ResourceType.Name(resource_type)
            raise InvalidArgument(f"Resource [{name}] cannot have its state updated")
        with self.db.transaction() as session:
            _find(session, resource_type, req.id)
            _upsert_metadata(session, resource_type, req.id, req.metadata.description, state)
        return common_pb2.NamedEntityUpdateResponse()


def _upsert_metadata(
    session: Session,
    resource_type: int,
    ident: common_pb2.NamedEntityIdentifier,
    description: str,
    state: int,
) -> None:
    """Insert or update the metadata row; a concurrent first update of the same name becomes an update."""
    key = (resource_type, ident.project, ident.domain, ident.name)
    row = session.get(NamedEntityMetadata, key, with_for_update=True)
    if row is None:
        try:
            with session.begin_nested():
                session.add(
                    NamedEntityMetadata(
                        resource_type=resource_type,
                        project=ident.project,
                        domain=ident.domain,
                        name=ident.name,
                        description=description,
                        state=state,
                    )
                )
            return
        except IntegrityError:
            row = session.get(NamedEntityMetadata, key, with_for_update=True, populate_existing=True)
            if row is None:
                raise
    row.description = description
    row.state = state
