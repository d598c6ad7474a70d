"""Fills a fresh flyteplane database with many tasks before the server starts, far faster than CreateTask.

Rows carry exactly what the server would store: the closure compiled by flyteplane's own compiler from a task
flytekit serialized, with each row's identifier in its template, and the digest re-registration compares.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flyteidl.admin import task_pb2
from sqlalchemy import Connection, func, insert, select

from bench.catalog import DOMAIN, PROJECT, Catalog
from flyteplane.compiler import compile_task
from flyteplane.services.registry import digests
from flyteplane.store.db import Database, migrate
from flyteplane.store.models import Project, Task, utcnow

BATCH = 5000


class SeedError(RuntimeError):
    """The target database cannot be seeded (it already holds benchmark tasks)."""


@dataclass(frozen=True)
class Seeded:
    seconds: float
    database: str  # dialect and server version, for the record


def seed_tasks(url: str, spec: task_pb2.TaskSpec, catalog: Catalog, *, analyze: bool) -> Seeded:
    """Migrates the database at `url`, then adds the project and `catalog.count` tasks; with `analyze`, also
    gathers the planner statistics that PostgreSQL's autovacuum would have by the time a table is this big."""
    started = time.perf_counter()
    db = Database(url)
    try:
        migrate(db.engine)
        version = ".".join(str(part) for part in db.engine.dialect.server_version_info or ())
        database = f"{db.dialect} {version}".strip()
        with db.engine.begin() as connection:
            _ensure_project(connection)
            existing = connection.scalar(
                select(func.count()).select_from(Task).where(Task.project == PROJECT, Task.domain == DOMAIN)
            )
            if existing:
                where = f"{PROJECT}/{DOMAIN}"
                raise SeedError(f"{url} already holds {existing} tasks in {where}; use an empty database")
        for batch in _batches(spec, catalog):
            with db.engine.begin() as connection:
                connection.execute(insert(Task), batch)
        if analyze:
            with db.engine.begin() as connection:
                connection.exec_driver_sql("ANALYZE")
    finally:
        db.close()
    return Seeded(seconds=time.perf_counter() - started, database=database)


def _ensure_project(connection: Connection) -> None:
    if connection.scalar(select(Project.id).where(Project.identifier == PROJECT)) is None:
        now = utcnow()
        connection.execute(
            insert(Project),
            [
                {
                    "identifier": PROJECT,
                    "name": PROJECT,
                    "description": "",
                    "labels": b"",
                    "state": 0,
                    "created_at": now,
                    "updated_at": now,
                }
            ],
        )


def _batches(spec: task_pb2.TaskSpec, catalog: Catalog) -> Iterator[list[dict[str, Any]]]:
    template = task_pb2.TaskSpec()
    template.CopyFrom(spec)
    closure = task_pb2.TaskClosure(compiled_task=compile_task(template.template))
    target = closure.compiled_task.template.id
    short_description = spec.description.short_description
    task_type = spec.template.type
    # One second apart, ending now: a registration history, in id order.
    first = utcnow() - timedelta(seconds=catalog.count)
    batch: list[dict[str, Any]] = []
    for row in range(catalog.count):
        target.CopyFrom(catalog.identifier(row))
        created_at = first + timedelta(seconds=row)
        batch.append(
            {
                "project": PROJECT,
                "domain": DOMAIN,
                "name": target.name,
                "version": target.version,
                "closure": closure.SerializeToString(),
                "digest": digests.digest(closure),
                "type": task_type,
                "short_description": short_description,
                "created_at": created_at,
                "updated_at": created_at,
            }
        )
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch
