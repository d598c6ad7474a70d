"""Service-test fixtures: settings, and a migrated database holding the `flytesnacks` project.

`db` is SQLite in a temporary folder; `postgres_db` is the same on a throwaway PostgreSQL database of this run
(skipped when no server is reachable, a failure in CI); both come from tests/unit/databases.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.unit.databases import PROJECT, db, postgres_db, postgres_url

from flyteplane.config import Settings

__all__ = ["PROJECT", "db", "postgres_db", "postgres_url"]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path)
