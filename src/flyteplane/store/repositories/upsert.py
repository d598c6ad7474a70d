"""Insert-or-update of one row by its key, safe against a concurrent first insert of the same key."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

__all__ = ["insert_or_lock"]

Row = TypeVar("Row")


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
