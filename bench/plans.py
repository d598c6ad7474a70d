"""The database's query plans for the listings the benchmarks time, to explain their figures.

The statements are the ones flyteplane's own list code issues (captured as it runs them), then EXPLAINed:
SQLite's `EXPLAIN QUERY PLAN`, PostgreSQL's `EXPLAIN`. Reading is all this does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flyteidl.admin import common_pb2
from sqlalchemy import event
from sqlalchemy.orm import Session

from bench.catalog import DOMAIN, PROJECT, Catalog
from flyteplane.services.registry.tasks import TASKS
from flyteplane.store.db import Database


def task_query_plans(url: str, catalog: Catalog, page_size: int, deep_offset: int) -> dict[str, list[str]]:
    """One plan (as lines) per kind of task lookup the registry benchmarks time."""
    everything = common_pb2.NamedEntityIdentifier(project=PROJECT, domain=DOMAIN)
    one_name = common_pb2.NamedEntityIdentifier(project=PROJECT, domain=DOMAIN, name=catalog.name(0))

    def listing(**fields: Any) -> Callable[[Session], object]:
        request = common_pb2.ResourceListRequest(limit=page_size, **fields)
        return lambda session: TASKS.list(session, request)

    first_page = listing(id=everything)
    lookups: dict[str, Callable[[Session], object]] = {
        "GetTask": lambda session: TASKS.find(session, catalog.identifier(0)),
        "ListTasks first page": first_page,
        "ListTasks by token": lambda session: _follow(session, first_page, page_size),
        f'ListTasks token "{deep_offset}"': listing(id=everything, token=str(deep_offset)),
        "ListTasks eq(name,...)": listing(id=everything, filters=f"eq(name,{catalog.name(0)})"),
        "ListTasks sort_by name": listing(id=everything, sort_by=common_pb2.Sort(key="name", direction=1)),
        "ListTasks latest version": listing(id=one_name, sort_by=common_pb2.Sort(key="created_at")),
    }
    db = Database(url)
    try:
        return {title: _plan(db, run) for title, run in lookups.items()}
    finally:
        db.close()


def _follow(session: Session, first_page: Callable[[Session], object], page_size: int) -> object:
    """The second page, reached by the token the first one returned."""
    page: Any = first_page(session)
    request = common_pb2.ResourceListRequest(
        id=common_pb2.NamedEntityIdentifier(project=PROJECT, domain=DOMAIN), limit=page_size, token=page.token
    )
    return TASKS.list(session, request)


def _plan(db: Database, run: Callable[[Session], object]) -> list[str]:
    statements: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        with db.read() as session:
            run(session)
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    statement, parameters = statements[-1]
    explain = "EXPLAIN QUERY PLAN " if db.dialect == "sqlite" else "EXPLAIN "
    with db.read() as session:
        rows = session.connection().exec_driver_sql(explain + statement, parameters).all()
    return [str(row[-1]) for row in rows]  # SQLite: (id, parent, notused, detail); PostgreSQL: (line,)
