"""The Ray executor: each task attempt is a Ray job, submitted through the cluster's Jobs API.

The submission id is the attempt id, so submitting again after a crash finds the job already there and adopts
it. At most `max_jobs` jobs are submitted and unfinished at once; further attempts wait in the server, their
requests on disk (`<home>/ray-jobs/<attempt>.request`, so a restart keeps them), and are submitted in order as
jobs end: Ray fails a job that stays pending for 15 minutes, which a big map task on a small cluster would meet.
Ray keeps everything else about a job (status, exit code, logs, the metadata naming this engine and the attempt's
timeout); flyteplane keeps only why it stopped a job (terminated, or timed out), written before the stop request,
and the reason an attempt could not be submitted at all.

One background thread asks Ray about the jobs that are not over (one keep-alive connection, one request per
job: the listing of all jobs grows with the cluster's history), stops those past their timeout, and tells the engine
through `on_change` when one starts or ends. A restarted executor adopts the jobs its engine owner submitted
(their metadata names it) at the first `live()`.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from flyteplane.engine.executors.attempt_files import valid_attempt_id
from flyteplane.engine.executors.base import ANY_CONTAINER, AttemptPhase, AttemptStatus, TaskAttempt, log_link
from flyteplane.engine.executors.command import NotRunnable
from flyteplane.engine.executors.environment import PythonEnvironments
from flyteplane.engine.executors.goformat import go_duration
from flyteplane.engine.executors.ray.jobs_api import JobExists, JobsApi, RayUnavailable
from flyteplane.engine.executors.ray.logs import RayJobLogs
from flyteplane.engine.executors.ray.resources import InvalidQuantity
from flyteplane.engine.executors.ray.submission import OWNER_KEY, TIMEOUT_KEY, InvalidRayTask, job_request
from flyteplane.engine.executors.substitution import TemplateError

__all__ = ["TASK_TYPES", "RayExecutor", "job_status"]

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0  # a Ray job takes seconds to start; a look that took long rests twice as long before the next
MESSAGE_TAIL_CHARS = 2048
DEFAULT_MAX_JOBS = 64
TASK_TYPES = frozenset({ANY_CONTAINER})  # whatever has a command line; a `ray` task's driver is a job like any other

_RUNNING_STATES = ("PENDING", "RUNNING")
_SYSTEM_ERRORS = (
    "JOB_SUPERVISOR_ACTOR_DIED",
    "JOB_SUPERVISOR_ACTOR_START_TIMEOUT",
    "JOB_SUPERVISOR_ACTOR_UNSCHEDULABLE",
)


def _moment(milliseconds: Any) -> datetime | None:
    return datetime.fromtimestamp(milliseconds / 1000, tz=timezone.utc) if milliseconds else None


def _tail(text: str) -> str:
    return text if len(text) <= MESSAGE_TAIL_CHARS else "..." + text[-MESSAGE_TAIL_CHARS:]


def job_status(job: Mapping[str, Any], stop: str | None, logs: tuple[Any, ...] = ()) -> AttemptStatus:
    """What a Ray job's details say about the attempt, given why flyteplane stopped it (None: it did not)."""
    state = str(job.get("status", ""))
    started, finished = _moment(job.get("start_time")), _moment(job.get("end_time"))
    code = job.get("driver_exit_code")
    exit_code = code if isinstance(code, int) else None
    message = str(job.get("message") or "")
    if stop == "terminate":
        ended = finished if state not in _RUNNING_STATES else None
        return AttemptStatus(AttemptPhase.ABORTED, exit_code, "the attempt was terminated", started, ended, logs)
    if state == "PENDING":
        return AttemptStatus(AttemptPhase.QUEUED, message=message, started_at=started, logs=logs)
    if state == "RUNNING":
        return AttemptStatus(AttemptPhase.RUNNING, started_at=started, logs=logs)
    if state == "SUCCEEDED":  # it ended well before a stop for its timeout reached it
        return AttemptStatus(AttemptPhase.SUCCEEDED, exit_code or 0, "", started, finished, logs)
    if stop is not None and stop.startswith("timeout"):
        seconds = float(stop.partition(" ")[2] or 0)
        expired = f"task execution timeout [{go_duration(round(seconds * 1e9))}] expired"
        return AttemptStatus(AttemptPhase.FAILED, exit_code, expired, started, finished, logs, timed_out=True)
    if state == "STOPPED":
        lost = "the Ray job was stopped by someone other than flyteplane"
        return AttemptStatus(AttemptPhase.LOST, exit_code, lost, started, finished, logs)
    if job.get("error_type") in _SYSTEM_ERRORS:
        return AttemptStatus(
            AttemptPhase.LOST, exit_code, f"Ray lost the job: {_tail(message)}", started, finished, logs
        )
    return AttemptStatus(
        AttemptPhase.FAILED, exit_code, _tail(message) or "the Ray job failed", started, finished, logs
    )


