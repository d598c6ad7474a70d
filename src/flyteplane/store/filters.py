"""Flyte Admin list filters and sort keys, turned into SQLAlchemy conditions.

Every List RPC takes `filters` in flyteadmin's grammar (`eq(name,foo)+gt(created_at,2024-01-01T00:00:00Z)`)
and a `sort_by`. This module parses both and checks them against what one RPC allows; it knows no table, so
the store passes each listed entity's filterable columns in. Values always travel as bound parameters.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from types import MappingProxyType
from typing import Any, TypeAlias

from sqlalchemy import Boolean, DateTime, Enum, Float, Integer, Interval, Numeric, String, cast
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeEngine

from flyteplane.errors import InvalidArgument

__all__ = [
    "FILTER_ENTITY_CODES",
    "FILTER_FUNCTIONS",
    "MAX_FILTER_EXPRESSIONS",
    "MAX_FILTER_VALUES",
    "ColumnLike",
    "Filter",
    "FilterScope",
    "FilterableEntity",
    "SortOrder",
    "build_conditions",
    "integer_range",
    "parse_filters",
    "parse_sort",
]

ColumnLike: TypeAlias = ColumnElement[Any] | QueryableAttribute[Any]
"""A table column, an ORM attribute such as `Task.name`, or any SQL expression."""

FILTER_FUNCTIONS = frozenset({"eq", "ne", "gt", "gte", "lt", "lte", "contains", "not_like", "value_in", "value_not_in"})
MAX_FILTER_EXPRESSIONS = 100
"""Expressions one `filters` string may join with '+': far beyond any real query, well below the nesting SQLite's
parser allows (1,000 clauses fail with "Expression tree is too large")."""
MAX_FILTER_VALUES = 1000
"""Values all `value_in` / `value_not_in` lists of one request may hold together: each is a bound parameter."""
_LIST_FUNCTIONS = frozenset({"value_in", "value_not_in"})
_TEXT_FUNCTIONS = frozenset({"contains", "not_like"})
_COMPARISONS: Mapping[str, Callable[[Any, Any], Any]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}

FILTER_ENTITY_CODES: Mapping[str, str] = MappingProxyType(
    {
        "task": "t",
        "workflow": "w",
        "launch_plan": "l",
        "execution": "e",
        "node_execution": "ne",
        "task_execution": "te",
        "entities": "nen",
        "named_entity_metadata": "nem",
        "project": "p",
        "signal": "s",
        "admin_tag": "at",
        "execution_admin_tag": "eat",
        "execution_tag": "et",
    }
)
"""Every field prefix flyteadmin knows, with the short code its error messages use."""

_GO_SPACE = " \t\n\f\r"  # what `\s` matches in Go's regexp

_INT_RANGES: Mapping[str, tuple[int, int]] = {
    "SmallInteger": (-(2**15), 2**15 - 1),
    "Integer": (-(2**31), 2**31 - 1),
}
_INT64 = (-(2**63), 2**63 - 1)
_INTEGER = re.compile(r"[+-]?\d+", re.ASCII)
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_TRUE = frozenset({"1", "t", "T", "true", "TRUE", "True"})
_FALSE = frozenset({"0", "f", "F", "false", "FALSE", "False"})
_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:[Zz]|([+-])(\d{2}):?(\d{2}))?)?",
    re.ASCII,
)
_DURATION_PART = re.compile(r"(\d*)(?:\.(\d*))?([a-zµμ]+)")
_DURATION_UNITS_NS = {"ns": 1, "us": 1_000, "µs": 1_000, "μs": 1_000, "ms": 1_000_000, "s": 10**9}
_DURATION_UNITS_NS |= {"m": 60 * 10**9, "h": 3600 * 10**9}


@dataclass(frozen=True)
class Filter:
    """One parsed `func(field,value)` expression, not yet checked against any table."""

    entity: str | None
    field: str
    function: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class FilterableEntity:
    """An entity a filter may name: flyteadmin's short code and its filterable (and sortable) columns."""

    code: str
    columns: Mapping[str, ColumnLike]

    def column(self, name: str) -> ColumnElement[Any] | None:
        """The SQL expression behind a field name, or None when the entity has no such field."""
        found = self.columns.get(name)
        return None if found is None else _expression(found)


@dataclass(frozen=True)
class FilterScope:
    """What one List RPC lets a filter reference: its own entity (`default`) and the entities it can join."""

    default: str
    entities: Mapping[str, FilterableEntity]

    def __post_init__(self) -> None:
        if self.default not in self.entities:
            raise ValueError(f"filter scope must include its default entity {self.default!r}")


@dataclass(frozen=True)
class SortOrder:
    """A validated `sort_by`: the column to order on, the key the client gave, and the direction."""

    column: ColumnElement[Any]
    key: str
    ascending: bool = False


