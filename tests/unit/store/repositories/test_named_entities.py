"""store.repositories.named_entities: names that exist through their versions, with optional metadata."""

from __future__ import annotations

from flyteidl.core import identifier_pb2
from tests.unit.store.repositories.rows import D, P, add_task, add_workflow

from flyteplane.store.db import Database
from flyteplane.store.listing import ASCENDING, PageRequest, SortBy
from flyteplane.store.repositories import named_entities

TASK, WORKFLOW = identifier_pb2.TASK, identifier_pb2.WORKFLOW
ACTIVE, ARCHIVED, SYSTEM_GENERATED = 0, 1, 2


def listed(database: Database, request: PageRequest, kind: int = TASK) -> list[tuple[str, str, int]]:
    with database.read() as session:
        return [tuple(row) for row in named_entities.list_page(session, kind, P, D, request).items]  # type: ignore[misc]


def save(database: Database, name: str, description: str, state: int, kind: int = TASK) -> None:
    with database.transaction() as session:
        named_entities.save_metadata(session, kind, P, D, name, description, state)


def test_a_name_exists_while_a_version_has_it_and_reads_active_without_metadata(database: Database) -> None:
    with database.transaction() as session:
        add_task(session, "t")
        add_task(session, "t", "v2")
    with database.read() as session:
        assert named_entities.find(session, TASK, P, D, "t") == ("t", "", ACTIVE)
        assert named_entities.find(session, WORKFLOW, P, D, "t") is None
        assert named_entities.find(session, TASK, P, D, "missing") is None


def test_saving_metadata_twice_updates_the_one_row(database: Database) -> None:
    with database.transaction() as session:
        add_task(session, "t")
    save(database, "t", "first", ARCHIVED)
    save(database, "t", "second", ACTIVE)
    with database.read() as session:
        assert named_entities.find(session, TASK, P, D, "t") == ("t", "second", ACTIVE)


def test_listing_gives_each_name_once_and_hides_generated_names_unless_filtered(database: Database) -> None:
    with database.transaction() as session:
        for name, version in (("b", "v1"), ("a", "v1"), ("a", "v2"), (".flytegen.a", "v1")):
            add_task(session, name, version)
        add_workflow(session, "a")  # another kind
    assert listed(database, PageRequest()) == [("a", "", ACTIVE), ("b", "", ACTIVE)]
    assert [row[0] for row in listed(database, PageRequest(filters="contains(name,a)"))] == [".flytegen.a", "a"]


def test_listing_filters_and_sorts_on_metadata(database: Database) -> None:
    with database.transaction() as session:
        for name in ("a", "b", "c"):
            add_task(session, name)
    save(database, "b", "kept", ARCHIVED)
    save(database, "c", "generated", SYSTEM_GENERATED)
    assert listed(database, PageRequest(filters=f"eq(state,{ARCHIVED})")) == [("b", "kept", ARCHIVED)]
    assert listed(database, PageRequest(filters="eq(named_entity_metadata.description,generated)")) == [
        ("c", "generated", SYSTEM_GENERATED)
    ]
    by_state = listed(database, PageRequest(sort=SortBy("state", ASCENDING)))
    assert [row[0] for row in by_state] == ["a", "b", "c"]


def test_pages_of_names_follow_each_other(database: Database) -> None:
    with database.transaction() as session:
        for number in range(5):
            add_task(session, f"t{number}")
    with database.read() as session:
        first = named_entities.list_page(session, TASK, P, D, PageRequest(limit=3))
        second = named_entities.list_page(session, TASK, P, D, PageRequest(limit=3, token=first.token))
    assert [row[0] for row in first.items + second.items] == [f"t{number}" for number in range(5)]
    assert second.token == ""
