"""How the executor reads an attempt's end from its exit record."""

from __future__ import annotations

from pathlib import Path

import pytest

from flyteplane.engine.executors.attempt_files import ExitRecord
from flyteplane.engine.executors.base import AttemptPhase
from flyteplane.engine.executors.outcome import Outcome, outcome_of


@pytest.fixture
def stderr(tmp_path: Path) -> Path:
    path = tmp_path / "stderr"
    path.write_text("".join(f"noise {i}\n" for i in range(1000)) + "Traceback: boom\n")
    return path


def outcome(record: ExitRecord, stderr: Path, *, aborted: bool = False, timeout: float = 0) -> Outcome:
    return outcome_of(record, aborted=aborted, timeout_seconds=timeout, stderr=stderr)


def test_exit_zero_succeeds_and_any_other_code_fails_with_the_end_of_stderr(stderr: Path) -> None:
    assert outcome(ExitRecord(1.0, exit_code=0), stderr) == Outcome(AttemptPhase.SUCCEEDED, 0, "")
    failed = outcome(ExitRecord(1.0, exit_code=2), stderr)
    assert (failed.phase, failed.exit_code) == (AttemptPhase.FAILED, 2)
    assert failed.message.startswith("the task process exited with code 2; stderr ends with:\n")
    assert failed.message.endswith("Traceback: boom") and len(failed.message) < 2200


def test_a_signal_is_named(stderr: Path) -> None:
    killed = outcome(ExitRecord(1.0, exit_code=137, signal=9), stderr)
    assert killed.message.startswith("the task process was killed by SIGKILL (exit code 137)")


def test_terminate_wins_over_the_exit_code_and_a_timeout_is_reported_as_flyte_does(stderr: Path) -> None:
    assert outcome(ExitRecord(1.0, exit_code=0), stderr, aborted=True).phase == AttemptPhase.ABORTED
    timed_out = outcome(ExitRecord(1.0, exit_code=143, signal=15, stop="timeout"), stderr, timeout=90)
    assert timed_out == Outcome(AttemptPhase.FAILED, 143, "task execution timeout [1m30s] expired", timed_out=True)


def test_a_supervisor_stopped_by_someone_else_is_an_interruption(stderr: Path) -> None:
    assert outcome(ExitRecord(1.0, exit_code=143, signal=15, stop="terminate"), stderr).phase == AttemptPhase.LOST


def test_records_written_by_the_executor_carry_their_phase(stderr: Path) -> None:
    assert outcome(ExitRecord(1.0, phase="ABORTED"), stderr).phase == AttemptPhase.ABORTED
    lost = outcome(ExitRecord(1.0, phase="LOST", error="supervisor died"), stderr)
    assert (lost.phase, lost.message) == (AttemptPhase.LOST, "supervisor died")
    assert outcome(ExitRecord(1.0, error="cannot run"), stderr) == Outcome(AttemptPhase.FAILED, None, "cannot run")