def parse_filters(text: str) -> list[Filter]:
    """Split a `filters` string on '+' and parse each expression the way flyteadmin does."""
    if text == "":
        return []
    if "\x00" in text:  # PostgreSQL cannot hold NUL in text, so no value may carry one
        raise InvalidArgument("invalid value for filters")
    expressions = text.split("+")
    if len(expressions) > MAX_FILTER_EXPRESSIONS:
        raise InvalidArgument(
            f"invalid value for filters: at most {MAX_FILTER_EXPRESSIONS} expressions may be joined with '+', "
            f"got {len(expressions)}"
        )
    parsed: list[Filter] = []
    for expression in expressions:
        groups = _match_expression(expression)
        if groups is None:
            raise InvalidArgument("invalid value for filters")
        function, raw_field, raw_value = groups
        if function not in FILTER_FUNCTIONS:
            raise InvalidArgument(f"unrecognized filter function: {function}")
        entity, dot, name = raw_field.partition(".")
        values = tuple(raw_value.split(";")) if function in _LIST_FUNCTIONS else (raw_value,)
        parsed.append(Filter(entity if dot else None, name if dot else raw_field, function, values))
    if sum(len(item.values) for item in parsed) > MAX_FILTER_VALUES:
        raise InvalidArgument(f"invalid value for filters: at most {MAX_FILTER_VALUES} values in all may be given")
    return parsed


def build_conditions(filters: Sequence[Filter], scope: FilterScope) -> tuple[list[ColumnElement[bool]], set[str]]:
    """Check filters against one RPC's scope and build SQL conditions, plus the joined entities they need."""
    conditions: list[ColumnElement[bool]] = []
    joins: set[str] = set()
    for item in filters:
        prefix = scope.default if item.entity is None else item.entity
        entity = scope.entities.get(prefix)
        if entity is None:
            code = FILTER_ENTITY_CODES.get(prefix)
            if code is None:
                raise InvalidArgument(f"invalid filter entity '{prefix}'")
            raise InvalidArgument(f"'{code}' entity is not allowed in filters")
        column = entity.column(item.field)
        if column is None:
            raise InvalidArgument(f"'{entity.code}.{item.field}' is invalid filter")
        conditions.append(_condition(item, column, f"{entity.code}.{item.field}"))
        if prefix != scope.default:
            joins.add(prefix)
    return conditions, joins


def parse_sort(sort: Any, entity: FilterableEntity) -> SortOrder | None:
    """Validate a `common_pb2.Sort` against the listed entity's columns; None when no sort key was given."""
    if sort is None or not sort.key:
        return None
    column = entity.column(sort.key)
    if column is None:
        raise InvalidArgument(f"invalid sort key '{sort.key}'")
    if sort.direction not in (0, 1):  # DESCENDING, ASCENDING
        raise InvalidArgument(f"invalid sort order specified: {sort.direction}")
    return SortOrder(column=column, key=sort.key, ascending=sort.direction == 1)


def _match_expression(expression: str) -> tuple[str, str, str] | None:
    """The groups flyteadmin's unanchored, greedy `(.+)\\((.+),\\s?(.+)\\)` finds, in linear time.

    Each group takes as much as it can: the value ends at the last ')', the field at the last ',' before
    it that leaves a value, the function at the last '(' before that which leaves a field (so `eq(a,b,c)`
    is field `a,b`). A backtracking regex would take quartic time on hostile input. Newlines are refused.
    """
    if "\n" in expression:
        return None
    close = expression.rfind(")")
    comma = expression.rfind(",", 0, close - 1) if close > 0 else -1
    open_ = expression.rfind("(", 1, comma - 1) if comma > 2 else -1
    if open_ < 1:
        return None
    start = comma + 1
    if expression[start] in _GO_SPACE and close - start >= 2:
        start += 1
    return expression[:open_], expression[open_ + 1 : comma], expression[start:close]


def _expression(column: ColumnLike) -> ColumnElement[Any]:
    return column.expression if isinstance(column, QueryableAttribute) else column