@dataclass
class _Job:
    status: AttemptStatus
    timeout: float | None  # seconds, from the job's metadata
    started: float | None  # epoch seconds Ray started the job
    waiting: bool = False  # its request waits on disk for a free place among the max_jobs


class RayExecutor:
    """Runs task attempts as Ray jobs; see the module docstring. Safe to call from any thread."""

    task_types = TASK_TYPES

    def __init__(
        self,
        home: Path,
        *,
        address: str,
        owner: str,
        public_url: str,
        python_envs: Mapping[str, str] | None = None,
        base_env: Mapping[str, str] | None = None,
        storage_options: Mapping[str, Any] | None = None,
        on_change: Callable[[str], None] | None = None,
        poll_interval: float = POLL_SECONDS,
        clock: Callable[[], float] = time.time,
        max_jobs: int = DEFAULT_MAX_JOBS,
    ) -> None:
        if max_jobs < 1:
            raise ValueError("max_jobs must be at least 1")
        self._api = JobsApi(address)
        self._owner = owner
        self._public_url = public_url.rstrip("/")
        self._pythons = PythonEnvironments(python_envs)
        self._base_env = dict(base_env or {})
        self._storage_options = dict(storage_options or {})  # how the server reads an object store's inputs
        self._on_change = on_change
        self._poll = poll_interval
        self._clock = clock
        self._job_logs = RayJobLogs(home, self._api)
        self._dir = self._job_logs.folder
        self._dir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._jobs: dict[str, _Job] = {}  # attempts not over yet (and terminal ones not yet released)
        self._adopted = False
        self._closed = threading.Event()
        self._unreachable = False
        self._max_jobs = max_jobs
        self._waiting: deque[str] = deque()  # attempts whose request waits on disk, oldest first
        self._pumping = threading.Lock()  # one thread submits waiting requests at a time, in order
        for request in sorted(self._dir.glob("*.request"), key=lambda p: p.stat().st_mtime):
            self._wait_in_line(request.name.removesuffix(".request"), self._timeout_of(request))
        self._thread = threading.Thread(target=self._monitor, name="flyteplane-ray-executor", daemon=True)
        self._thread.start()

    @property
    def address(self) -> str:
        return self._api.address

    # -- the Executor interface ------------------------------------------------------------------------------

    def submit(self, attempt: TaskAttempt) -> None:
        attempt_id = attempt.attempt_id
        if not valid_attempt_id(attempt_id):
            raise ValueError(f"invalid attempt id [{attempt_id}]")
        with self._lock:
            if attempt_id in self._jobs or self._error_file(attempt_id).exists():
                return
        try:
            request = job_request(
                attempt,
                owner=self._owner,
                pythons=self._pythons,
                base_env=self._base_env,
                storage_options=self._storage_options,
            )
        except (NotRunnable, TemplateError, InvalidQuantity, InvalidRayTask) as e:
            self._write(self._error_file(attempt_id), str(e))
            return
        self._write(self._request_file(attempt_id), json.dumps(request))
        self._wait_in_line(attempt_id, attempt.timeout.total_seconds() if attempt.timeout else None)
        if not self._unreachable:  # else the monitor submits it once Ray answers; the engine's thread goes on
            self._pump()

    def status(self, attempt_id: str) -> AttemptStatus:
        with self._lock:
            known = self._jobs.get(attempt_id)
        if known is not None:
            return known.status
        if not valid_attempt_id(attempt_id):
            return AttemptStatus(AttemptPhase.LOST, message=f"unknown attempt [{attempt_id}]")
        error = self._read(self._error_file(attempt_id))
        if error is not None:
            return AttemptStatus(AttemptPhase.FAILED, message=error)
        try:
            job = self._api.job(attempt_id)
        except RayUnavailable as e:
            return AttemptStatus(AttemptPhase.QUEUED, message=str(e))  # wait for the cluster to come back
        if job is None:
            return AttemptStatus(AttemptPhase.LOST, message=f"the Ray cluster has no job [{attempt_id}]")
        entry = self._track(attempt_id, job)
        return entry.status

    def terminate(self, attempt_id: str) -> None:
        with self._lock:
            known = self._jobs.get(attempt_id)
            if known is not None and known.status.phase.terminal:
                return
            if known is not None and known.waiting:  # never submitted: nothing to stop
                self._waiting.remove(attempt_id)
                self._write(self._stop_file(attempt_id), "terminate")
                self._request_file(attempt_id).unlink(missing_ok=True)
                now = datetime.fromtimestamp(self._clock(), tz=timezone.utc)
                message = "the attempt was terminated before it was submitted"
                known.status = AttemptStatus(AttemptPhase.ABORTED, None, message, None, now, known.status.logs)
                known.waiting = False
                abandoned = True
            else:
                abandoned = False
        if abandoned:
            self._notify([attempt_id])
            self._pump()
            return
        if not valid_attempt_id(attempt_id) or self._error_file(attempt_id).exists():
            return
        self._write(self._stop_file(attempt_id), "terminate")
        try:
            self._api.stop(attempt_id)
        except RayUnavailable:
            log.warning("ray executor: cannot stop job %s now; it is stopped once Ray answers", attempt_id)
        with self._lock:
            known = self._jobs.get(attempt_id)
            if known is not None:
                known.status = AttemptStatus(
                    AttemptPhase.ABORTED,
                    message="the attempt was terminated",
                    started_at=known.status.started_at,
                    logs=known.status.logs,
                )
        self._notify([attempt_id])

    def live(self) -> list[str]:
        if not self._adopted:
            self._adopt()
        with self._lock:
            return [k for k, v in self._jobs.items() if not v.status.phase.terminal]

    def release(self, attempt_id: str) -> None:
        with self._lock:
            entry = self._jobs.get(attempt_id)
            if entry is not None and entry.status.phase.terminal:
                del self._jobs[attempt_id]  # status() asks Ray again if it is ever wanted

    # -- extras for the engine, the logs route and tests -----------------------------------------------------

    def set_on_change(self, callback: Callable[[str], None] | None) -> None:
        """`callback(attempt_id)` runs on the executor's thread whenever an attempt starts or ends."""
        self._on_change = callback

    def log_file(self, attempt_id: str, stream: str) -> Path | None:
        """The file behind an attempt's log link: the job's logs as Ray has them now (see logs.py)."""
        return self._job_logs.log_file(attempt_id, stream)

    def wait(self, attempt_id: str, timeout: float) -> AttemptStatus:
        """Polls until the attempt is over (or `timeout` seconds pass); for tests and tools."""
        deadline = time.monotonic() + timeout
        while True:
            status = self.status(attempt_id)
            if (status.phase.terminal and status.finished_at is not None) or time.monotonic() >= deadline:
                return status
            time.sleep(0.2)

    def close(self) -> None:
        """Stops watching; the jobs carry on and a new executor with the same owner adopts them."""
        self._closed.set()
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout=30)
        self._api.close()

    def __enter__(self) -> RayExecutor:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- tracking ------------------------------------------------------------------------------------------------

    def _track(self, attempt_id: str, job: Mapping[str, Any], *, known_only: bool = False) -> _Job:
        """Records what Ray said about the job; returns the entry (kept only while the engine may ask again;
        with `known_only`, not recorded for an attempt released meanwhile)."""
        status = job_status(job, self._read(self._stop_file(attempt_id)), self._logs(attempt_id))
        metadata = job.get("metadata") or {}
        try:
            timeout = float(metadata.get(TIMEOUT_KEY) or 0) or None
        except (TypeError, ValueError):
            timeout = None
        started = job.get("start_time")
        entry = _Job(status, timeout, started / 1000 if isinstance(started, (int, float)) else None)
        with self._lock:
            if not known_only or attempt_id in self._jobs:
                self._jobs[attempt_id] = entry
        return entry

    def _wait_in_line(self, attempt_id: str, timeout: float | None) -> None:
        with self._lock:
            if attempt_id in self._jobs:
                return
            status = AttemptStatus(AttemptPhase.QUEUED, message="waiting to be submitted", logs=self._logs(attempt_id))
            self._jobs[attempt_id] = _Job(status, timeout, None, waiting=True)
            self._waiting.append(attempt_id)

    def _pump(self) -> None:
        """Submits waiting requests, oldest first, while fewer than max_jobs jobs are unfinished."""
        with self._pumping:
            while True:
                with self._lock:
                    in_flight = sum(
                        1 for job in self._jobs.values() if not job.waiting and not job.status.phase.terminal
                    )
                    if not self._waiting or in_flight >= self._max_jobs:
                        return
                    attempt_id = self._waiting[0]
                if not self._submit_waiting(attempt_id):
                    return

    def _submit_waiting(self, attempt_id: str) -> bool:
        """POSTs one waiting request; False when Ray cannot be reached (it stays first in line)."""
        request_file = self._request_file(attempt_id)
        text = self._read(request_file)
        error = None
        if text is not None:
            try:
                self._api.submit(json.loads(text))
            except JobExists:
                log.info("ray executor: attempt %s was submitted before; adopting its job", attempt_id)
            except RayUnavailable as e:
                if not self._unreachable:
                    log.warning("ray executor: cannot submit %s yet: %s", attempt_id, e)
                self._unreachable = True
                return False
            except ValueError as e:  # Ray refused the request itself
                error = str(e)
                self._write(self._error_file(attempt_id), error)
            self._unreachable = False
        with self._lock:
            if self._waiting and self._waiting[0] == attempt_id:
                self._waiting.popleft()
            entry = self._jobs.get(attempt_id)
            if entry is not None and entry.waiting:
                entry.waiting = False
                entry.status = AttemptStatus(AttemptPhase.QUEUED, logs=entry.status.logs)
                if error is not None or text is None:
                    failed = error or "the attempt's request was lost before it was submitted"
                    entry.status = AttemptStatus(AttemptPhase.FAILED, message=failed, logs=entry.status.logs)
        request_file.unlink(missing_ok=True)
        if error is not None or text is None:
            self._notify([attempt_id])
        return True

    def _timeout_of(self, request_file: Path) -> float | None:
        try:
            metadata = json.loads(request_file.read_text(encoding="utf-8")).get("metadata") or {}
            return float(metadata.get(TIMEOUT_KEY) or 0) or None
        except (OSError, ValueError, AttributeError, TypeError):
            return None

    def _adopt(self) -> None:
        """Tracks the unfinished jobs this engine owner submitted before a restart."""
        try:
            jobs = self._api.jobs()
        except RayUnavailable as e:
            log.warning("ray executor: cannot list the cluster's jobs yet: %s", e)
            return
        for job in jobs:
            attempt_id = str(job.get("submission_id") or "")
            metadata = job.get("metadata") or {}
            if (
                isinstance(metadata, dict)
                and metadata.get(OWNER_KEY) == self._owner
                and job.get("status") in _RUNNING_STATES
                and valid_attempt_id(attempt_id)
            ):
                with self._lock:
                    known = attempt_id in self._jobs
                if not known:
                    self._track(attempt_id, job)
        self._adopted = True

    def _monitor(self) -> None:
        rest = self._poll
        while not self._closed.wait(rest):
            started = time.monotonic()
            try:
                if not self._adopted:
                    self._adopt()
                self._refresh()
                self._pump()
            except Exception:  # one bad answer must not stop the executor for every other attempt
                log.exception("ray executor: refreshing the jobs failed")
            rest = max(self._poll, 2 * (time.monotonic() - started))  # the server and Ray's dashboard stay light

    def _refresh(self) -> None:
        with self._lock:
            watched = {k: v for k, v in self._jobs.items() if v.status.finished_at is None and not v.waiting}
        changed: list[str] = []
        for attempt_id, before in watched.items():
            if self._closed.is_set():
                return
            try:
                job = self._api.job(attempt_id)
            except RayUnavailable as e:
                if not self._unreachable:
                    log.warning("ray executor: %s", e)
                self._unreachable = True
                return
            self._unreachable = False
            if job is None:
                lost = AttemptStatus(AttemptPhase.LOST, message=f"the Ray cluster has no job [{attempt_id}]")
                with self._lock:
                    if attempt_id in self._jobs:
                        self._jobs[attempt_id] = _Job(lost, None, None)
                changed.append(attempt_id)
                continue
            entry = self._track(attempt_id, job, known_only=True)
            self._enforce_timeout(attempt_id, entry, job)
            if entry.status.phase != before.status.phase or entry.status.finished_at != before.status.finished_at:
                changed.append(attempt_id)
        self._notify(changed)

    def _enforce_timeout(self, attempt_id: str, entry: _Job, job: Mapping[str, Any]) -> None:
        if entry.timeout is None or entry.started is None or job.get("status") not in _RUNNING_STATES:
            return
        if self._clock() - entry.started < entry.timeout or self._stop_file(attempt_id).exists():
            return
        log.info("ray executor: attempt %s ran past its timeout of %ss; stopping its job", attempt_id, entry.timeout)
        self._write(self._stop_file(attempt_id), f"timeout {entry.timeout}")
        try:
            self._api.stop(attempt_id)
        except RayUnavailable as e:
            log.warning("ray executor: cannot stop job %s: %s", attempt_id, e)

    def _notify(self, attempt_ids: list[str]) -> None:
        callback = self._on_change
        if callback is None:
            return
        for attempt_id in attempt_ids:
            try:
                callback(attempt_id)
            except Exception:
                log.exception("ray executor: on_change callback failed for %s", attempt_id)

    # -- files -----------------------------------------------------------------------------------------------

    def _logs(self, attempt_id: str) -> tuple[Any, ...]:
        return (log_link("Ray job logs", self._job_logs.link(self._public_url, attempt_id)),)

    def _request_file(self, attempt_id: str) -> Path:
        return self._dir / f"{attempt_id}.request"

    def _stop_file(self, attempt_id: str) -> Path:
        return self._dir / f"{attempt_id}.stop"

    def _error_file(self, attempt_id: str) -> Path:
        return self._dir / f"{attempt_id}.error"

    @staticmethod
    def _write(path: Path, text: str) -> None:
        temporary = path.with_suffix(f".{threading.get_ident()}.tmp")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)

    @staticmethod
    def _read(path: Path) -> str | None:
        try:
            return path.read_text(encoding="utf-8")
        except OSError:
            return None
