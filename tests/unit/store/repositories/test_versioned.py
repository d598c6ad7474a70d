"""store.repositories.versioned: tasks, workflows and launch plans by identity, by page and by name."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect
from tests.unit.store.repositories.rows import D, P, add_launch_plan, add_task, add_workflow

from flyteplane.errors import InvalidArgument
from flyteplane.store.db import Conflict, Database
from flyteplane.store.listing import ASCENDING, PageRequest, SortBy
from flyteplane.store.repositories.versioned import LAUNCH_PLANS, TASKS, WORKFLOWS


def task_values(name: str, version: str = "v1") -> dict[str, object]:
    return {"project": P, "domain": D, "name": name, "version": version, "closure": b"", "digest": "d"}


def listed_tasks(database: Database, request: PageRequest, name: str = "", domain: str = D) -> list[tuple[str, str]]:
    with database.read() as session:
        page = TASKS.list_page(session, P, domain, name, request, what="ListTasks")
    return [(row.name, row.version) for row in page.items]


def test_a_version_is_found_by_its_four_parts(database: Database) -> None:
    with database.transaction() as session:
        inserted = TASKS.insert(session, task_values("t", "v1"))
    with database.read() as session:
        assert TASKS.find(session, P, D, "t", "v1").id == inserted.id  # type: ignore[union-attr]
        assert TASKS.by_id(session, inserted.id).version == "v1"  # type: ignore[union-attr]
        assert TASKS.find(session, P, D, "t", "v2") is None
        assert TASKS.find(session, P, "staging", "t", "v1") is None


def test_a_taken_identity_fails_the_transaction_with_a_conflict(database: Database) -> None:
    with database.transaction() as session:
        TASKS.insert(session, task_values("t"))
    with pytest.raises(Conflict), database.transaction() as session:
        TASKS.insert(session, task_values("t"))


def test_find_all_returns_the_identities_that_exist_in_one_query(database: Database) -> None:
    with database.transaction() as session:
        add_task(session, "a")
        add_task(session, "b", "v2")
    with database.read() as session:
        found = TASKS.find_all(session, [(P, D, "a", "v1"), (P, D, "b", "v2"), (P, D, "c", "v1"), (P, D, "a", "v1")])
        assert sorted(found) == [(P, D, "a", "v1"), (P, D, "b", "v2")]
        assert TASKS.find_all(session, []) == {}


def test_listing_stays_in_its_project_and_domain_and_optional_name(database: Database) -> None:
    with database.transaction() as session:
        add_task(session, "a")
        add_task(session, "a", "v2")
        add_task(session, "b")
        add_task(session, "a", domain="staging")
    assert listed_tasks(database, PageRequest()) == [("a", "v1"), ("a", "v2"), ("b", "v1")]
    assert listed_tasks(database, PageRequest(), name="a") == [("a", "v1"), ("a", "v2")]
    assert listed_tasks(database, PageRequest(), domain="staging") == [("a", "v1")]


def test_listing_filters_and_sorts_on_the_task_columns(database: Database) -> None:
    with database.transaction() as session:
        add_task(session, "a", type="python-task")
        add_task(session, "b", type="container")
        add_task(session, "c", type="python-task")
    request = PageRequest(filters="eq(type,python-task)", sort=SortBy("name", 0))
    assert listed_tasks(database, request) == [("c", "v1"), ("a", "v1")]
    with pytest.raises(InvalidArgument, match=r"'t\.typo' is invalid filter"):
        listed_tasks(database, PageRequest(filters="eq(typo,x)"))


def test_launch_plans_filter_on_the_workflow_they_launch(database: Database) -> None:
    with database.transaction() as session:
        first, second = add_workflow(session, "wf.first"), add_workflow(session, "wf.second")
        add_launch_plan(session, "lp.one", first)
        add_launch_plan(session, "lp.two", second)
    request = PageRequest(filters="eq(workflow.name,wf.second)")
    with database.read() as session:
        page = LAUNCH_PLANS.list_page(session, P, D, "", request, what="ListLaunchPlans")
    assert [row.name for row in page.items] == ["lp.two"]


def test_workflow_listings_leave_the_compiled_closure_unloaded(database: Database) -> None:
    with database.transaction() as session:
        add_workflow(session, "wf")
    with database.read() as session:
        (row,) = WORKFLOWS.list_page(session, P, D, "", PageRequest(), what="ListWorkflows").items
        assert "closure" in inspect(row).unloaded
        assert WORKFLOWS.find(session, P, D, "wf", "v1").closure == b"c"  # type: ignore[union-attr]


def test_names_are_listed_once_each_in_name_order_page_by_page(database: Database) -> None:
    with database.transaction() as session:
        for name, version in (("c", "v1"), ("a", "v1"), ("b", "v1"), ("a", "v2"), ("c", "v2")):
            add_task(session, name, version)
        add_task(session, "elsewhere", domain="staging")
    names, token = [], ""
    while True:
        with database.read() as session:
            page = TASKS.list_names(session, P, D, 2, token, what="ListTaskIds")
        names += [(row.project, row.domain, row.name) for row in page.items]
        token = page.token
        if not token:
            break
    assert names == [(P, D, "a"), (P, D, "b"), (P, D, "c")]


def test_a_sort_key_the_listing_does_not_offer_is_refused(database: Database) -> None:
    with pytest.raises(InvalidArgument, match="invalid sort key 'closure'"):
        listed_tasks(database, PageRequest(sort=SortBy("closure", ASCENDING)))
