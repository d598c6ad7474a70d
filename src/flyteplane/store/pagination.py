"""Keyset pagination behind opaque page tokens, so a deep page costs what the first one does.

The token carries the last row's sort key values (sort column, then the tie-breaking id or grouping columns)
and the sort it was made for; the next page starts strictly after that position through an index-friendly
row-value comparison. flyteadmin's plain offset tokens ("100") are still accepted, as OFFSET.

A page is bounded in bytes as well as rows: when the listed rows carry large columns (specs, closures), a first
query sums their sizes in the database, and the page stops early (fewer rows, a next token) once they pass
`max_bytes`, so that no page outgrows what a gRPC client receives (4 MiB by default) and no list loads many
large rows into memory at once. A single row larger than the budget still makes a page of its own.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Generic, TypeAlias, TypeVar

from sqlalchemy import Column, LargeBinary, Text, and_, bindparam, false, func, inspect, or_, tuple_
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import QueryableAttribute, Session
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement, UnaryExpression

from flyteplane.errors import InvalidArgument
from flyteplane.store.filters import ColumnLike, SortOrder, integer_range

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["MAX_PAGE_BYTES", "AnySelect", "Page", "paginate", "paginate_distinct"]

MAX_PAGE_BYTES = 2 * 1024 * 1024
"""The bytes of large columns one page may carry: half of what a gRPC client receives by default."""

AnySelect: TypeAlias = "Select[Unpack[tuple[Any, ...]]]"
"""A select of any number of columns or entities (SQLAlchemy 2.1 types selects per column)."""

T = TypeVar("T")

_OFFSET = re.compile(r"[+-]?\d{1,30}", re.ASCII)
_MAX_INT64 = 2**63 - 1
_MAX_TOKEN_CHARS = 4096


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a listing; `token` fetches the next one and is "" when no rows are left."""

    items: list[T]
    token: str


@dataclass(frozen=True)
class _KeyPart:
    """One column of the keyset, and whether it can hold NULL (NULL sorts after every value)."""

    column: ColumnElement[Any]
    nullable: bool


def paginate(
    session: Session,
    stmt: AnySelect,
    *,
    order: SortOrder | None,
    id_column: ColumnLike,
    limit: int | None,
    token: str,
    what: str,
    max_bytes: int = MAX_PAGE_BYTES,
    large_columns: Sequence[ColumnLike] | None = None,
) -> Page[Any]:
    """Fetch one page of `stmt` ordered by `order` (then `id_column`), or by `id_column` ascending.

    `stmt` brings its own WHERE and joins; any ORDER BY it has is replaced. A select of one entity or column
    yields those objects as items, a wider select yields rows. `limit=None` means every remaining row.
    `large_columns` are those counted against `max_bytes` (default: every binary and text column of the selected
    entities; a listing that leaves some unloaded names the rest).
    """
    columns = [id_column] if order is None else [order.column, id_column]
    return _paginate(session, stmt, columns, order, limit, token, what, max_bytes, large_columns)


def paginate_distinct(
    session: Session,
    stmt: AnySelect,
    *,
    key_columns: Sequence[ColumnLike],
    order: SortOrder | None,
    limit: int | None,
    token: str,
    what: str,
    max_bytes: int = MAX_PAGE_BYTES,
    large_columns: Sequence[ColumnLike] | None = None,
) -> Page[Any]:
    """Like `paginate` for a grouped or DISTINCT select whose `key_columns` identify each row.

    Ordered by `order` first when given (it must be a grouped column or aggregate), then by the key columns.
    """
    keys = [_expression(column) for column in key_columns]
    if order is not None:
        keys = [order.column, *[key for key in keys if not key.compare(order.column)]]
    return _paginate(session, stmt, keys, order, limit, token, what, max_bytes, large_columns)


