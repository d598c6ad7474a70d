"""store.repositories.task_executions: attempts written whole, found by identifier, listed per node."""

from __future__ import annotations

import pytest
from tests.unit.store.repositories.rows import (
    add_node_execution,
    add_task,
    add_task_execution,
    attempt_id,
    attempt_values,
    node_id,
)

from flyteplane.store.db import Conflict, Database
from flyteplane.store.listing import PageRequest
from flyteplane.store.repositories import task_executions
from flyteplane.store.repositories.task_executions import MAX_INT32


def listed(database: Database, request: PageRequest) -> list[tuple[str, int]]:
    with database.read() as session:
        page = task_executions.list_page(session, node_id("e1", "n0"), request)
    return [(row.name, row.retry_attempt) for row in page.items]


def test_an_attempt_is_written_by_save_and_found_by_its_identifier(database: Database) -> None:
    with database.transaction() as session:
        task_executions.save(session, task_executions.new(attempt_values("e1", "n0", "t", 1, phase="RUNNING")))
    with database.read() as session:
        row = task_executions.find(session, attempt_id("e1", "n0", "t", 1))
        assert row is not None and row.phase == "RUNNING"
        assert task_executions.find(session, attempt_id("e1", "n0", "t", 0)) is None


def test_an_attempt_beyond_what_the_column_holds_does_not_exist(database: Database) -> None:
    with database.read() as session:
        assert task_executions.find(session, attempt_id("e1", "n0", "t", MAX_INT32 + 1)) is None


def test_a_second_first_event_of_an_attempt_is_a_conflict(database: Database) -> None:
    with database.transaction() as session:
        task_executions.save(session, task_executions.new(attempt_values("e1", "n0", "t")))
    with pytest.raises(Conflict), database.transaction() as session:
        task_executions.save(session, task_executions.new(attempt_values("e1", "n0", "t")))


def test_listing_gives_one_nodes_attempts_filtered_on_the_task(database: Database) -> None:
    with database.transaction() as session:
        add_task(session, "t", type="python-task")
        add_task(session, "s", type="sidecar")
        add_task_execution(session, "e1", "n0", "t", 0)
        add_task_execution(session, "e1", "n0", "t", 1)
        add_task_execution(session, "e1", "n0", "s", 0)
        add_task_execution(session, "e1", "n1", "t", 0)
    assert listed(database, PageRequest()) == [("t", 0), ("t", 1), ("s", 0)]
    assert listed(database, PageRequest(filters="eq(task.type,sidecar)")) == [("s", 0)]
    assert listed(database, PageRequest(filters="gt(retry_attempt,0)")) == [("t", 1)]


def test_listing_filters_on_the_node_execution_of_the_attempt(database: Database) -> None:
    with database.transaction() as session:
        add_node_execution(session, "e1", "n0", phase="FAILED")
        add_task_execution(session, "e1", "n0", "t", 0)
    assert listed(database, PageRequest(filters="eq(node_execution.phase,FAILED)")) == [("t", 0)]
    assert listed(database, PageRequest(filters="eq(node_execution.phase,SUCCEEDED)")) == []


def test_parents_among_names_attempts_that_launched_nodes(database: Database) -> None:
    with database.transaction() as session:
        launcher, plain = add_task_execution(session, "e1", "n0", "t"), add_task_execution(session, "e1", "n1", "t")
        add_node_execution(session, "e1", "n0-0-dn0", parent_task_execution_id=launcher.id)
    with database.read() as session:
        assert task_executions.parents_among(session, [launcher.id, plain.id]) == {launcher.id}
