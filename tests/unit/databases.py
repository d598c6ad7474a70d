"""Migrated test databases holding the `flytesnacks` project, for the services' and the store's tests.

`db` is SQLite in a temporary folder; `postgres_db` is the same on a throwaway PostgreSQL database of this run
(skipped when no server is reachable, a failure in CI). A conftest imports the fixtures it offers.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from tests.postgres import temporary_database

from flyteplane.store.db import Database, migrate
from flyteplane.store.models import Project

PROJECT = "flytesnacks"


def _with_project(database: Database) -> Database:
    with database.transaction() as session:
        session.add(Project(identifier=PROJECT, name=PROJECT))
    return database


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path}/t.db")
    migrate(database.engine)
    yield _with_project(database)
    database.close()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    with temporary_database() as url:
        yield "postgresql+psycopg://" + url.split("://", 1)[1]


@pytest.fixture
def postgres_db(postgres_url: str) -> Iterator[Database]:
    """The run's PostgreSQL database, emptied for each test (creating one per test would be slow)."""
    database = Database(postgres_url)
    migrate(database.engine)
    tables = [name for name in inspect(database.engine).get_table_names() if name != "alembic_version"]
    with database.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    yield _with_project(database)
    database.close()
