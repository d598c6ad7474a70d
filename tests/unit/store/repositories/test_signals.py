"""store.repositories.signals: signals by identifier, created once, listed per execution."""

from __future__ import annotations

import pytest
from flyteidl.core import identifier_pb2
from tests.unit.store.repositories.rows import execution_id

from flyteplane.store.db import Conflict, Database
from flyteplane.store.listing import ASCENDING, PageRequest, SortBy
from flyteplane.store.repositories import signals


def signal_id(name: str, execution: str = "e1") -> identifier_pb2.SignalIdentifier:
    return identifier_pb2.SignalIdentifier(signal_id=name, execution_id=execution_id(execution))


def create(database: Database, name: str, execution: str = "e1") -> None:
    with database.transaction() as session:
        signals.insert(session, signal_id(name, execution), b"type")


def test_a_signal_is_created_without_a_value_and_found_by_its_identifier(database: Database) -> None:
    create(database, "approve")
    with database.read() as session:
        row = signals.find(session, signal_id("approve"))
        assert row is not None and (row.type, row.value) == (b"type", None)
        assert signals.find(session, signal_id("approve", "e2")) is None


def test_creating_a_signal_twice_is_a_conflict(database: Database) -> None:
    create(database, "approve")
    with pytest.raises(Conflict):
        create(database, "approve")


def test_listing_gives_one_executions_signals_filtered_and_sorted(database: Database) -> None:
    for name in ("b", "a", "c"):
        create(database, name)
    create(database, "a", "e2")

    def listed(request: PageRequest) -> list[str]:
        with database.read() as session:
            return [row.signal_id for row in signals.list_page(session, execution_id("e1"), request).items]

    assert listed(PageRequest()) == ["b", "a", "c"]
    assert listed(PageRequest(filters="ne(signal_id,a)", sort=SortBy("signal_id", ASCENDING))) == ["b", "c"]
