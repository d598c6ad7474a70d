"""List filters and sort orders: small builders that render flyteadmin's grammar, or that grammar as a string.

flyteadmin takes filters as one string, `eq(name,my_task)+gt(created_at,2024-01-01T00:00:00Z)`, split on '+';
a value holding '+' or ',' would silently change the meaning, so the builders refuse one. Sort orders are
`common_pb2.Sort` messages; as strings, `"created_at"` is ascending and `"-created_at"` descending.
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeAlias

from flyteidl.admin import common_pb2

__all__ = ["Filter", "FilterValue", "FiltersLike", "Sort", "SortLike", "render_filters", "to_sort"]

FilterValue: TypeAlias = str | int | float | bool | datetime.datetime | datetime.date | enum.Enum
FiltersLike: TypeAlias = Any
"""None, a filter string, a Filter, a flytekit Filter, or an iterable of those (joined with AND)."""
SortLike: TypeAlias = Any
"""None, a sort string ("key" / "-key"), a Sort, a common_pb2.Sort, or a flytekit Sort."""

_FORBIDDEN_IN_VALUES = ("+", ",", "\n")
_FORBIDDEN_IN_KEYS = ("+", ",", "(", ")", "\n", " ")
_LIST_FUNCTIONS = frozenset({"value_in", "value_not_in"})  # their values travel joined by ';'


def _render_value(value: FilterValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        return value.isoformat(timespec="microseconds" if value.microsecond else "seconds") + "Z"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _checked(text: str, forbidden: Iterable[str], what: str) -> str:
    bad = [char for char in forbidden if char in text]
    if bad:
        raise ValueError(f"filter {what} {text!r} must not contain {' or '.join(repr(c) for c in bad)}")
    return text


@dataclass(frozen=True)
class Filter:
    """One flyteadmin filter expression, e.g. `Filter.eq("phase", "SUCCEEDED")` -> `eq(phase,SUCCEEDED)`.

    Keys may name a joined entity, e.g. `Filter.eq("workflow.name", "my_wf")` when listing executions.
    """

    function: str
    key: str
    values: tuple[str, ...]

    def __post_init__(self) -> None:
        _checked(self.key, _FORBIDDEN_IN_KEYS, "key")
        if not self.key:
            raise ValueError("filter key must not be empty")
        if len(self.values) != 1 and self.function not in _LIST_FUNCTIONS:
            raise ValueError(f"{self.function}({self.key}) takes exactly one value")
        forbidden = (*_FORBIDDEN_IN_VALUES, ";") if self.function in _LIST_FUNCTIONS else _FORBIDDEN_IN_VALUES
        for value in self.values:
            _checked(value, forbidden, "value")

    @classmethod
    def _single(cls, function: str, key: str, value: FilterValue) -> Filter:
        return cls(function, key, (_render_value(value),))

    @classmethod
    def _many(cls, function: str, key: str, values: Iterable[FilterValue]) -> Filter:
        rendered = tuple(_render_value(value) for value in values)
        if not rendered:
            raise ValueError(f"{function}({key}) needs at least one value")
        return cls(function, key, rendered)

    @classmethod
    def eq(cls, key: str, value: FilterValue) -> Filter:
        return cls._single("eq", key, value)

    @classmethod
    def ne(cls, key: str, value: FilterValue) -> Filter:
        return cls._single("ne", key, value)

    @classmethod
    def gt(cls, key: str, value: FilterValue) -> Filter:
        return cls._single("gt", key, value)

    @classmethod
    def gte(cls, key: str, value: FilterValue) -> Filter:
        return cls._single("gte", key, value)

    @classmethod
    def lt(cls, key: str, value: FilterValue) -> Filter:
        return cls._single("lt", key, value)

    @classmethod
    def lte(cls, key: str, value: FilterValue) -> Filter:
        return cls._single("lte", key, value)

    @classmethod
    def contains(cls, key: str, value: FilterValue) -> Filter:
        """Substring match (SQL LIKE '%value%')."""
        return cls._single("contains", key, value)

    @classmethod
    def value_in(cls, key: str, values: Iterable[FilterValue]) -> Filter:
        return cls._many("value_in", key, values)

    @classmethod
    def value_not_in(cls, key: str, values: Iterable[FilterValue]) -> Filter:
        return cls._many("value_not_in", key, values)

    def to_flyte_idl(self) -> str:
        """The expression as flyteadmin parses it (named as flytekit's models name their renderers)."""
        return f"{self.function}({self.key},{';'.join(self.values)})"

    def __str__(self) -> str:
        return self.to_flyte_idl()


def render_filters(filters: FiltersLike) -> str:
    """The `filters` string of a list request."""
    if filters is None:
        return ""
    if isinstance(filters, str):
        return filters
    render = getattr(filters, "to_flyte_idl", None)
    if callable(render):
        rendered = render()
        if not isinstance(rendered, str):
            raise TypeError(f"filters: {type(filters).__name__}.to_flyte_idl() must return a string")
        return rendered
    if isinstance(filters, Iterable):
        return "+".join(part for part in (render_filters(item) for item in filters) if part)
    raise TypeError(f"filters must be a string, a Filter or a list of them, got {type(filters).__name__}")


@dataclass(frozen=True)
class Sort:
    """A sort order: `Sort.asc("name")`, `Sort.desc("created_at")`, or `Sort.parse("-created_at")`."""

    key: str
    ascending: bool = False

    @classmethod
    def asc(cls, key: str) -> Sort:
        return cls(key, ascending=True)

    @classmethod
    def desc(cls, key: str) -> Sort:
        return cls(key, ascending=False)

    @classmethod
    def parse(cls, text: str) -> Sort:
        """`"key"` or `"+key"` sorts ascending, `"-key"` descending."""
        text = text.strip()
        descending = text.startswith("-")
        key = text.lstrip("+-").strip()
        if not key:
            raise ValueError(f"sort {text!r} names no key")
        return cls(key, ascending=not descending)

    def to_flyte_idl(self) -> Any:
        direction = common_pb2.Sort.ASCENDING if self.ascending else common_pb2.Sort.DESCENDING
        return common_pb2.Sort(key=self.key, direction=direction)


def to_sort(sort_by: SortLike) -> Any:
    """A `common_pb2.Sort`, or None for the server's default order."""
    if sort_by is None:
        return None
    if isinstance(sort_by, str):
        return Sort.parse(sort_by).to_flyte_idl()
    if isinstance(sort_by, common_pb2.Sort):
        return sort_by
    render = getattr(sort_by, "to_flyte_idl", None)
    if callable(render):
        rendered = render()
        if isinstance(rendered, common_pb2.Sort):
            return rendered
    raise TypeError(f"sort_by must be a string, a Sort or a flyteidl Sort, got {type(sort_by).__name__}")
