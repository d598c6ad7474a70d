"""Store tests run each query on SQLite and on PostgreSQL (`database`), migrated and holding `flytesnacks`."""

from __future__ import annotations

import pytest
from tests.unit.databases import db, postgres_db, postgres_url

from flyteplane.store.db import Database

__all__ = ["database", "db", "postgres_db", "postgres_url"]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest) -> Database:
    found: Database = request.getfixturevalue("db" if request.param == "sqlite" else "postgres_db")
    return found
