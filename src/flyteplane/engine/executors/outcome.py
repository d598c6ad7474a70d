"""How an attempt ended, in the executor's terms, from what its files recorded.

A zero exit is SUCCEEDED even when the task wrote error.pb (flytekit exits 0 on task errors; the engine reads the
error document). A timeout is FAILED with `timed_out`; terminate() makes ABORTED whatever the exit code; a
supervisor stopped by someone else's SIGTERM (a machine shutting down) is LOST, i.e. a system interruption.
"""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass
from pathlib import Path

from flyteplane.engine.executors.attempt_files import ExitRecord
from flyteplane.engine.executors.base import AttemptPhase
from flyteplane.engine.executors.goformat import go_duration

__all__ = ["Outcome", "outcome_of"]

STDERR_TAIL_BYTES = 2048


@dataclass(frozen=True)
class Outcome:
    phase: AttemptPhase
    exit_code: int | None
    message: str
    timed_out: bool = False


def outcome_of(record: ExitRecord, *, aborted: bool, timeout_seconds: float, stderr: Path) -> Outcome:
    code = record.exit_code
    if record.phase is not None:  # the executor ended it without a process
        default = {"ABORTED": "the attempt was terminated before it started", "LOST": "the attempt was lost"}
        message = record.error or default.get(record.phase, "the attempt could not run")
        return Outcome(AttemptPhase(record.phase), code, message)
    if aborted:
        return Outcome(AttemptPhase.ABORTED, code, "the attempt was terminated")
    if record.error is not None:
        return Outcome(AttemptPhase.FAILED, code, record.error)
    if record.stop == "timeout":
        message = f"task execution timeout [{go_duration(round(timeout_seconds * 1e9))}] expired"
        return Outcome(AttemptPhase.FAILED, code, message, timed_out=True)
    if record.stop == "terminate":
        return Outcome(AttemptPhase.LOST, code, "the attempt was interrupted: its supervisor was sent SIGTERM")
    if code == 0:
        return Outcome(AttemptPhase.SUCCEEDED, code, "")
    return Outcome(AttemptPhase.FAILED, code, _failure_message(record, stderr))


def _failure_message(record: ExitRecord, stderr: Path) -> str:
    if record.signal:
        try:
            name = signal.Signals(record.signal).name
        except ValueError:
            name = str(record.signal)
        head = f"the task process was killed by {name} (exit code {record.exit_code})"
    else:
        head = f"the task process exited with code {record.exit_code}"
    tail = _tail(stderr, STDERR_TAIL_BYTES).strip()
    return f"{head}; stderr ends with:\n{tail}" if tail else head


def _tail(path: Path, limit: int) -> str:
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - limit))
            data = f.read()
    except OSError:
        return ""
    if size > limit:
        data = data[data.find(b"\n") + 1 :]  # start at a whole line
    return data.decode("utf-8", "replace")