def _paginate(
    session: Session,
    stmt: AnySelect,
    columns: Sequence[ColumnLike],
    order: SortOrder | None,
    limit: int | None,
    token: str,
    what: str,
    max_bytes: int,
    large_columns: Sequence[ColumnLike] | None,
) -> Page[Any]:
    if limit is not None and limit <= 0:
        raise InvalidArgument("invalid value for limit")
    parts = [_key_part(column) for column in columns]
    ascending = order is None or order.ascending
    sort = [order.key if order else "", "a" if ascending else "d"]
    query = stmt.order_by(None).order_by(*[_order_by(part, ascending) for part in parts])
    if token:
        if _OFFSET.fullmatch(token):
            offset = int(token)
            if not 0 <= offset <= _MAX_INT64:
                raise InvalidArgument(f"invalid pagination token {token} for {what}")
            query = query.offset(offset)
        else:
            values = _decode_token(token, sort, parts, what)
            query = query.where(_after(parts, values, ascending, _supports_row_values(session, stmt)))
    limit = _rows_within(session, query, _row_size(stmt, large_columns), limit, max_bytes)
    if limit is not None:
        query = query.limit(min(limit, _MAX_INT64 - 1) + 1)
    width = len(stmt.column_descriptions)
    result = session.execute(query.add_columns(*[part.column for part in parts])).freeze()
    rows = result().columns(*range(width)).all()
    keys = result().columns(*range(width, width + len(parts))).all()
    items: list[Any] = [row[0] for row in rows] if width == 1 else list(rows)
    if limit is None or len(items) <= limit:
        return Page(items=items, token="")
    return Page(items=items[:limit], token=_encode_token(sort, tuple(keys[limit - 1])))


def _row_size(stmt: AnySelect, large_columns: Sequence[ColumnLike] | None) -> ColumnElement[Any] | None:
    """The bytes of a row's large columns as SQL: `large_columns`, else the binary and text columns of the
    entities `stmt` selects; None: no such column."""
    columns: list[ColumnElement[Any]] = [_expression(c) for c in large_columns or ()]
    if large_columns is None:
        for description in stmt.column_descriptions:
            entity = description.get("entity")
            if entity is None or description.get("expr") is not entity:
                continue  # a plain column or an aggregate: small
            columns += [c for c in inspect(entity).columns if isinstance(c.type, LargeBinary | Text)]
    sizes: list[ColumnElement[Any]] = [func.coalesce(func.length(column), 0) for column in columns]
    if not sizes:
        return None
    total = sizes[0]
    for size in sizes[1:]:
        total = total + size
    return total


def _rows_within(
    session: Session, query: AnySelect, size: ColumnElement[Any] | None, limit: int | None, max_bytes: int
) -> int | None:
    """The page's row limit once the rows' large columns are counted: the requested limit, or fewer rows (at
    least one) when their sizes, summed in page order, pass `max_bytes`."""
    if size is None:
        return limit
    sizes = query.with_only_columns(size.label("row_bytes"), maintain_column_froms=True)
    if limit is not None:
        sizes = sizes.limit(min(limit, _MAX_INT64 - 1))
    total = 0
    for rows, (row_bytes,) in enumerate(session.execute(sizes)):
        total += int(row_bytes or 0)
        if rows and total > max_bytes:
            return rows
    return limit


def _expression(column: ColumnLike) -> ColumnElement[Any]:
    return column.expression if isinstance(column, QueryableAttribute) else column


def _key_part(column: ColumnLike) -> _KeyPart:
    expression = _expression(column)
    return _KeyPart(expression, not (isinstance(expression, Column) and not expression.nullable))


def _order_by(part: _KeyPart, ascending: bool) -> UnaryExpression[Any]:
    """ASC puts NULLs last and DESC first on every database, matching `_after` (and PostgreSQL's default)."""
    if ascending:
        return part.column.asc().nulls_last() if part.nullable else part.column.asc()
    return part.column.desc().nulls_first() if part.nullable else part.column.desc()


def _supports_row_values(session: Session, stmt: AnySelect) -> bool:
    """PostgreSQL and SQLite >= 3.15 compare `(a, b) > (x, y)` and serve it from an index on (a, b)."""
    dialect: Dialect = session.get_bind(clause=stmt).dialect
    if dialect.name == "postgresql":
        return True
    if dialect.name != "sqlite":
        return False
    # Known once the engine has connected; before that, the driver module knows the library it links.
    version = dialect.server_version_info or getattr(dialect.loaded_dbapi, "sqlite_version_info", None)
    return version is not None and tuple(version) >= (3, 15)


