"""The on-disk record of one local attempt, `<home>/attempts/<attempt_id>/`, read again after a server restart.

    spec.json     argv, env, cwd, timeout (the executor, at submit: enough to start it after a restart)
    work/         the attempt's working directory (fast-registered code is unpacked here)
    tmp/          the task's TMPDIR
    stdout        the task's output streams, kept for the logs route
    stderr
    lock          flock held by the running supervisor: held <=> the attempt is running
    started.json  pid and start time of the supervisor (the supervisor, before it spawns the command)
    exit.json     how it ended (the supervisor; the executor when no supervisor ever ran)
    abort         terminate() was called: the attempt ends ABORTED whatever its exit code

`<home>/attempts/.live/<attempt_id>` marks attempts that were submitted and are not known to have ended, so a restarted
executor finds them without scanning every attempt it ever ran.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flyteplane.engine.executors.supervise import ABORT, EXIT, LOCK, SPEC, STARTED, write_json_atomically
from flyteplane.errors import InvalidArgument

__all__ = ["LIVE_DIR", "AttemptFiles", "AttemptLogFiles", "ExitRecord", "StartRecord", "valid_attempt_id"]

LIVE_DIR = ".live"  # not a valid attempt id, so it can sit beside the attempts
WORK = "work"
STREAMS = ("stdout", "stderr")
_ATTEMPT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.=-]{0,199}")


def valid_attempt_id(attempt_id: str) -> bool:
    """Attempt ids name directories: a safe alphabet, no separators, no `..`."""
    return _ATTEMPT_ID.fullmatch(attempt_id) is not None and ".." not in attempt_id


@dataclass(frozen=True)
class StartRecord:
    pid: int
    start_ticks: int | None
    started_at: float


@dataclass(frozen=True)
class ExitRecord:
    """`phase` is set only when the executor ended the attempt itself (never started, aborted while queued, lost)."""

    finished_at: float
    exit_code: int | None = None
    signal: int | None = None
    stop: str | None = None  # "timeout" | "terminate": the supervisor stopped the command
    error: str | None = None
    phase: str | None = None


class AttemptFiles:
    """Paths and atomic reads/writes of one attempt's directory."""

    def __init__(self, home: Path, attempt_id: str) -> None:
        if not valid_attempt_id(attempt_id):
            raise InvalidArgument(f"invalid attempt id [{attempt_id}]")
        self.attempt_id = attempt_id
        self.dir = home / "attempts" / attempt_id
        self.live_marker = home / "attempts" / LIVE_DIR / attempt_id

    @property
    def work(self) -> Path:
        return self.dir / WORK

    @property
    def tmp(self) -> Path:
        """TMPDIR of the task: flytekit's scratch folders go away with the attempt, not into /tmp forever."""
        return self.dir / "tmp"

    def stream(self, name: str) -> Path:
        return self.dir / name

    def known(self) -> bool:
        """Submitted before: it has ended, or it is still marked live. A directory with neither is the debris of a
        submit cut short by a crash, and may be laid out again."""
        return (self.dir / EXIT).exists() or self.live_marker.exists()

    def create(self, spec: dict[str, Any], *, live: bool = True) -> None:
        """Lays out the directory; the live marker comes last, so a marker always has a complete spec."""
        self.work.mkdir(parents=True, exist_ok=True)
        os.chmod(self.dir, 0o700)
        for name in STREAMS:
            self.stream(name).touch(mode=0o600)
        write_json_atomically(str(self.dir / SPEC), spec)
        if live:
            self.live_marker.parent.mkdir(parents=True, exist_ok=True)
            self.live_marker.touch()

    def spec(self) -> dict[str, Any] | None:
        record = _read_json(self.dir / SPEC)
        return record if isinstance(record, dict) else None

    def started(self) -> StartRecord | None:
        record = _read_json(self.dir / STARTED)
        if not isinstance(record, dict):
            return None
        try:
            ticks = record.get("start_ticks")
            return StartRecord(
                int(record["pid"]), int(ticks) if ticks is not None else None, float(record["started_at"])
            )
        except (KeyError, TypeError, ValueError):
            return None

    def exit(self) -> ExitRecord | None:
        record = _read_json(self.dir / EXIT)
        if not isinstance(record, dict):
            return None
        known = {k: record.get(k) for k in ("exit_code", "signal", "stop", "error", "phase")}
        try:
            return ExitRecord(finished_at=float(record.get("finished_at") or 0.0), **known)
        except (TypeError, ValueError):
            return None

    def write_exit(self, record: ExitRecord) -> None:
        """Only for attempts no supervisor runs: the supervisor owns exit.json otherwise."""
        write_json_atomically(str(self.dir / EXIT), record.__dict__)

    def mark_aborted(self) -> None:
        (self.dir / ABORT).touch()

    def aborted(self) -> bool:
        return (self.dir / ABORT).exists()

    def drop_live_marker(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.live_marker.unlink()

    def open_lock(self) -> int:
        return os.open(self.dir / LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)

    def supervisor_alive(self) -> bool:
        """True while a supervisor holds the attempt's lock; unlike a pid, a lock cannot be inherited by chance."""
        fd = self.open_lock()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)  # closing releases the lock if this call took it
        return False


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None


class AttemptLogFiles:
    """The stdout / stderr files behind the attempts' log links under a home: what the log routes serve, also in a
    process that runs no executor but shares its home with one (`serve --no-engine` beside `flyteplane engine`)."""

    def __init__(self, home: Path) -> None:
        self.home = Path(home).absolute()

    def log_file(self, attempt_id: str, stream: str) -> Path | None:
        """The file, if the attempt exists and has it; None for anything else (nothing outside the attempts)."""
        if stream not in ("stdout", "stderr") or not valid_attempt_id(attempt_id):
            return None
        path = AttemptFiles(self.home, attempt_id).stream(stream)
        return path if path.is_file() else None
