"""store.listing: the one path of every List RPC — filters, joins, hidden rows, sort, keyset page."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import func, select
from tests.unit.store.repositories.rows import add_execution, add_launch_plan, add_task, add_workflow

from flyteplane.errors import InvalidArgument
from flyteplane.store.db import Database
from flyteplane.store.filters import Filter, FilterableEntity, FilterScope, SortOrder
from flyteplane.store.listing import ASCENDING, DESCENDING, Listing, PageRequest, SortBy, fetch_page
from flyteplane.store.models import Execution, LaunchPlan, Task

TASK = FilterableEntity(code="t", columns={"id": Task.id, "name": Task.name, "version": Task.version})
TASKS = Listing(scope=FilterScope(default="task", entities={"task": TASK}))


def names(database: Database, listing: Listing, request: PageRequest) -> list[str]:
    with database.read() as session:
        page = fetch_page(session, select(Task), listing, request, keys=[Task.id], what="ListThings")
    return [row.name for row in page.items]


def seed_tasks(database: Database, *task_names: str) -> None:
    with database.transaction() as session:
        for name in task_names:
            add_task(session, name)


def test_filters_are_checked_before_the_sort_and_the_sort_before_the_token(database: Database) -> None:
    with pytest.raises(InvalidArgument, match="invalid filter"):
        names(database, TASKS, PageRequest(filters="eq(nope,1)", sort=SortBy("nope"), token="junk"))
    with pytest.raises(InvalidArgument, match="invalid sort key 'nope'"):
        names(database, TASKS, PageRequest(sort=SortBy("nope"), token="junk"))
    with pytest.raises(InvalidArgument, match="invalid pagination token junk for ListThings"):
        names(database, TASKS, PageRequest(token="junk"))


def test_without_a_sort_rows_come_in_key_order_or_in_the_listings_default(database: Database) -> None:
    seed_tasks(database, "b", "c", "a")
    assert names(database, TASKS, PageRequest()) == ["b", "c", "a"]
    by_name = Listing(scope=TASKS.scope, default_sort=SortBy("name", ASCENDING))
    assert names(database, by_name, PageRequest()) == ["a", "b", "c"]
    assert names(database, by_name, PageRequest(sort=SortBy("name", DESCENDING))) == ["c", "b", "a"]


def test_hidden_rows_are_left_out_as_the_parsed_filters_decide(database: Database) -> None:
    seed_tasks(database, "a", ".hidden")
    seen: list[Sequence[Filter]] = []

    def hidden(filters: Sequence[Filter]) -> list[Any]:
        seen.append(filters)
        return [] if filters else [Task.name.not_like(".%")]

    listing = Listing(scope=TASKS.scope, hidden=hidden)
    assert names(database, listing, PageRequest()) == ["a"]
    assert names(database, listing, PageRequest(filters="ne(name,x)")) == ["a", ".hidden"]
    assert seen == [[], [Filter(entity=None, field="name", function="ne", values=("x",))]]


def test_another_table_is_joined_only_when_a_filter_names_it(database: Database) -> None:
    plan = FilterableEntity(code="l", columns={"name": LaunchPlan.name})
    listing = Listing(
        scope=FilterScope(default="execution", entities={"execution": FilterableEntity("e", {}), "launch_plan": plan}),
        joins={"launch_plan": lambda stmt: stmt.join(LaunchPlan, LaunchPlan.id == Execution.launch_plan_id)},
    )
    with database.transaction() as session:
        workflow = add_workflow(session, "wf")
        add_execution(session, "planned", workflow, launch_plan_id=add_launch_plan(session, "lp", workflow).id)
        add_execution(session, "direct", workflow)

    def listed(request: PageRequest) -> list[str]:
        with database.read() as session:
            page = fetch_page(session, select(Execution), listing, request, keys=[Execution.id], what="List")
        return [row.execution_name for row in page.items]

    assert listed(PageRequest()) == ["planned", "direct"]
    assert listed(PageRequest(filters="eq(launch_plan.name,lp)")) == ["planned"]


def test_a_grouped_select_can_depend_on_the_sort_and_pages_by_its_group_columns(database: Database) -> None:
    with database.transaction() as session:
        for name, version, kind in (("a", "v1", "x"), ("a", "v2", "x"), ("b", "v1", "y"), ("c", "v1", "x")):
            add_task(session, name, version, type=kind)
    listing = Listing(scope=TASKS.scope, sortable=FilterableEntity(code="t", columns={"type": Task.type}))
    orders: list[SortOrder | None] = []

    def stmt(order: SortOrder | None) -> Any:
        """A sort on the type needs the type grouped too (as a sort on a named entity's metadata does)."""
        orders.append(order)
        grouping = [Task.name, Task.type] if order is not None else [Task.name]
        return select(Task.name, func.max(Task.type)).group_by(*grouping)

    request = PageRequest(sort=SortBy("type", DESCENDING), limit=2)
    with database.read() as session:
        first = fetch_page(session, stmt, listing, request, keys=[Task.name], what="List", distinct=True)
        later = PageRequest(sort=request.sort, limit=2, token=first.token)
        second = fetch_page(session, stmt, listing, later, keys=[Task.name], what="List", distinct=True)
        unsorted = fetch_page(session, stmt, listing, PageRequest(), keys=[Task.name], what="List", distinct=True)
    assert [tuple(row) for row in first.items + second.items] == [("b", "y"), ("c", "x"), ("a", "x")]
    assert [tuple(row) for row in unsorted.items] == [("a", "x"), ("b", "y"), ("c", "x")]
    assert [order.key if order else None for order in orders] == ["type", "type", None]
