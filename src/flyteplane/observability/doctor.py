"""`flyteplane doctor`: is everything a flyteplane process needs there, and if not, what exactly is wrong?

Each check answers one question with one line: can the database be reached and is its schema at the newest
migration; can the blob store be written, read and deleted from; can the executor run tasks (for the local
executor: does each Python environment that runs tasks import flytekit; for the Ray executor: does the cluster's
Jobs API answer); and where notifications are sent by email, does the SMTP server answer (with the configured TLS
and login; nothing is sent). The database is neither
created nor migrated: a missing SQLite file or an old schema is reported, not fixed.
"""

from __future__ import annotations

import logging
import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from flyteplane.config import Settings
from flyteplane.store.db import MIGRATIONS

__all__ = [
    "EXECUTOR_CHECKS",
    "Finding",
    "check_blob_store",
    "check_database",
    "check_executor",
    "check_smtp",
    "diagnose",
    "head_revision",
]

CONNECT_TIMEOUT = 5  # seconds: an unreachable database is reported, not waited for
IMPORT_TIMEOUT = 120.0  # seconds: importing flytekit the first time on a cold disk is slow


@dataclass(frozen=True)
class Finding:
    """One check's answer: `ok`, what was checked (`subject`) and what was found, precisely."""

    subject: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'}  {self.subject}: {self.detail}"


