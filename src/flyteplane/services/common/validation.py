"""Request checks shared by the services, with flyteadmin's messages."""

from __future__ import annotations

from collections.abc import Sequence

from flyteidl.core import identifier_pb2
from google.protobuf.message import Message
from sqlalchemy.orm import Session

from flyteplane.errors import InvalidArgument
from flyteplane.store.repositories import projects

ResourceType = identifier_pb2.ResourceType
PROJECT_ACTIVE = 0

_RESOURCE_NAMES = {
    identifier_pb2.UNSPECIFIED: "unspecified",
    identifier_pb2.TASK: "task",
    identifier_pb2.WORKFLOW: "workflow",
    identifier_pb2.LAUNCH_PLAN: "launch_plan",
    identifier_pb2.DATASET: "dataset",
}


def id_text(identifier: object) -> str:
    """Go-like text form of an identifier for messages: `project:"p" domain:"d" name:"n" version:"v"`."""
    parts = []
    for field in ("resource_type", "project", "domain", "name", "version"):
        value = getattr(identifier, field, None)
        if field == "resource_type":
            if value:  # a number no ResourceType names (5, 99) prints as the number, as Go's text format does
                name = ResourceType.Name(value) if value in ResourceType.values() else str(value)
                parts.append(f"resource_type:{name}")
        elif value:
            parts.append(f'{field}:"{value}"')
    return " ".join(parts)


def require(value: object, message: str) -> None:
    if not value:
        raise InvalidArgument(message)


def validate_identifier(identifier: identifier_pb2.Identifier, expected: int, *, present: bool = True) -> None:
    """flyteadmin's identifier checks: resource type first, then the four parts in order."""
    if present is False:
        raise InvalidArgument("missing id")
    if identifier.resource_type != expected:
        raise InvalidArgument(
            f"unexpected resource type {_RESOURCE_NAMES.get(identifier.resource_type, 'unknown')} for identifier "
            f"[{id_text(identifier)}], expected {_RESOURCE_NAMES[expected]} instead"
        )
    validate_named_parts(identifier)
    require(identifier.version, "missing version")


def validate_named_parts(identifier: object) -> None:
    require(getattr(identifier, "project", ""), "missing project")
    require(getattr(identifier, "domain", ""), "missing domain")
    require(getattr(identifier, "name", ""), "missing name")


def validate_project_domain(session: Session, project: str, domain: str, domains: Sequence[str]) -> None:
    """The project must be registered and active, and the domain one of the configured ones."""
    state = projects.state_of(session, project)
    if state is None:
        raise InvalidArgument(
            f"failed to validate that project [{project}] and domain [{domain}] are registered, "
            f"err: [project [{project}] not found]"
        )
    if state != PROJECT_ACTIVE:
        raise InvalidArgument(f"project [{project}] is not active")
    if domain not in domains:
        raise InvalidArgument(f"domain [{domain}] is unrecognized by system")


def validate_listing_scope(project: str, domain: str, limit: int) -> None:
    """What listings within a project and domain require, in flyteadmin's order."""
    require(project, "missing project")
    require(domain, "missing domain")
    validate_limit(limit)


def validate_limit(limit: int) -> int:
    if limit <= 0:
        raise InvalidArgument("invalid value for limit")
    return limit


def validate_spec_size(field: str, message: Message, limit: int) -> None:
    """A registered spec (or an execution's spec or inputs) is read back by every Get and List of it: one that a
    client cannot receive, or that would fill a page on its own, is refused up front, naming the setting."""
    size = message.ByteSize()
    if size > limit:
        raise InvalidArgument(f"{field} is {size} bytes, more than the {limit} bytes allowed (setting max_spec_bytes)")
