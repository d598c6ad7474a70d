"""store.repositories.description_entities: one description per version, stored in place."""

from __future__ import annotations

from typing import Any

from flyteidl.core import identifier_pb2
from tests.unit.store.repositories.rows import D, P

from flyteplane.store.db import Database
from flyteplane.store.listing import ASCENDING, PageRequest, SortBy
from flyteplane.store.repositories import description_entities

TASK, WORKFLOW = identifier_pb2.TASK, identifier_pb2.WORKFLOW


def values(name: str, version: str = "v1", kind: int = TASK, **extra: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "resource_type": kind,
        "project": P,
        "domain": D,
        "name": name,
        "version": version,
        "short_description": "short",
        "long_description": b"",
        "link": "",
        "source_code": b"",
    }
    return row | extra


def save(database: Database, row: dict[str, Any]) -> None:
    with database.transaction() as session:
        description_entities.save(session, row)


def found(database: Database, name: str, version: str = "v1", kind: int = TASK) -> Any:
    with database.read() as session:
        return description_entities.find(session, kind, P, D, name, version)


def test_a_description_is_found_by_the_identifier_of_its_version(database: Database) -> None:
    save(database, values("t", link="https://example.com"))
    assert found(database, "t").link == "https://example.com"
    assert found(database, "t", kind=WORKFLOW) is None
    assert found(database, "t", "v2") is None


def test_saving_an_identical_description_leaves_the_row_untouched(database: Database) -> None:
    save(database, values("t"))
    before = found(database, "t")
    save(database, values("t"))
    after = found(database, "t")
    assert (after.id, after.updated_at) == (before.id, before.updated_at)


def test_saving_a_different_description_replaces_it_in_place(database: Database) -> None:
    save(database, values("t"))
    first = found(database, "t")
    save(database, values("t", short_description="new", source_code=b"\x12\x01x"))
    second = found(database, "t")
    assert second.id == first.id
    assert (second.short_description, second.source_code) == ("new", b"\x12\x01x")


def test_listing_gives_one_names_versions_of_one_kind_or_of_all(database: Database) -> None:
    save(database, values("t", "v1"))
    save(database, values("t", "v2", short_description="second"))
    save(database, values("t", "v1", kind=WORKFLOW))
    save(database, values("other"))

    def listed(kind: int | None, request: PageRequest) -> list[tuple[int, str]]:
        with database.read() as session:
            page = description_entities.list_page(session, "task", kind, P, D, "t", request)
        return [(row.resource_type, row.version) for row in page.items]

    assert listed(TASK, PageRequest()) == [(TASK, "v1"), (TASK, "v2")]
    assert listed(None, PageRequest()) == [(TASK, "v1"), (TASK, "v2"), (WORKFLOW, "v1")]
    assert listed(None, PageRequest(filters="eq(short_description,second)")) == [(TASK, "v2")]
    assert listed(TASK, PageRequest(sort=SortBy("version", ASCENDING), limit=1)) == [(TASK, "v1")]
