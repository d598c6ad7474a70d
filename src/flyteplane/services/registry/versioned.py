"""What tasks, workflows and launch plans share: versioned rows keyed by (project, domain, name, version).

One piece serves all three for lookup, listing, id listing and the create-or-compare rule of re-registration.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flyteidl.admin import common_pb2
from flyteidl.core import identifier_pb2
from google.protobuf.message import Message
from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from flyteplane.errors import AlreadyExists, InvalidArgument, NotFound
from flyteplane.services.common.validation import id_text, validate_limit
from flyteplane.services.registry import digests
from flyteplane.store.db import Database
from flyteplane.store.filters import (
    FilterableEntity,
    FilterScope,
    build_conditions,
    parse_filters,
    parse_sort,
)
from flyteplane.store.models import LaunchPlan, Task, Workflow
from flyteplane.store.pagination import Page, paginate, paginate_distinct

Row = TypeVar("Row", Task, Workflow, LaunchPlan)
VersionedRow = Task | Workflow | LaunchPlan


def base_columns(model: type[VersionedRow]) -> dict[str, Any]:
    return {
        "id": model.id,
        "created_at": model.created_at,
        "updated_at": model.updated_at,
        "project": model.project,
        "domain": model.domain,
        "name": model.name,
        "version": model.version,
        "digest": model.digest,
    }


@dataclass(frozen=True)
class VersionedTable:
    """How one kind of versioned entity is stored, named in messages and filtered."""

    model: type[VersionedRow]
    resource_type: int
    kind: str  # for messages: "task", "workflow", "launch plan"
    entity: FilterableEntity
    scope: FilterScope
    list_rpc: str
    # extra prefixes allowed in filters -> how to join their table onto a select of this one
    joins: Mapping[str, Callable[[Select[Any]], Select[Any]]] = field(default_factory=dict)

    @property
    def type_name(self) -> str:
        return str(identifier_pb2.ResourceType.Name(self.resource_type))

    def where_identity(self, identifier: Any) -> Select[Any]:
        model = self.model
        return select(model).where(
            model.project == identifier.project,
            model.domain == identifier.domain,
            model.name == identifier.name,
            model.version == identifier.version,
        )

    def find(self, session: Session, identifier: Any) -> Any:
        return session.scalar(self.where_identity(identifier))

    def get(self, session: Session, identifier: Any) -> Any:
        row = self.find(session, identifier)
        if row is None:
            raise NotFound(f"missing entity of type {self.type_name} with identifier [{id_text(identifier)}]")
        return row

    def identifier(self, row: VersionedRow) -> identifier_pb2.Identifier:
        return identifier_pb2.Identifier(
            resource_type=self.resource_type,  # type: ignore[arg-type]
            project=row.project,
            domain=row.domain,
            name=row.name,
            version=row.version,
        )

    def list(self, session: Session, req: common_pb2.ResourceListRequest, options: Sequence[Any] = ()) -> Page[Any]:
        """ListTasks / ListWorkflows / ListLaunchPlans: project and domain required, name optional."""
        if not req.id.project:
            raise InvalidArgument("missing project")
        if not req.id.domain:
            raise InvalidArgument("missing domain")
        validate_limit(req.limit)
        model = self.model
        stmt = select(model).where(model.project == req.id.project, model.domain == req.id.domain)
        if options:
            stmt = stmt.options(*options)
        if req.id.name:
            stmt = stmt.where(model.name == req.id.name)
        if req.filters:
            conditions, used = build_conditions(parse_filters(req.filters), self.scope)
            for prefix in sorted(used):
                stmt = self.joins[prefix](stmt)
            stmt = stmt.where(*conditions)
        order = parse_sort(req.sort_by if req.HasField("sort_by") else None, self.entity)
        return paginate(
            session,
            stmt,
            order=order,
            id_column=model.id,
            limit=req.limit,
            token=req.token,
            what=self.list_rpc,
        )

    def list_ids(
        self, session: Session, req: common_pb2.NamedEntityIdentifierListRequest
    ) -> common_pb2.NamedEntityIdentifierList:
        """Distinct names in a project and domain (the request's filters are ignored, as in flyteadmin)."""
        if not req.project:
            raise InvalidArgument("missing project")
        if not req.domain:
            raise InvalidArgument("missing domain")
        validate_limit(req.limit)
        model = self.model
        stmt = (
            select(model.project, model.domain, model.name)
            .where(model.project == req.project, model.domain == req.domain)
            .group_by(model.project, model.domain, model.name)
        )
        page = paginate_distinct(
            session,
            stmt,
            key_columns=[model.name],
            order=None,
            limit=req.limit,
            token=req.token,
            what=self.list_rpc[:-1] + "Ids",
        )
        return common_pb2.NamedEntityIdentifierList(
            entities=[
                common_pb2.NamedEntityIdentifier(project=row.project, domain=row.domain, name=row.name)
                for row in page.items
            ],
            token=page.token,
        )

    def insert_or_compare(
        self,
        db: Database,
        row: VersionedRow,
        described: Message,
        existing_description: Callable[[VersionedRow], Message],
        after_insert: Callable[[Session, VersionedRow], None] | None = None,
    ) -> None:
        """Inserts a new version; if the id is taken, ALREADY_EXISTS when identical, INVALID_ARGUMENT with a diff
        when not. `described` is what the digest covers; `existing_description` rebuilds it from a stored row."""
        try:
            with db.transaction() as session:
                session.add(row)
                session.flush()
                if after_insert is not None:
                    after_insert(session, row)
            return
        except IntegrityError:
            pass
        with db.read() as session:
            existing = self.find(session, row)
            if existing is None:  # lost a race with a delete that cannot happen; report it plainly
                raise InvalidArgument(f"could not register {self.kind} [{id_text(self.identifier(row))}]")
            if existing.digest == row.digest:
                raise AlreadyExists(f"{self.kind} with identical structure already exists")
            raise InvalidArgument(
                f"{row.name} {self.kind} with different structure already exists. "
                f"(Please register a new version of the {self.kind}):\n"
                + digests.diff(existing_description(existing), described)
            )
