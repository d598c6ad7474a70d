"""What every listing shares: building the page request and reading a page back as `(items, next_token)`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flyteidl.admin import common_pb2

from flyteplane.client.calls import Page
from flyteplane.client.filters import FiltersLike, SortLike, render_filters, to_sort
from flyteplane.client.idl import IdlLike, to_idl

__all__ = [
    "named_entity_identifier",
    "named_entity_ids_request",
    "page_reader",
    "page_request",
    "resource_list_request",
]

M = TypeVar("M")


def named_entity_identifier(project: str, domain: str, name: str = "") -> Any:
    return common_pb2.NamedEntityIdentifier(project=project, domain=domain, name=name)


def page_request(
    request_type: Callable[..., M], limit: int, token: str | None, filters: FiltersLike, sort_by: SortLike, **scope: Any
) -> M:
    """A list request: the page (`limit` items from `token`), `filters`, `sort_by`, and the fields of its `scope`."""
    return request_type(
        limit=limit, token=token or "", filters=render_filters(filters), sort_by=to_sort(sort_by), **scope
    )


def resource_list_request(
    identifier: IdlLike, limit: int, token: str | None, filters: FiltersLike, sort_by: SortLike
) -> Any:
    """A ResourceListRequest for tasks, workflows, launch plans or executions of one project/domain (and name)."""
    identifier = to_idl(identifier, common_pb2.NamedEntityIdentifier, "identifier")
    return page_request(common_pb2.ResourceListRequest, limit, token, filters, sort_by, id=identifier)


def named_entity_ids_request(
    project: str, domain: str, limit: int, token: str | None, sort_by: SortLike, filters: FiltersLike
) -> Any:
    """A NamedEntityIdentifierListRequest: the distinct task, workflow or launch-plan names of a project/domain."""
    request_type = common_pb2.NamedEntityIdentifierListRequest
    return page_request(request_type, limit, token, filters, sort_by, project=project, domain=domain)


def page_reader(field: str, resource_type: int | None = None) -> Callable[[Any], Page[Any]]:
    """Reads `field` and `token` of a list response.

    flyteadmin leaves `id.resource_type` unset on listed tasks, workflows and launch plans; flytekit patches it in,
    and so do we (when `resource_type` is given), so listed and fetched entities compare equal.
    """

    def read(response: Any) -> Page[Any]:
        items = list(getattr(response, field))
        if resource_type is not None:
            for item in items:
                if not item.id.resource_type:
                    item.id.resource_type = resource_type
        return items, str(response.token)

    return read
