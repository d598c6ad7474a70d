"""What the repositories share: writing a row now, insert-or-lock by key, and which ids a column references."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session

__all__ = ["insert_or_lock", "referenced", "save"]

Row = TypeVar("Row")


def save(session: Session, row: Any) -> None:
    """Writes a new or changed row now, so that a broken uniqueness rule fails the transaction here."""
    session.add(row)
    session.flush()


def referenced(session: Session, column: InstrumentedAttribute[int | None], ids: Iterable[int]) -> set[int]:
    """Which of these ids `column` holds in some row (one query for a whole page)."""
    wanted = list(ids)
    if not wanted:
        return set()
    found = session.scalars(select(column).where(column.in_(wanted)).distinct())
    return {value for value in found if value is not None}


def insert_or_lock(
    session: Session, model: type[Row], key: Mapping[str, Any], values: Mapping[str, Any]
) -> tuple[Row, bool]:
    """The row with `key`, locked for update (False), or a new row of key and values (True).

    The insert runs in a savepoint: when another writer inserted the same key first, its row is read and locked
    instead, so the caller updates it rather than failing.
    """
    stmt = select(model).filter_by(**key).with_for_update()
    row = session.scalar(stmt)
    if row is not None:
        return row, False
    try:
        with session.begin_nested():
            row = model(**key, **values)
            session.add(row)
        return row, True
    except IntegrityError:
        row = session.scalar(stmt.execution_options(populate_existing=True))
        if row is None:  # the other writer's row vanished again (deleted meanwhile)
            raise
        return row, False
