"""Named entities: the name shared by every version of a task, workflow or launch plan, with its metadata."""

from __future__ import annotations

from typing import Any

from flyteidl.admin import common_pb2

from flyteplane.client.calls import Call, Page, Pages, discard, operation, paged
from flyteplane.client.filters import FiltersLike, SortLike
from flyteplane.client.idl import IdlLike, enum_number, to_idl
from flyteplane.client.operations.listing import page_reader, page_request
from flyteplane.client.rpcs import ADMIN

__all__ = ["NamedEntityOperations"]


class NamedEntityOperations:
    @operation
    def update_named_entity(self, resource_type: int, id: IdlLike, metadata: IdlLike) -> Call[None]:
        """Sets the description and state (active or archived) of a name, across all its versions."""
        request = common_pb2.NamedEntityUpdateRequest(
            resource_type=enum_number(resource_type),
            id=to_idl(id, common_pb2.NamedEntityIdentifier, "id"),
            metadata=to_idl(metadata, common_pb2.NamedEntityMetadata, "metadata"),
        )
        return Call(ADMIN["UpdateNamedEntity"], request, discard)

    @operation
    def get_named_entity(self, resource_type: int, id: IdlLike) -> Call[Any]:
        """A NamedEntity: the name and its metadata."""
        request = common_pb2.NamedEntityGetRequest(
            resource_type=enum_number(resource_type), id=to_idl(id, common_pb2.NamedEntityIdentifier, "id")
        )
        return Call(ADMIN["GetNamedEntity"], request)

    @operation
    def list_named_entities_paginated(
        self,
        resource_type: int,
        project: str,
        domain: str,
        limit: int = 100,
        token: str | None = None,
        filters: FiltersLike = None,
        sort_by: SortLike = None,
    ) -> Call[Page[Any]]:
        """One page of the names of one resource type in a project and domain, with their metadata."""
        request = page_request(
            common_pb2.NamedEntityListRequest,
            limit,
            token,
            filters,
            sort_by,
            resource_type=enum_number(resource_type),
            project=project,
            domain=domain,
        )
        return Call(ADMIN["ListNamedEntities"], request, page_reader("entities"))

    @paged
    def iter_named_entities(
        self,
        resource_type: int,
        project: str,
        domain: str,
        filters: FiltersLike = None,
        sort_by: SortLike = None,
        page_size: int = 100,
    ) -> Pages[Any]:
        return Pages(
            lambda token: self.list_named_entities_paginated.call(
                resource_type, project, domain, page_size, token, filters, sort_by
            )
        )
