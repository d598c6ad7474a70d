"""store.repositories.node_executions: rows written whole, found by identifier, listed by level."""

from __future__ import annotations

import pytest
from tests.unit.store.repositories.rows import (
    add_execution,
    add_node_execution,
    add_task_execution,
    add_workflow,
    execution_id,
    minutes,
    node_id,
)

from flyteplane.store.db import Conflict, Database
from flyteplane.store.listing import ASCENDING, PageRequest, SortBy
from flyteplane.store.repositories import node_executions


def listed(database: Database, request: PageRequest, **parent: int) -> list[str]:
    with database.read() as session:
        page = node_executions.list_page(session, execution_id("e1"), request, **parent)
    return [row.node_id for row in page.items]


def test_a_new_row_is_written_by_save_and_found_by_its_identifier(database: Database) -> None:
    row = node_executions.new(execution_id("e1"), "n0", minutes(1))
    row.closure = b"closure"
    with database.transaction() as session:
        node_executions.save(session, row)
    with database.read() as session:
        found = node_executions.find(session, node_id("e1", "n0"))
        assert found is not None and found.closure == b"closure"
        assert found.node_execution_created_at == minutes(1)
        assert node_executions.by_id(session, found.id).node_id == "n0"  # type: ignore[union-attr]
        assert node_executions.find(session, node_id("e2", "n0")) is None


def test_a_second_first_event_of_a_node_is_a_conflict(database: Database) -> None:
    def first_event() -> None:
        row = node_executions.new(execution_id("e1"), "n0", minutes(1))
        row.closure = b""
        with database.transaction() as session:
            node_executions.save(session, row)

    first_event()
    with pytest.raises(Conflict):
        first_event()


def test_listing_gives_top_level_nodes_or_one_parents_children(database: Database) -> None:
    with database.transaction() as session:
        top = add_node_execution(session, "e1", "n0")
        add_node_execution(session, "e1", "n1")
        add_node_execution(session, "e1", "n0-0-n0", parent_id=top.id)
        attempt = add_task_execution(session, "e1", "n1", "t")
        add_node_execution(session, "e1", "n1-0-dn0", parent_task_execution_id=attempt.id)
        add_node_execution(session, "e2", "n0")
    assert listed(database, PageRequest()) == ["n0", "n1"]
    assert listed(database, PageRequest(), parent_id=top.id) == ["n0-0-n0"]
    assert listed(database, PageRequest(), parent_task_execution_id=attempt.id) == ["n1-0-dn0"]


def test_parents_among_names_the_rows_that_have_children(database: Database) -> None:
    with database.transaction() as session:
        top, leaf = add_node_execution(session, "e1", "n0"), add_node_execution(session, "e1", "n1")
        add_node_execution(session, "e1", "n0-0-n0", parent_id=top.id)
    with database.read() as session:
        assert node_executions.parents_among(session, [top.id, leaf.id]) == {top.id}
        assert node_executions.parents_among(session, []) == set()


def test_listing_filters_on_the_node_and_on_its_execution(database: Database) -> None:
    with database.transaction() as session:
        add_execution(session, "e1", add_workflow(session, "wf"), phase="RUNNING")
        add_node_execution(session, "e1", "n0", phase="SUCCEEDED")
        add_node_execution(session, "e1", "n1", phase="RUNNING")
    assert listed(database, PageRequest(filters="eq(phase,RUNNING)")) == ["n1"]
    assert listed(database, PageRequest(filters="eq(execution.phase,RUNNING)")) == ["n0", "n1"]
    assert listed(database, PageRequest(sort=SortBy("node_id", ASCENDING), limit=1)) == ["n0"]
