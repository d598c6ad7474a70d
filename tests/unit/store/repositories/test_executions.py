"""store.repositories.executions: executions with their tags, counted per launch plan, and ListExecutions."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from tests.unit.store.repositories.rows import D, P, add_execution, add_launch_plan, add_workflow, execution_id

from flyteplane.errors import InvalidArgument
from flyteplane.store.db import Conflict, Database
from flyteplane.store.listing import ASCENDING, PageRequest, SortBy
from flyteplane.store.models import ExecutionTag
from flyteplane.store.repositories import executions

ARCHIVED = 1


def values(name: str, workflow_id: int, **extra: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "execution_project": P,
        "execution_domain": D,
        "execution_name": name,
        "workflow_id": workflow_id,
        "spec": b"",
        "closure": b"",
    }
    return row | extra


def listed(database: Database, request: PageRequest, name: str = "") -> list[str]:
    with database.read() as session:
        return [row.execution_name for row in executions.list_page(session, P, D, name, request).items]


def test_an_execution_is_written_with_its_tags_and_found_by_its_identifier(database: Database) -> None:
    with database.transaction() as session:
        workflow = add_workflow(session, "wf")
        executions.insert(session, values("e1", workflow.id), {"team": "ml", "nightly": ""})
    with database.read() as session:
        row = executions.find(session, execution_id("e1"))
        assert row is not None and row.workflow_id == workflow.id
        tags = session.scalars(select(ExecutionTag).filter_by(execution_id=row.id).order_by(ExecutionTag.key))
        assert [(tag.key, tag.value) for tag in tags] == [("nightly", ""), ("team", "ml")]
        assert executions.find(session, execution_id("e1", domain="staging")) is None


def test_a_taken_execution_name_fails_the_transaction_with_a_conflict(database: Database) -> None:
    with database.transaction() as session:
        workflow = add_workflow(session, "wf")
        executions.insert(session, values("e1", workflow.id), {})
    with pytest.raises(Conflict), database.transaction() as session:
        executions.insert(session, values("e1", workflow.id), {"a": "b"})


def test_a_locked_lookup_finds_the_same_row(database: Database) -> None:
    with database.transaction() as session:
        add_execution(session, "e1", add_workflow(session, "wf"))
    with database.transaction() as session:
        assert executions.find(session, execution_id("e1"), lock=True) is not None


def test_executions_in_given_phases_are_counted_over_every_version_of_a_launch_plan(database: Database) -> None:
    with database.transaction() as session:
        workflow = add_workflow(session, "wf")
        v1, v2 = add_launch_plan(session, "lp", workflow), add_launch_plan(session, "lp", workflow, "v2")
        other = add_launch_plan(session, "other", workflow)
        for name, plan, phase in (
            ("a", v1, "RUNNING"),
            ("b", v2, "QUEUED"),
            ("c", v2, "SUCCEEDED"),
            ("d", other, "RUNNING"),
        ):
            add_execution(session, name, workflow, launch_plan_id=plan.id, phase=phase)
    with database.read() as session:
        assert executions.count_of_launch_plan(session, P, D, "lp", ("QUEUED", "RUNNING")) == 2
        assert executions.count_of_launch_plan(session, P, "staging", "lp", ("QUEUED", "RUNNING")) == 0


def test_listing_hides_archived_executions_unless_a_filter_names_state(database: Database) -> None:
    with database.transaction() as session:
        workflow = add_workflow(session, "wf")
        add_execution(session, "kept", workflow)
        add_execution(session, "archived", workflow, state=ARCHIVED)
    assert listed(database, PageRequest()) == ["kept"]
    assert listed(database, PageRequest(filters=f"eq(state,{ARCHIVED})")) == ["archived"]
    assert listed(database, PageRequest(filters="ne(execution_name,x)")) == ["kept"]
    assert listed(database, PageRequest(), name="archived") == []


def test_listing_filters_on_the_launch_plan_workflow_and_task_it_runs(database: Database) -> None:
    with database.transaction() as session:
        first, second = add_workflow(session, "wf.first"), add_workflow(session, "wf.second")
        plan = add_launch_plan(session, "lp", first)
        add_execution(session, "a", first, launch_plan_id=plan.id)
        add_execution(session, "b", second)
    assert listed(database, PageRequest(filters="eq(launch_plan.name,lp)")) == ["a"]
    assert listed(database, PageRequest(filters="eq(workflow.name,wf.second)")) == ["b"]
    assert listed(database, PageRequest(filters="eq(task.name,t)")) == []


def test_a_tag_filter_matches_one_tag_row_and_lists_each_execution_once(database: Database) -> None:
    with database.transaction() as session:
        workflow = add_workflow(session, "wf")
        executions.insert(session, values("a", workflow.id), {"team": "ml", "tier": "gold"})
        executions.insert(session, values("b", workflow.id), {"team": "gold"})
    assert listed(database, PageRequest(filters="contains(execution_tag.value,l)")) == ["a", "b"]
    both = "eq(execution_tag.key,team)+eq(execution_tag.value,gold)"
    assert listed(database, PageRequest(filters=both)) == ["b"]


def test_listing_sorts_pages_and_refuses_unknown_entities(database: Database) -> None:
    with database.transaction() as session:
        workflow = add_workflow(session, "wf")
        for name in ("c", "a", "b"):
            add_execution(session, name, workflow)
    assert listed(database, PageRequest(sort=SortBy("execution_name", ASCENDING), limit=2)) == ["a", "b"]
    with pytest.raises(InvalidArgument, match="'at' entity is not allowed in filters"):
        listed(database, PageRequest(filters="eq(admin_tag.name,x)"))
