"""Identifiers of versioned entities, built from anything that has their four parts (a row, another id)."""

from __future__ import annotations

from typing import Any

from flyteidl.core import identifier_pb2

__all__ = ["identifier_of"]


def identifier_of(resource_type: int, parts: Any) -> identifier_pb2.Identifier:
    """The identifier of a task, workflow or launch plan with the project, domain, name and version of `parts`."""
    return identifier_pb2.Identifier(
        resource_type=resource_type,  # type: ignore[arg-type]
        project=parts.project,
        domain=parts.domain,
        name=parts.name,
        version=parts.version,
    )
