"""What tasks, workflows and launch plans share: versioned entities keyed by (project, domain, name, version).

One piece serves all three for lookup, listing, id listing and the create-or-compare rule of re-registration;
their queries are the store's `VersionedTable`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flyteidl.admin import common_pb2
from flyteidl.core import identifier_pb2
from google.protobuf.message import Message
from sqlalchemy.orm import Session

from flyteplane.errors import AlreadyExists, InvalidArgument, NotFound
from flyteplane.services.common.identifiers import identifier_of
from flyteplane.services.common.listing import page_request
from flyteplane.services.common.validation import id_text, validate_listing_scope
from flyteplane.services.registry import digests
from flyteplane.store.db import Conflict, Database
from flyteplane.store.pagination import Page
from flyteplane.store.repositories.versioned import (
    LaunchPlanRow,
    TaskRow,
    VersionedRow,
    VersionedTable,
    WorkflowRow,
)

Row = TypeVar("Row", TaskRow, WorkflowRow, LaunchPlanRow)


@dataclass(frozen=True)
class VersionedKind(Generic[Row]):
    """One kind of versioned entity: its resource type, its name in messages, its List RPC and its table."""

    table: VersionedTable[Row]
    resource_type: int
    kind: str  # for messages: "task", "workflow", "launch plan"
    list_rpc: str

    @property
    def type_name(self) -> str:
        return str(identifier_pb2.ResourceType.Name(self.resource_type))

    def find(self, session: Session, identifier: Any) -> Row | None:
        """The version an identifier (or anything with project, domain, name and version) names, if any."""
        return self.table.find(session, identifier.project, identifier.domain, identifier.name, identifier.version)

    def get(self, session: Session, identifier: Any) -> Row:
        row = self.find(session, identifier)
        if row is None:
            raise NotFound(f"missing entity of type {self.type_name} with identifier [{id_text(identifier)}]")
        return row

    def identifier(self, row: VersionedRow | identifier_pb2.Identifier) -> identifier_pb2.Identifier:
        """The identifier of this kind with the parts of a row (or of another identifier)."""
        return identifier_of(self.resource_type, row)

    def list(self, session: Session, req: common_pb2.ResourceListRequest) -> Page[Row]:
        """ListTasks / ListWorkflows / ListLaunchPlans: project and domain required, name optional."""
        validate_listing_scope(req.id.project, req.id.domain, req.limit)
        return self.table.list_page(
            session, req.id.project, req.id.domain, req.id.name, page_request(req), what=self.list_rpc
        )

    def list_protos(
        self, db: Database, req: common_pb2.ResourceListRequest, to_proto: Callable[[Row], Message]
    ) -> tuple[Sequence[Any], str]:
        """One page of a List RPC as messages, and the token of the next page."""
        with db.read() as session:
            page = self.list(session, req)
            return [to_proto(row) for row in page.items], page.token

    def list_ids(
        self, db: Database, req: common_pb2.NamedEntityIdentifierListRequest
    ) -> common_pb2.NamedEntityIdentifierList:
        """Distinct names in a project and domain (the request's filters are ignored, as in flyteadmin)."""
        validate_listing_scope(req.project, req.domain, req.limit)
        with db.read() as session:
            page = self.table.list_names(
                session, req.project, req.domain, req.limit, req.token, what=self.list_rpc[:-1] + "Ids"
            )
        return common_pb2.NamedEntityIdentifierList(
            entities=[
                common_pb2.NamedEntityIdentifier(project=row.project, domain=row.domain, name=row.name)
                for row in page.items
            ],
            token=page.token,
        )

    def insert(self, session: Session, identifier: Any, values: Mapping[str, Any]) -> Row:
        """A new version named by `identifier`, with the other columns in `values`."""
        identity = {part: getattr(identifier, part) for part in ("project", "domain", "name", "version")}
        return self.table.insert(session, {**identity, **values})

    def insert_or_compare(
        self,
        db: Database,
        identifier: identifier_pb2.Identifier,
        values: Mapping[str, Any],
        described: Message,
        existing_description: Callable[[Row], Message],
        after_insert: Callable[[Session], None] | None = None,
    ) -> None:
        """Inserts a new version (`values` are its other columns, `digest` among them); if the id is taken,
        ALREADY_EXISTS when identical, INVALID_ARGUMENT with a diff when not. `described` is what the digest
        covers; `existing_description` rebuilds it from a stored row."""
        try:
            with db.transaction() as session:
                self.insert(session, identifier, values)
                if after_insert is not None:
                    after_insert(session)
            return
        except Conflict:
            pass
        with db.read() as session:
            existing = self.find(session, identifier)
            if existing is None:  # lost a race with a delete that cannot happen; report it plainly
                raise InvalidArgument(f"could not register {self.kind} [{id_text(self.identifier(identifier))}]")
            if existing.digest == values["digest"]:
                raise AlreadyExists(f"{self.kind} with identical structure already exists")
            raise InvalidArgument(
                f"{identifier.name} {self.kind} with different structure already exists. "
                f"(Please register a new version of the {self.kind}):\n"
                + digests.diff(existing_description(existing), described)
            )
