"""Database engine, sessions and migrations: SQLite (WAL) by default, PostgreSQL when configured."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

__all__ = ["Conflict", "Database", "make_engine", "migrate"]

MIGRATIONS = Path(__file__).parent / "migrations"
READ_ONLY = "flyteplane_read_only"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets readers run beside the single writer; a busy timeout makes writers queue instead of failing."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA case_sensitive_like=ON")  # LIKE behaves as on PostgreSQL
    cursor.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, pool_size=16)
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling defers BEGIN; take the write lock at BEGIN so that two writers never
        # deadlock upgrading a read lock (a classic SQLite failure under concurrency).
        event.listen(engine, "begin", _sqlite_begin)
        _disable_pysqlite_autobegin(engine)
        return engine
    return create_engine(url, pool_size=16, max_overflow=16, pool_pre_ping=True)


def _sqlite_begin(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE")


def _disable_pysqlite_autobegin(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to the newest revision (or `revision`); safe to call on every start."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    if engine.dialect.name == "sqlite":
        # Fresh planner statistics, sampled so it stays quick on big tables: without them SQLite may pick an
        # index that forces a sort of every row of a project's listing.
        with engine.begin() as connection:
            connection.exec_driver_sql("PRAGMA analysis_limit=1000")
            connection.exec_driver_sql("ANALYZE")


class Conflict(IntegrityError):
    """A write that broke a uniqueness (or foreign-key) rule: another writer got there first.

    `Database.transaction()` raises it in place of SQLAlchemy's IntegrityError, which it still is, so that the
    services can tell a lost race from a failure without knowing SQLAlchemy.
    """


class Database:
    """The engine plus a session factory; `transaction()` commits on success and rolls back on any error."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._read_sessions = sessionmaker(self.engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose writes commit together when the block ends; a broken uniqueness rule is a Conflict."""
        try:
            with self._sessions.begin() as session:
                yield session
        except Conflict:
            raise
        except IntegrityError as exc:
            raise Conflict(exc.statement, exc.params, exc.orig or exc) from exc

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for queries only: on SQLite it takes no write lock, so reads never wait for writers."""
        with self._read_sessions() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()
