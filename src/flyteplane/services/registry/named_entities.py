"""Named entities (flyteadmin §2.5): the version-less names of tasks, workflows and launch plans.

No row is written at registration: a named entity exists while some version with its project, domain and name
exists. Only the optional metadata (description, state) has its own table; a name without it is ACTIVE.
"""

from __future__ import annotations

from typing import Any

from flyteidl.admin import common_pb2
from flyteidl.core import identifier_pb2
from sqlalchemy.orm import Session

from flyteplane.config import Settings
from flyteplane.errors import InvalidArgument, NotFound
from flyteplane.services.common.listing import page_request
from flyteplane.services.common.validation import validate_limit
from flyteplane.store.db import Database
from flyteplane.store.repositories import named_entities
from flyteplane.store.repositories.named_entities import NamedEntityRow

NAMED_ENTITY_ACTIVE = common_pb2.NAMED_ENTITY_ACTIVE


def _resource_type(value: int) -> int:
    if value == identifier_pb2.UNSPECIFIED or value not in identifier_pb2.ResourceType.values():
        raise InvalidArgument("invalid value for resource_type")
    return value


def _check_kind(resource_type: int, action: str) -> None:
    """Only tasks, workflows and launch plans have names to list or describe."""
    if resource_type not in named_entities.KINDS:
        name = identifier_pb2.ResourceType.Name(resource_type)
        raise InvalidArgument(f"Cannot {action} for resource type: {name}")


def _validate_id(req: Any) -> None:
    if not req.HasField("id"):
        raise InvalidArgument("missing id")
    for part in ("project", "domain", "name"):
        if not getattr(req.id, part):
            raise InvalidArgument(f"missing {part}")


def _to_proto(resource_type: int, project: str, domain: str, row: NamedEntityRow) -> common_pb2.NamedEntity:
    name, description, state = row
    return common_pb2.NamedEntity(
        resource_type=resource_type,
        id=common_pb2.NamedEntityIdentifier(project=project, domain=domain, name=name),
        metadata=common_pb2.NamedEntityMetadata(description=description, state=state),
    )


def _find(session: Session, resource_type: int, ident: common_pb2.NamedEntityIdentifier) -> common_pb2.NamedEntity:
    _check_kind(resource_type, "get NamedEntityMetadata")
    row = named_entities.find(session, resource_type, ident.project, ident.domain, ident.name)
    if row is None:
        raise NotFound("entry not found")
    return _to_proto(resource_type, ident.project, ident.domain, row)


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
        _check_kind(resource_type, "list entity names")
        with self.db.read() as session:
            page = named_entities.list_page(session, resource_type, req.project, req.domain, page_request(req))
        entities = [_to_proto(resource_type, req.project, req.domain, row) for row in page.items]
        return common_pb2.NamedEntityList(entities=entities, token=page.token)

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
        if state != NAMED_ENTITY_ACTIVE and resource_type not in named_entities.KINDS:
            name = identifier_pb2.ResourceType.Name(resource_type)
            raise InvalidArgument(f"Resource [{name}] cannot have its state updated")
        with self.db.transaction() as session:
            _find(session, resource_type, req.id)
            named_entities.save_metadata(
                session, resource_type, req.id.project, req.id.domain, req.id.name, req.metadata.description, state
            )
        return common_pb2.NamedEntityUpdateResponse()