def _after(parts: Sequence[_KeyPart], values: Sequence[Any], ascending: bool, row_values: bool) -> ColumnElement[bool]:
    """Rows strictly after `values` in the order the parts define."""
    pairs = list(zip(parts, values, strict=True))
    bound = [bindparam(None, value, type_=part.column.type) for part, value in pairs]
    if row_values and not any(part.nullable for part in parts) and None not in values:
        left, right = tuple_(*[part.column for part in parts]), tuple_(*bound)
        condition: ColumnElement[bool] = left > right if ascending else left < right
        return condition
    alternatives: list[ColumnElement[bool]] = []
    for index, (part, value) in enumerate(pairs):
        same = [
            earlier.column.is_(None) if earlier_value is None else earlier.column == bound[position]
            for position, (earlier, earlier_value) in enumerate(pairs[:index])
        ]
        alternatives.append(and_(*same, _beyond(part, value, bound[index], ascending)))
    return or_(*alternatives)


def _beyond(part: _KeyPart, value: Any, bound: ColumnElement[Any], ascending: bool) -> ColumnElement[bool]:
    """The part's own step past `value`, with NULL taken as larger than every value."""
    column = part.column
    if ascending:
        if value is None:
            return false()
        greater: ColumnElement[bool] = column > bound
        return or_(greater, column.is_(None)) if part.nullable else greater
    if value is None:
        return column.is_not(None)
    smaller: ColumnElement[bool] = column < bound
    return smaller


def _encode_token(sort: list[str], values: tuple[Any, ...]) -> str:
    payload = {"s": sort, "v": [_encode_value(value) for value in values]}
    text = json.dumps(payload, separators=(",", ":"), allow_nan=False)
    return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode("ascii")


def _encode_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return {"f": repr(value)}
    if isinstance(value, dt.datetime):
        return {"t": value.isoformat()}
    if isinstance(value, dt.date):
        return {"d": value.isoformat()}
    if isinstance(value, Decimal):
        return {"n": str(value)}
    raise TypeError(f"cannot put a {type(value).__name__} sort key into a page token")


def _decode_token(token: str, sort: list[str], parts: Sequence[_KeyPart], what: str) -> list[Any]:
    """The key values a token carries, checked against the sort and columns they will be compared with."""
    error = InvalidArgument(f"invalid pagination token {token} for {what}")
    if len(token) > _MAX_TOKEN_CHARS or not token.isascii():
        raise error
    try:
        payload = json.loads(base64.b64decode(token + "=" * (-len(token) % 4), altchars=b"-_", validate=True))
        if not isinstance(payload, dict) or payload.get("s") != sort:
            raise error
        encoded = payload.get("v")
        if not isinstance(encoded, list) or len(encoded) != len(parts):
            raise error
        values = [_decode_value(item) for item in encoded]
    except (binascii.Error, ValueError, TypeError, ArithmeticError, RecursionError):
        raise error from None
    for part, value in zip(parts, values, strict=True):
        if not _fits(part, value):
            raise error
    return values


def _decode_value(item: Any) -> Any:
    if not isinstance(item, dict):
        return item
    ((tag, text),) = item.items()
    if not isinstance(text, str):
        raise TypeError(tag)
    if tag == "f":
        return float(text)
    if tag == "t":
        return dt.datetime.fromisoformat(text)
    if tag == "d":
        return dt.date.fromisoformat(text)
    if tag == "n":
        return Decimal(text)
    raise TypeError(tag)


def _fits(part: _KeyPart, value: Any) -> bool:
    """Whether a decoded value can be bound to the part's column without the database rejecting it."""
    if value is None:
        return part.nullable
    try:
        expected = part.column.type.python_type
    except NotImplementedError:
        return isinstance(value, bool | int | float | dt.date | Decimal) or _fits_text(value)
    if expected is int:
        low, high = integer_range(part.column.type)
        return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
    if expected is str:
        return _fits_text(value)
    if expected is float:
        return isinstance(value, float | int) and not isinstance(value, bool)
    if expected is dt.date:
        return isinstance(value, dt.date) and not isinstance(value, dt.datetime)
    return isinstance(value, expected)


def _fits_text(value: Any) -> bool:
    return isinstance(value, str) and "\x00" not in value  # PostgreSQL text cannot hold NUL
