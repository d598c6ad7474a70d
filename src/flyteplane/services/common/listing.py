"""What a List RPC asks for, as the plain values the store's one listing helper takes."""

from __future__ import annotations

from typing import Any

from flyteplane.store.listing import PageRequest, SortBy

__all__ = ["page_request"]


def page_request(request: Any) -> PageRequest:
    """The filters, sort, limit and token of any flyteidl list request that has them."""
    sort = request.sort_by if request.HasField("sort_by") else None
    return PageRequest(
        filters=request.filters,
        sort=None if sort is None else SortBy(sort.key, sort.direction),
        limit=request.limit,
        token=request.token,
    )