def _condition(item: Filter, column: ColumnElement[Any], name: str) -> ColumnElement[bool]:
    if item.function in _TEXT_FUNCTIONS:
        if not isinstance(column.type, String):
            raise InvalidArgument(f"filter function {item.function} needs a text field, '{name}' is not text")
        if isinstance(column.type, Enum):  # a native enum (PostgreSQL) has no LIKE of its own
            column = cast(column, String)
        if item.function == "contains":
            return column.like(f"%{_escape_like(item.values[0])}%", escape="\\")
        # flyteadmin's raw pattern (% and _ are wildcards, as in its own not_like(name,.flytegen%)); a backslash
        # is a plain character on both databases (PostgreSQL's default escape would refuse a trailing one)
        return column.not_like(item.values[0].replace("\\", "\\\\"), escape="\\")
    values = [_convert(value, column.type, item.field, name) for value in item.values]
    if item.function == "value_in":
        return column.in_(values)
    if item.function == "value_not_in":
        return column.not_in(values)
    condition: ColumnElement[bool] = _COMPARISONS[item.function](column, values[0])
    return condition


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _convert(value: str, type_: TypeEngine[Any], field: str, name: str) -> Any:
    """Turn a filter's text value into the Python value the column's type binds."""
    if field.lower() == "duration" and isinstance(type_, Integer | Float | Numeric | Interval):
        nanoseconds = _parse_duration_ns(value)
        if isinstance(type_, Integer):
            return nanoseconds
        if isinstance(type_, Interval):
            return dt.timedelta(microseconds=nanoseconds // 1000)
        return nanoseconds / 10**9
    if isinstance(type_, Boolean):
        if value in _TRUE or value in _FALSE:
            return value in _TRUE
        raise InvalidArgument(f"invalid value '{value}' for filter field '{name}': expected a boolean")
    if isinstance(type_, Integer):
        low, high = integer_range(type_)
        if len(value) <= 20 and _INTEGER.fullmatch(value) and low <= int(value) <= high:
            return int(value)
        raise InvalidArgument(f"invalid value '{value}' for filter field '{name}': expected an integer")
    if isinstance(type_, Float | Numeric):  # Float is no Numeric subclass since SQLAlchemy 2.1
        number = _parse_number(value)
        if number is None:
            raise InvalidArgument(f"invalid value '{value}' for filter field '{name}': expected a number")
        return float(number) if isinstance(type_, Float) and not type_.asdecimal else number
    if isinstance(type_, DateTime):
        moment = _parse_timestamp(value)
        if moment is None:
            raise InvalidArgument(f"Timestamp {value} must conform to RFC3339 Nano spec")
        return moment if type_.timezone else moment.replace(tzinfo=None)
    if isinstance(type_, Enum) and value not in type_.enums:
        raise InvalidArgument(
            f"invalid value '{value}' for filter field '{name}': expected one of {', '.join(type_.enums)}"
        )
    return value


def integer_range(type_: TypeEngine[Any]) -> tuple[int, int]:
    """The values an integer column holds on every database (PostgreSQL refuses to compare beyond them)."""
    return _INT_RANGES.get(type(type_).__name__, _INT64)


def _parse_number(value: str) -> Decimal | None:
    if not _NUMBER.fullmatch(value):
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    # Bounded so that no arithmetic on it can overflow the decimal context or build a giant integer.
    return number if number.is_finite() and abs(number.adjusted()) <= 1000 else None


def _parse_timestamp(value: str) -> dt.datetime | None:
    """RFC 3339 / ISO 8601 to an aware UTC datetime; a time without offset is UTC, a bare date is midnight."""
    match = _TIMESTAMP.fullmatch(value)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, sign, off_h, off_m = match.groups()
    offset = dt.timedelta(0)
    if sign is not None:
        offset = dt.timedelta(hours=int(off_h), minutes=int(off_m))
        offset = -offset if sign == "-" else offset
    try:
        moment = dt.datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int((fraction or "")[:6].ljust(6, "0")),
            tzinfo=dt.timezone(offset),
        )
        return moment.astimezone(dt.timezone.utc)
    except (ValueError, OverflowError):
        return None


def _parse_duration_ns(value: str) -> int:
    """A Go duration (`1h30m`, `1.5s`, `300ms`) or a bare number of seconds, in nanoseconds, as flyteadmin."""
    error = InvalidArgument(f"Failed to parse duration [{value}]")
    if len(value) > 100:  # far beyond the 292 years an int64 of nanoseconds holds
        raise error
    number = _parse_number(value)
    if number is not None:
        nanoseconds = int(number * 10**9)
    else:
        text = value[1:] if value[:1] in "+-" else value
        parts = list(_DURATION_PART.finditer(text))
        if not text or sum(len(part.group(0)) for part in parts) != len(text):
            raise error
        total = Fraction(0)
        for part in parts:
            whole, fraction, unit = part.groups()
            if (not whole and not fraction) or unit not in _DURATION_UNITS_NS:
                raise error
            amount = Fraction(int(whole or "0")) + Fraction(int(fraction or "0"), 10 ** len(fraction or ""))
            total += amount * _DURATION_UNITS_NS[unit]
        nanoseconds = int(total) * (-1 if value.startswith("-") else 1)
    if not _INT64[0] <= nanoseconds <= _INT64[1]:
        raise error
    return nanoseconds
