"""store.repositories.projects: lookups by identifier, inserts, and the ListProjects query."""

from __future__ import annotations

import pytest

from flyteplane.store.db import Conflict, Database
from flyteplane.store.listing import ASCENDING, DESCENDING, PageRequest, SortBy
from flyteplane.store.repositories import projects

ARCHIVED = 1


def add(database: Database, identifier: str, name: str = "", state: int = 0, labels: bytes = b"") -> None:
    with database.transaction() as session:
        projects.insert(session, identifier, name or identifier, labels=labels, state=state)


def listed(database: Database, request: PageRequest) -> list[str]:
    with database.read() as session:
        return [row.identifier for row in projects.list_page(session, request).items]


def test_a_project_is_found_by_its_identifier(database: Database) -> None:
    add(database, "alpha", "Alpha", labels=b"\n\x04\n\x01k\x12\x01v")
    with database.read() as session:
        row = projects.find(session, "alpha")
        assert row is not None and row.name == "Alpha"
        assert projects.state_of(session, "alpha") == 0
        assert projects.labels_of(session, "alpha") == b"\n\x04\n\x01k\x12\x01v"


def test_an_unknown_project_has_no_row_state_or_labels(database: Database) -> None:
    with database.read() as session:
        assert projects.find(session, "nope") is None
        assert projects.state_of(session, "nope") is None
        assert projects.labels_of(session, "nope") is None


def test_a_taken_identifier_fails_the_transaction_with_a_conflict(database: Database) -> None:
    add(database, "alpha")
    with pytest.raises(Conflict), database.transaction() as session:
        projects.insert(session, "alpha", "again")
    with database.read() as session:
        assert projects.find(session, "alpha").name == "alpha"  # type: ignore[union-attr]


def test_listing_goes_by_identifier_and_hides_archived_projects(database: Database) -> None:
    for identifier in ("zeta", "beta", "old"):
        add(database, identifier, state=ARCHIVED if identifier == "old" else 0)
    assert listed(database, PageRequest()) == ["beta", "flytesnacks", "zeta"]


def test_any_filter_lists_archived_projects_too(database: Database) -> None:
    add(database, "old", state=ARCHIVED)
    add(database, "new")
    assert listed(database, PageRequest(filters="ne(identifier,flytesnacks)")) == ["new", "old"]
    assert listed(database, PageRequest(filters=f"eq(state,{ARCHIVED})")) == ["old"]


def test_listing_sorts_on_a_requested_column(database: Database) -> None:
    add(database, "a", name="zulu")
    add(database, "b", name="alpha")
    assert listed(database, PageRequest(sort=SortBy("name", ASCENDING))) == ["b", "flytesnacks", "a"]
    assert listed(database, PageRequest(sort=SortBy("name", DESCENDING))) == ["a", "flytesnacks", "b"]


def test_pages_walk_every_project_once(database: Database) -> None:
    for number in range(7):
        add(database, f"p{number}")
    seen, token = [], ""
    while True:
        with database.read() as session:
            page = projects.list_page(session, PageRequest(limit=3, token=token))
        seen += [row.identifier for row in page.items]
        token = page.token
        if not token:
            break
    assert seen == ["flytesnacks", *[f"p{number}" for number in range(7)]]