def shown_url(url: str) -> str:
    """The database URL without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url


def _first_line(exc: BaseException) -> str:
    reason = str(getattr(exc, "orig", None) or exc).strip()
    return reason.splitlines()[0] if reason else type(exc).__name__


def head_revision() -> str:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    return head or ""


def check_database(settings: Settings) -> Finding:
    url = settings.database_url
    shown = shown_url(url)
    subject = "database"
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:" and not Path(path).is_file():
            return Finding(
                subject,
                False,
                f"no SQLite database at {path} yet; `flyteplane serve` (or `flyteplane engine`) creates and migrates"
                " it at its first start",
            )
        connect_args: dict[str, object] = {"timeout": CONNECT_TIMEOUT}
    else:
        connect_args = {"connect_timeout": CONNECT_TIMEOUT}
    head = head_revision()
    logging.getLogger("alembic").setLevel(logging.WARNING)  # its "Context impl ..." lines say nothing here
    try:
        engine = create_engine(url, connect_args=connect_args)
    except Exception as exc:
        return Finding(subject, False, f"cannot use the database URL {shown}: {_first_line(exc)}")
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            current = MigrationContext.configure(connection).get_current_revision()
    except Exception as exc:
        return Finding(subject, False, f"cannot connect to {shown}: {_first_line(exc)}")
    finally:
        engine.dispose()
    if current is None:
        return Finding(
            subject,
            False,
            f"connected to {shown}, but it holds no flyteplane schema; `flyteplane serve` migrates it to {head} at"
            " start",
        )
    if current != head:
        return Finding(
            subject,
            False,
            f"connected to {shown}; its schema is at migration {current}, not the newest ({head}): start this"
            " version of `flyteplane serve` once to migrate it (or it was migrated by a newer flyteplane)",
        )
    return Finding(subject, True, f"connected to {shown}; schema at the newest migration ({head})")


def check_blob_store(settings: Settings) -> Finding:
    from flyteplane.server.composition import open_blob_store

    base = settings.blob_base
    subject = "blob store"
    try:
        store = open_blob_store(settings)  # with an s3:// store: its endpoint, region and AWS_* credentials
        probe = store.probe()
    except Exception as exc:
        reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        return Finding(subject, False, f"cannot write, read and delete a probe object in {base}: {reason}")
    return Finding(subject, True, f"wrote, read back and deleted {probe}")


def _local_executor(settings: Settings) -> list[Finding]:
    """Every Python environment that runs tasks (the server's own and each of python_envs) imports flytekit."""
    from flyteplane.engine.executors.environment import PythonEnvironments

    try:
        environments = PythonEnvironments(settings.python_envs).every()
    except Exception as exc:
        return [Finding("executor (local)", False, f"python_envs: {_first_line(exc)}")]
    findings: list[Finding] = []
    for environment in environments:
        subject = f"executor (local), Python environment {environment.name}"
        python = next(
            (
                os.path.join(environment.bin_dir, name)
                for name in ("python", "python3")
                if os.access(os.path.join(environment.bin_dir, name), os.X_OK)
            ),
            None,
        )
        if python is None:
            findings.append(Finding(subject, False, f"no python or python3 in {environment.bin_dir}"))
            continue
        env = {"PATH": environment.bin_dir + os.pathsep + os.environ.get("PATH", os.defpath), "HOME": str(Path.home())}
        try:
            done = subprocess.run(
                [python, "-c", "import flytekit; print(flytekit.__version__)"],
                capture_output=True,
                text=True,
                timeout=IMPORT_TIMEOUT,
                env=env,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            findings.append(Finding(subject, False, f"{python} could not be run: {exc}"))
            continue
        if done.returncode != 0:
            error = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
            findings.append(Finding(subject, False, f"{python} cannot import flytekit: {error}"))
            continue
        findings.append(Finding(subject, True, f"{python} imports flytekit {done.stdout.strip()}"))
    return findings


def check_smtp(settings: Settings) -> Finding:
    """The SMTP server notifications go through answers, with the configured TLS and login (nothing is sent)."""
    from flyteplane.services.notifications.sender import smtp_session

    where = f"{settings.smtp_host}:{settings.smtp_port}"
    subject = "notifications (SMTP)"
    tls = {"none": "without TLS", "starttls": "with STARTTLS", "ssl": "over TLS"}[settings.smtp_tls]
    try:
        with smtp_session(settings, timeout=CONNECT_TIMEOUT) as smtp:
            code, reply = smtp.noop()
    except Exception as exc:
        reason = str(exc) or type(exc).__name__
        return Finding(subject, False, f"cannot use the SMTP server {where} {tls}: {type(exc).__name__}: {reason}")
    if code != 250:
        return Finding(
            subject, False, f"the SMTP server {where} answered NOOP with {code} {reply.decode(errors='replace')}"
        )
    login = f", logged in as {settings.smtp_user}" if settings.smtp_user else ""
    return Finding(subject, True, f"the SMTP server {where} answers {tls}{login}")


def _ray_executor(settings: Settings) -> list[Finding]:
    """The Ray cluster's Jobs API answers at ray_address (the tasks' Python on its nodes is the cluster's own)."""
    from flyteplane.engine.executors.ray.jobs_api import JobsApi, RayUnavailable

    subject = "executor (ray)"
    try:
        api = JobsApi(settings.ray_address, timeout=10)
        version = api.version()
        api.close()
    except (RayUnavailable, ValueError) as exc:
        return [Finding(subject, False, _first_line(exc))]
    ray = version.get("ray_version", "of unknown version")
    return [Finding(subject, True, f"the Jobs API at {settings.ray_address} answers (Ray {ray})")]


# executor name -> its check; an executor added in settings adds its own here
EXECUTOR_CHECKS: dict[str, Callable[[Settings], list[Finding]]] = {"local": _local_executor, "ray": _ray_executor}


def check_executor(settings: Settings) -> list[Finding]:
    name = str(getattr(settings, "executor", "local"))
    check = EXECUTOR_CHECKS.get(name)
    if check is None:
        return [Finding(f"executor ({name})", False, f"flyteplane doctor has no check for the executor {name!r}")]
    return check(settings)


def diagnose(settings: Settings, *, executor: bool = True) -> list[Finding]:
    """Every check, in the order a server needs them."""
    findings = [check_database(settings), check_blob_store(settings)]
    if executor:
        findings.extend(check_executor(settings))
    if settings.smtp_host:
        findings.append(check_smtp(settings))
    return findings
