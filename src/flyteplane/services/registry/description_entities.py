"""Description entities (flyteadmin §2.2 step 8, §4.4): the long descriptions and source links of versions.

A row is written beside a task or workflow version when its spec carries a description, in the same
transaction as the version itself; the two RPCs here only read them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flyteidl.admin import common_pb2, description_entity_pb2
from flyteidl.core import identifier_pb2
from sqlalchemy.orm import Session

from flyteplane.config import Settings
from flyteplane.errors import InvalidArgument, NotFound
from flyteplane.services.common.identifiers import identifier_of
from flyteplane.services.common.listing import page_request
from flyteplane.services.common.validation import validate_limit
from flyteplane.store.db import Database
from flyteplane.store.repositories import description_entities
from flyteplane.store.repositories.description_entities import DescriptionEntityRow

# flyteadmin parses list filters as fields of the described entity (`t.name`, `w.link`) on this table.
_ENTITY_OF_TYPE = {
    identifier_pb2.UNSPECIFIED: "task",
    identifier_pb2.TASK: "task",
    identifier_pb2.WORKFLOW: "workflow",
    identifier_pb2.LAUNCH_PLAN: "launch_plan",
}
_TABLE_KINDS = frozenset({identifier_pb2.TASK, identifier_pb2.WORKFLOW, identifier_pb2.LAUNCH_PLAN})


def _fields(identifier: identifier_pb2.Identifier, description: Any) -> dict[str, Any]:
    """The row's values; the message's `tags` have no column, and flyteadmin drops them too."""
    return {
        "resource_type": identifier.resource_type,
        "project": identifier.project,
        "domain": identifier.domain,
        "name": identifier.name,
        "version": identifier.version,
        "short_description": description.short_description,
        "long_description": (
            description.long_description.SerializeToString(deterministic=True)
            if description.HasField("long_description")
            else b""
        ),
        "link": description.source_code.link,
        "source_code": (
            description.source_code.SerializeToString(deterministic=True)
            if description.HasField("source_code")
            else b""
        ),
    }


def _to_proto(row: DescriptionEntityRow) -> description_entity_pb2.DescriptionEntity:
    """Long description and source code are always present in responses, possibly empty, as in flyteadmin."""
    entity = description_entity_pb2.DescriptionEntity(
        id=identifier_of(row.resource_type, row),
        short_description=row.short_description,
    )
    entity.long_description.SetInParent()
    entity.long_description.ParseFromString(row.long_description)
    entity.source_code.ParseFromString(row.source_code)
    entity.source_code.link = row.link
    return entity


class DescriptionEntityService:
    """GetDescriptionEntity and ListDescriptionEntities, and the write used at task/workflow registration."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings

    def get_description_entity(self, req: common_pb2.ObjectGetRequest) -> description_entity_pb2.DescriptionEntity:
        """The resource type is checked first, so a request without an id reports it (flyteadmin's order)."""
        ident = req.id
        kind = ident.resource_type
        if kind == identifier_pb2.UNSPECIFIED or kind not in identifier_pb2.ResourceType.values():
            raise InvalidArgument("invalid value for resource_type")
        for part in ("project", "domain", "name", "version"):
            if not getattr(ident, part):
                raise InvalidArgument(f"missing {part}")
        with self.db.read() as session:
            row = description_entities.find(
                session, ident.resource_type, ident.project, ident.domain, ident.name, ident.version
            )
        if row is None:
            raise NotFound("entry not found")
        return _to_proto(row)

    def list_description_entities(
        self, req: description_entity_pb2.DescriptionEntityListRequest
    ) -> description_entity_pb2.DescriptionEntityList:
        """The versions' descriptions of one name; project, domain and name are all required.

        Unlike flyteadmin, which ignores `resource_type` here and mixes task and workflow descriptions of the
        same name, a set resource type selects that kind only; UNSPECIFIED lists every kind.
        """
        if not req.HasField("id"):
            raise InvalidArgument("missing id")
        for part in ("project", "domain", "name"):
            if not getattr(req.id, part):
                raise InvalidArgument(f"missing {part}")
        validate_limit(req.limit)
        entity_name = _ENTITY_OF_TYPE.get(req.resource_type)
        if entity_name is None:
            raise InvalidArgument("invalid value for resource_type")
        kind = None if req.resource_type == identifier_pb2.UNSPECIFIED else req.resource_type
        with self.db.read() as session:
            page = description_entities.list_page(
                session, entity_name, kind, req.id.project, req.id.domain, req.id.name, page_request(req)
            )
            items = [_to_proto(row) for row in page.items]
        return description_entity_pb2.DescriptionEntityList(descriptionEntities=items, token=page.token)

    def recorder(self, identifier: identifier_pb2.Identifier, spec: Any) -> Callable[[Session], None]:
        """What a task or workflow registration runs in its transaction: record the spec's description, if any."""

        def record(session: Session) -> None:
            if spec.HasField("description"):
                self.create_in_session(session, identifier, spec.description)

        return record

    @staticmethod
    def create_in_session(
        session: Session,
        identifier: identifier_pb2.Identifier,
        description: description_entity_pb2.DescriptionEntity,
    ) -> None:
        """Record a version's description inside the caller's registration transaction.

        Re-recording an identical description is a no-op. A different one replaces the stored row: the caller
        only gets here for a version it is creating, so any row left under that identity is stale.
        """
        if identifier.resource_type not in _TABLE_KINDS:
            raise InvalidArgument("invalid value for resource_type")
        description_entities.save(session, _fields(identifier, description))
