"""store.repositories.upsert: the row of a key, inserted once, locked for the caller's update after that."""

from __future__ import annotations

from typing import Any

import pytest
from flyteidl.core import identifier_pb2
from sqlalchemy import event

from flyteplane.store.db import Database
from flyteplane.store.models import NamedEntityMetadata
from flyteplane.store.repositories.upsert import insert_or_lock

KEY = {"resource_type": identifier_pb2.TASK, "project": "flytesnacks", "domain": "development", "name": "t"}


def test_the_first_call_inserts_and_the_next_returns_that_row(database: Database) -> None:
    with database.transaction() as session:
        row, created = insert_or_lock(session, NamedEntityMetadata, KEY, {"description": "first"})
        assert created and row.description == "first"
    with database.transaction() as session:
        row, created = insert_or_lock(session, NamedEntityMetadata, KEY, {"description": "second"})
        assert not created and row.description == "first"


@pytest.mark.postgres
def test_a_key_inserted_by_another_writer_meanwhile_is_returned_for_update(postgres_db: Database) -> None:
    """The other writer commits between this one's lookup and its insert; the savepoint keeps this transaction."""

    def other_writer(*_args: Any) -> None:
        with postgres_db.transaction() as other:
            other.add(NamedEntityMetadata(**KEY, description="theirs"))

    with postgres_db.transaction() as session:
        event.listen(session, "before_flush", other_writer, once=True)
        row, created = insert_or_lock(session, NamedEntityMetadata, KEY, {"description": "mine"})
        assert not created and row.description == "theirs"
        row.description = "updated"
    with postgres_db.read() as session:
        assert session.get(NamedEntityMetadata, tuple(KEY.values())).description == "updated"  # type: ignore[union-attr]
