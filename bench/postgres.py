"""A throwaway PostgreSQL database for one benchmark run, dropped afterwards even if the run fails."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

ADMIN_URL = os.environ.get("FLYTEPLANE_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server answered at the admin URL."""


@contextmanager
def temporary_database(admin_url: str = ADMIN_URL) -> Iterator[str]:
    """Yields the `postgresql://` URL of a new empty database on the server behind `admin_url`."""
    import psycopg

    try:
        admin = psycopg.connect(admin_url, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        raise PostgresUnavailable(f"PostgreSQL is not reachable at {admin_url}: {exc}") from exc
    name = f"flyteplane_bench_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield admin_url.rsplit("/", 1)[0] + "/" + name
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
