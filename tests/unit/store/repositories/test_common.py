"""store.repositories.common: saving a row now, insert-or-lock by key, ids a column references."""

from __future__ import annotations

from typing import Any

import pytest
from flyteidl.core import identifier_pb2
from sqlalchemy import event

from flyteplane.store.db import Conflict, Database
from flyteplane.store.models import NamedEntityMetadata, NodeExecution
from flyteplane.store.repositories.common import insert_or_lock, referenced, save

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


def test_save_writes_at_once_so_a_taken_key_fails_right_there(database: Database) -> None:
    with database.transaction() as session:
        save(session, NamedEntityMetadata(**KEY))
        assert session.get(NamedEntityMetadata, tuple(KEY.values())) is not None
    with pytest.raises(Conflict), database.transaction() as session:
        save(session, NamedEntityMetadata(**KEY))


def test_referenced_names_the_ids_a_column_holds(database: Database) -> None:
    with database.transaction() as session:
        rows = [
            NodeExecution(execution_project="p", execution_domain="d", execution_name="e", node_id=f"n{i}", closure=b"")
            for i in range(3)
        ]
        for row in rows:
            save(session, row)
        rows[2].parent_id = rows[0].id
        save(session, rows[2])
        ids = [row.id for row in rows]
        assert referenced(session, NodeExecution.parent_id, ids) == {ids[0]}
        assert referenced(session, NodeExecution.parent_id, []) == set()
