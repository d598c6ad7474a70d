"""What a Ray job's details mean for the attempt: Ray's job states, flyteplane's own stops, Ray's system errors."""

from __future__ import annotations

from typing import Any

from flyteplane.engine.executors.base import AttemptPhase
from flyteplane.engine.executors.ray.executor import job_status


def job(status: str, **extra: Any) -> dict[str, Any]:
    return {"status": status, "start_time": 1_700_000_000_000, "end_time": None, "message": "", **extra}


def test_pending_and_running() -> None:
    assert job_status(job("PENDING"), None).phase == AttemptPhase.QUEUED
    running = job_status(job("RUNNING"), None)
    assert running.phase == AttemptPhase.RUNNING
    assert running.started_at is not None and running.started_at.timestamp() == 1_700_000_000
    assert running.finished_at is None


def test_succeeded_and_failed_with_the_exit_code_and_the_end_of_the_message() -> None:
    done = job_status(job("SUCCEEDED", end_time=1_700_000_005_000, driver_exit_code=0), None)
    assert (done.phase, done.exit_code) == (AttemptPhase.SUCCEEDED, 0)
    assert done.finished_at is not None
    message = "Job entrypoint command failed with exit code 3, last available logs:\n" + "x" * 5000 + "\nboom"
    failed = job_status(
        job("FAILED", end_time=1, driver_exit_code=3, error_type="JOB_ENTRYPOINT_COMMAND_ERROR", message=message),
        None,
    )
    assert (failed.phase, failed.exit_code) == (AttemptPhase.FAILED, 3)
    assert failed.message.endswith("boom") and len(failed.message) < 2100


def test_flyteplanes_stops_are_aborted_or_timed_out_and_anyone_elses_is_lost() -> None:
    terminated = job_status(job("RUNNING"), "terminate")
    assert terminated.phase == AttemptPhase.ABORTED and terminated.finished_at is None  # still stopping
    assert job_status(job("STOPPED", end_time=2), "terminate").finished_at is not None
    timed_out = job_status(job("STOPPED", end_time=2), "timeout 3.0")
    assert (timed_out.phase, timed_out.timed_out) == (AttemptPhase.FAILED, True)
    assert timed_out.message == "task execution timeout [3s] expired"
    assert job_status(job("SUCCEEDED", end_time=2), "timeout 3.0").phase == AttemptPhase.SUCCEEDED
    assert job_status(job("STOPPED", end_time=2), None).phase == AttemptPhase.LOST


def test_a_dead_job_supervisor_is_a_system_failure() -> None:
    lost = job_status(job("FAILED", end_time=2, error_type="JOB_SUPERVISOR_ACTOR_DIED", message="node died"), None)
    assert lost.phase == AttemptPhase.LOST and "node died" in lost.message
