"""Identifier keys: the compiler matches references by the whole identifier, resource type included."""

from __future__ import annotations

from flyteidl.core import identifier_pb2

from flyteplane.compiler.prototext import go_text

__all__ = ["IdKey", "id_key", "id_text"]

IdKey = tuple[int, str, str, str, str, str]


def id_key(identifier: identifier_pb2.Identifier) -> IdKey:
    """Equal exactly when flytepropeller's `id.String()` keys are equal (every field counts)."""
    return (
        identifier.resource_type,
        identifier.project,
        identifier.domain,
        identifier.name,
        identifier.version,
        identifier.org,
    )


def id_text(identifier: identifier_pb2.Identifier) -> str:
    """The identifier as flytepropeller prints it in compile errors."""
    return go_text(identifier)
