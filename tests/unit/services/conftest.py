"""Service-test fixtures: settings, and a migrated database holding the `flytesnacks` project.

`db` is SQLite in a temporary folder; `postgres_db` is the same on a throwaway PostgreSQL database of this run
(skipped when no server is reachable, a failure in CI).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from tests.postgres import temporary_database

from flyteplane.config import Settings
from flyteplane.store.db import Database, migrate
from flyteplane.store.models import Project

PROJECT = "flytesnacks"


def _with_project(database: Database) -> Database:
    migrate(database.engine)
    with database.transaction() as session:
        session.add(Project(identifier=PROJECT, name=PROJECT))
    return database


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = _with_project(Database(f"sqlite:///{tmp_path}/t.db"))
    yield database
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
    with database.transaction() as session:
        session.add(Project(identifier=PROJECT, name=PROJECT))
    yield database
    database.close()
