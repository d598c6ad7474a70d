"""store.repositories.attributes: matchable attributes by exact key, by best match, and their upsert."""

from __future__ import annotations

from flyteplane.store.db import Database
from flyteplane.store.repositories import attributes
from flyteplane.store.repositories.attributes import Scope

KIND = "TASK_RESOURCE"
PROJECT, PROJECT_DOMAIN, WORKFLOW = 5, 10, 100


def write(database: Database, scope: Scope, priority: int, payload: bytes, kind: str = KIND) -> None:
    with database.transaction() as session:
        attributes.write(session, kind, scope, priority, payload)


def best(database: Database, scope: Scope, kind: str = KIND) -> bytes | None:
    with database.read() as session:
        row = attributes.most_specific(session, kind, scope)
    return None if row is None else row.attributes


def test_the_most_specific_matching_level_wins(database: Database) -> None:
    write(database, Scope("p"), PROJECT, b"project")
    write(database, Scope("p", "development"), PROJECT_DOMAIN, b"domain")
    write(database, Scope("p", "development", "wf"), WORKFLOW, b"workflow")
    assert best(database, Scope("p", "development", "wf")) == b"workflow"
    assert best(database, Scope("p", "development", "other")) == b"domain"
    assert best(database, Scope("p", "staging", "wf")) == b"project"
    assert best(database, Scope("q", "development", "wf")) is None
    assert best(database, Scope("p", "development", "wf"), kind="EXECUTION_QUEUE") is None


def test_writing_a_key_again_updates_its_row_and_priority(database: Database) -> None:
    write(database, Scope("p", "development"), PROJECT, b"first")
    write(database, Scope("p", "development"), PROJECT_DOMAIN, b"second")
    with database.read() as session:
        (row,) = attributes.list_of_kind(session, KIND)
    assert (row.attributes, row.priority) == (b"second", PROJECT_DOMAIN)


def test_an_update_can_merge_into_what_is_stored(database: Database) -> None:
    scope = Scope("p")
    with database.transaction() as session:
        attributes.write(session, KIND, scope, PROJECT, b"a", merge=lambda stored: stored + b"+never")
    with database.transaction() as session:
        attributes.write(session, KIND, scope, PROJECT, b"b", merge=lambda stored: stored + b"+b")
    with database.read() as session:
        assert attributes.find_exact(session, KIND, scope).attributes == b"a+b"  # type: ignore[union-attr]


def test_deleting_a_level_leaves_the_others(database: Database) -> None:
    write(database, Scope("p"), PROJECT, b"project")
    write(database, Scope("p", "development"), PROJECT_DOMAIN, b"domain")
    with database.transaction() as session:
        attributes.delete_exact(session, KIND, Scope("p", "development"))
    with database.read() as session:
        assert attributes.find_exact(session, KIND, Scope("p", "development")) is None
        assert attributes.find_exact(session, KIND, Scope("p")) is not None


def test_rows_of_a_kind_are_listed_most_specific_first(database: Database) -> None:
    write(database, Scope("p"), PROJECT, b"1")
    write(database, Scope("p", "development", "wf"), WORKFLOW, b"2")
    write(database, Scope("q", "development"), PROJECT_DOMAIN, b"3")
    write(database, Scope("p"), PROJECT, b"other kind", kind="EXECUTION_QUEUE")
    with database.read() as session:
        assert [row.attributes for row in attributes.list_of_kind(session, KIND)] == [b"2", b"3", b"1"]
