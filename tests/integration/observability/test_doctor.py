"""`flyteplane doctor` as a user runs it: all checks pass on a home a server has used (SQLite and PostgreSQL),
and each broken part (an unreachable PostgreSQL, a blob store that cannot be written, a schema behind the newest
migration, a Python environment without flytekit) is one FAIL line naming it, with a non-zero exit."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from tests.integration.server import start_server
from tests.postgres import temporary_database

from flyteplane.observability.doctor import head_revision
from flyteplane.store.db import Database, migrate


def doctor(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLYTEPLANE_")}
    return subprocess.run(
        [sys.executable, "-m", "flyteplane", "doctor", "--home", str(home), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def lines(done: subprocess.CompletedProcess[str]) -> list[str]:
    return done.stdout.splitlines()[1:-1]  # between the heading and the summary


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_home_a_server_has_used_passes_every_check(tmp_path: Path, backend: str) -> None:
    home = tmp_path / "home"
    with temporary_database() if backend == "postgres" else contextlib.nullcontext("") as url:
        server = start_server(home, url)
        try:
            done = doctor(home, *(["--db", url] if url else []))  # while the server runs, as an operator would
        finally:
            server.stop()
    assert done.returncode == 0, done.stdout + done.stderr
    database, blobs, executor = lines(done)
    assert database.startswith("ok    database: connected to ")
    assert database.endswith(f"schema at the newest migration ({head_revision()})")
    probes = home / "blobs" / ".flyteplane" / "probe"
    assert blobs.startswith(f"ok    blob store: wrote, read back and deleted {probes}/")
    assert executor.startswith("ok    executor (local), Python environment default: ")
    assert "imports flytekit 1.16." in executor
    assert done.stdout.splitlines()[-1] == "all 3 checks passed"
    assert not any(probes.iterdir()), "the probe is deleted"


def test_an_unreachable_postgresql_is_named_with_the_reason(tmp_path: Path) -> None:
    port = free_port()
    done = doctor(tmp_path, "--db", f"postgresql://postgres:secret@127.0.0.1:{port}/test", "--no-executor")
    assert done.returncode == 1
    database, blobs = lines(done)
    assert database.startswith(
        f"FAIL  database: cannot connect to postgresql+psycopg://postgres:***@127.0.0.1:{port}/test:"
    )
    assert "Connection refused" in database
    assert "secret" not in done.stdout
    assert blobs.startswith("ok    blob store:")
    assert done.stdout.splitlines()[-1] == "1 of 2 checks failed"


def test_a_blob_store_that_cannot_be_written_is_named_with_the_reason(tmp_path: Path) -> None:
    home = tmp_path / "home"
    start_server(home).stop()
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    config = tmp_path / "settings.yaml"
    config.write_text(f"blob_store: {blocker / 'blobs'}\n")
    done = doctor(home, "--config", str(config), "--no-executor")
    assert done.returncode == 1
    database, blobs = lines(done)
    assert database.startswith("ok    database:")
    assert blobs == (
        f"FAIL  blob store: cannot write, read and delete a probe object in {blocker / 'blobs'}: NotADirectoryError: "
        f"[Errno 20] Not a directory: '{blocker / 'blobs'}'"
    )


def test_a_schema_behind_the_newest_migration_and_a_missing_database_are_named(tmp_path: Path) -> None:
    done = doctor(tmp_path / "fresh", "--no-executor")
    assert done.returncode == 1
    assert lines(done)[0] == (
        f"FAIL  database: no SQLite database at {tmp_path / 'fresh' / 'flyteplane.db'} yet; `flyteplane serve` (or "
        "`flyteplane engine`) creates and migrates it at its first start"
    )
    home = tmp_path / "old"
    old = Database(f"sqlite:///{home / 'flyteplane.db'}")
    migrate(old.engine, "0006")
    old.close()
    done = doctor(home, "--no-executor")
    assert done.returncode == 1
    assert lines(done)[0].startswith(
        f"FAIL  database: connected to sqlite:///{home / 'flyteplane.db'}; its schema is at migration 0006, not the "
        f"newest ({head_revision()})"
    )


def test_a_python_environment_without_flytekit_is_named(tmp_path: Path) -> None:
    home = tmp_path / "home"
    start_server(home).stop()
    bare = tmp_path / "bare-env"
    venv.create(bare, with_pip=False)
    config = tmp_path / "settings.yaml"
    config.write_text(f"python_envs:\n  'bare:*': {bare}\n")
    done = doctor(home, "--config", str(config))
    assert done.returncode == 1
    _database, _blobs, default, broken = lines(done)
    assert default.startswith("ok    executor (local), Python environment default:")
    assert broken.startswith(f"FAIL  executor (local), Python environment {bare}: {bare / 'bin' / 'python'} cannot")
    assert broken.endswith("cannot import flytekit: ModuleNotFoundError: No module named 'flytekit'")


class Accepting:
    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        return "250 OK"


def test_the_smtp_server_of_notifications_is_checked_when_configured(tmp_path: Path) -> None:
    from aiosmtpd.controller import Controller

    home = tmp_path / "home"
    start_server(home).stop()
    port = free_port()
    controller = Controller(Accepting(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        config = tmp_path / "smtp.yaml"
        config.write_text(f"smtp_host: 127.0.0.1\nsmtp_port: {port}\n")
        done = doctor(home, "--config", str(config), "--no-executor")
        assert done.returncode == 0, done.stdout
        assert lines(done)[-1] == f"ok    notifications (SMTP): the SMTP server 127.0.0.1:{port} answers without TLS"
        starttls = tmp_path / "starttls.yaml"
        starttls.write_text(f"smtp_host: 127.0.0.1\nsmtp_port: {port}\nsmtp_tls: starttls\n")
        done = doctor(home, "--config", str(starttls), "--no-executor")
        assert done.returncode == 1
        assert lines(done)[-1] == (
            f"FAIL  notifications (SMTP): cannot use the SMTP server 127.0.0.1:{port} with STARTTLS: "
            "SMTPNotSupportedError: STARTTLS extension not supported by server."
        )
    finally:
        controller.stop()
    done = doctor(home, "--config", str(config), "--no-executor")  # nothing listens there now
    assert done.returncode == 1
    assert lines(done)[-1].startswith(
        f"FAIL  notifications (SMTP): cannot use the SMTP server 127.0.0.1:{port} without TLS: ConnectionRefusedError:"
    )
