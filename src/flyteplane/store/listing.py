"""The one listing helper every List RPC goes through: filters → joins → hidden rows → sort → keyset page.

A `Listing` is what one RPC's query knows (which entities its filters may name, how each is joined or searched,
which rows stay hidden unless the filters ask for them, how it sorts by default); a `PageRequest` is what the
caller asked for, as plain values. `fetch_page` puts the two on a select of the listed rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, exists
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from flyteplane.store.filters import (
    ColumnLike,
    Filter,
    FilterableEntity,
    FilterScope,
    SortOrder,
    build_conditions,
    parse_filters,
    parse_sort,
)
from flyteplane.store.pagination import MAX_PAGE_BYTES, AnySelect, Page, paginate, paginate_distinct

__all__ = ["ASCENDING", "DESCENDING", "Join", "Listing", "PageRequest", "SortBy", "fetch_page"]

DESCENDING = 0
ASCENDING = 1

Join = Callable[[AnySelect], AnySelect]
Hidden = Callable[[Sequence[Filter]], Sequence[ColumnElement[bool]]]


@dataclass(frozen=True)
class SortBy:
    """A sort as flyteadmin's `Sort` carries it: a field name and a direction (0 descending, 1 ascending)."""

    key: str
    direction: int = DESCENDING


@dataclass(frozen=True)
class PageRequest:
    """One page a caller asks for: flyteadmin's filter text, a sort, a limit (None: every row) and a token."""

    filters: str = ""
    sort: SortBy | None = None
    limit: int | None = None
    token: str = ""


@dataclass(frozen=True)
class Listing:
    """What one List RPC's filters may name and how the query serves them.

    `joins` adds the table of a filter prefix to the select; `existence` matches a prefix through EXISTS on
    correlated rows instead (so no listed row repeats); `hidden` gives the conditions that apply given the
    parsed filters (rows a listing leaves out unless asked); `sortable` is what sort keys may name (default: the
    listed entity) and `default_sort` the order when the caller names none (default: the key columns ascending).
    """

    scope: FilterScope
    joins: Mapping[str, Join] = field(default_factory=dict)
    existence: Mapping[str, tuple[FilterableEntity, Callable[[], ColumnElement[bool]]]] = field(default_factory=dict)
    hidden: Hidden | None = None
    sortable: FilterableEntity | None = None
    default_sort: SortBy | None = None

    @property
    def entity(self) -> FilterableEntity:
        return self.scope.entities[self.scope.default]

    def order(self, sort: SortBy | None) -> SortOrder | None:
        """The validated sort: the requested one, else the default one, else None (the key order)."""
        sortable = self.sortable or self.entity
        return parse_sort(sort, sortable) or parse_sort(self.default_sort, sortable)


@dataclass(frozen=True)
class _Narrowing:
    """A request's checked filters and the listing's hidden rows as conditions, and the prefixes to join."""

    listing: Listing
    conditions: list[ColumnElement[bool]]
    joined: list[str]

    @classmethod
    def of(cls, listing: Listing, filters: str) -> _Narrowing:
        parsed = parse_filters(filters)
        direct = [item for item in parsed if item.entity not in listing.existence]
        conditions, used = build_conditions(direct, listing.scope)
        for prefix, (entity, correlation) in listing.existence.items():
            wanted = [item for item in parsed if item.entity == prefix]
            if wanted:
                scoped, _ = build_conditions(wanted, FilterScope(default=prefix, entities={prefix: entity}))
                # Every condition must hold for one and the same row, as with flyteadmin's join.
                conditions.append(exists().where(correlation(), and_(*scoped)))
        if listing.hidden is not None:
            conditions.extend(listing.hidden(parsed))
        return cls(listing, conditions, sorted(used))

    def apply(self, stmt: AnySelect) -> AnySelect:
        for prefix in self.joined:
            stmt = self.listing.joins[prefix](stmt)
        return stmt.where(*self.conditions)


def fetch_page(
    session: Session,
    stmt: AnySelect | Callable[[SortOrder | None], AnySelect],
    listing: Listing,
    request: PageRequest,
    *,
    keys: Sequence[ColumnLike],
    what: str,
    distinct: bool = False,
    max_bytes: int = MAX_PAGE_BYTES,
    large_columns: Sequence[ColumnLike] | None = None,
) -> Page[Any]:
    """One page of `stmt` (the listed rows, already narrowed to the caller's scope) as `request` asks for it.

    Filters are checked first, then the sort, then the token, so that errors come in flyteadmin's order.
    `keys` identify a row: the id column, or the grouping columns of a `distinct` (grouped) select. A select
    whose shape depends on the sort (a grouping that must include the sorted column) is passed as a function of
    the validated sort. `what` names the RPC in the message of an invalid token. A page holds fewer rows than
    asked (and a next token) when their large columns (`large_columns`, default: every binary and text column)
    pass `max_bytes` (see pagination.py).
    """
    narrowing = _Narrowing.of(listing, request.filters)
    order = listing.order(request.sort)
    query = narrowing.apply(stmt(order) if callable(stmt) else stmt)
    if distinct:
        return paginate_distinct(
            session,
            query,
            key_columns=keys,
            order=order,
            limit=request.limit,
            token=request.token,
            what=what,
            max_bytes=max_bytes,
            large_columns=large_columns,
        )
    (id_column,) = keys
    return paginate(
        session,
        query,
        order=order,
        id_column=id_column,
        limit=request.limit,
        token=request.token,
        what=what,
        max_bytes=max_bytes,
        large_columns=large_columns,
    )
