"""The default executor: each task attempt is a local process, run by a small supervisor that outlives the server.

An attempt is prepared at submit (command rendered, environment built, everything written under
`<home>/attempts/<attempt_id>/`), waits for its code bundle if it has one (fetched once into the bundle cache,
bundles.py), then in a FIFO queue for one of `max_concurrency` slots. It then runs under a supervisor in its own
session, which starts the command in its own process group and records the exit status even if the server is
dead: forked from a warm interpreter of its Python environment when it is a flytekit task (warm.py, zygote.py),
else as `supervise.py` exec'ing the command line (a cold start). One background thread waits on the supervisors'
pidfds and the warm interpreters' sockets (no polling on Linux), starts queued attempts as slots free up, and tells
the engine through `on_change`. A restarted executor adopts what its predecessor left running or queued, from the
files alone, whichever way they started.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import selectors
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from flyteidl.core import execution_pb2

from flyteplane.engine.executors import supervise
from flyteplane.engine.executors.attempt_files import (
    LIVE_DIR,
    AttemptFiles,
    AttemptLogFiles,
    ExitRecord,
    StartRecord,
    valid_attempt_id,
)
from flyteplane.engine.executors.base import AttemptPhase, AttemptStatus, TaskAttempt, log_link
from flyteplane.engine.executors.bundles import Bundle, BundleCache
from flyteplane.engine.executors.environment import PythonEnvironments
from flyteplane.engine.executors.outcome import outcome_of
from flyteplane.engine.executors.preparation import attempt_spec
from flyteplane.engine.executors.warm import WAIT, Forked, NotForked, Orphaned, WarmPool, WarmSettings, open_pidfd

__all__ = ["LocalExecutor"]

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5
"""How often attempts are checked where pidfds are unavailable (not Linux); with pidfds nothing polls."""
DEFAULT_GRACE_SECONDS = 5.0


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _moment(timestamp: float | None) -> datetime | None:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc) if timestamp else None


def _about(entry: _Attempt | None) -> dict[str, Any]:
    """`extra` for a log line about an attempt: its execution, as engine rounds name theirs (see
    observability/logs.py), from the variables the attempt runs with."""
    env = entry.spec.get("env", {}) if entry is not None else {}
    parts = [env.get(f"FLYTE_INTERNAL_EXECUTION_{name}", "") for name in ("PROJECT", "DOMAIN", "ID")]
    return {"execution_id": ":".join(parts)} if all(parts) else {}


@dataclass
class _Attempt:
    files: AttemptFiles
    phase: AttemptPhase
    spec: dict[str, Any]
    started_at: float | None = None
    finished_at: float | None = None
    exit_code: int | None = None
    message: str = ""
    timed_out: bool = False
    process: subprocess.Popen[bytes] | None = None
    pidfd: int | None = None
    has_process: bool = False  # a supervisor runs (also while an aborted attempt is being stopped)
    released: bool = False
    forking: bool = False  # a warm interpreter was asked to start it and has not answered yet
    logs: tuple[execution_pb2.TaskLog, ...] | None = None
    awaiting_bundle: bool = False  # queued, but its code bundle is still being fetched


def _bundle_of(spec: Mapping[str, Any]) -> Bundle | None:
    record = spec.get("bundle")
    if not isinstance(record, dict):
        return None
    return Bundle(str(record["url"]), str(record["digest"]), str(record["dir"]))


class LocalExecutor:
    """Runs task attempts as local processes; see the module docstring. Safe to call from any thread."""

    def __init__(
        self,
        home: Path,
        *,
        max_concurrency: int,
        python_envs: Mapping[str, str] | None,
        public_url: str,
        clock: Callable[[], datetime] = _utc_now,
        grace_period: float = DEFAULT_GRACE_SECONDS,
        base_env: Mapping[str, str] | None = None,
        on_change: Callable[[str], None] | None = None,
        warm: WarmSettings | None = None,
        bundles: BundleCache | None = None,
    ) -> None:
        if max_concurrency < 1:
            raise ValueError("max_concurrency must be at least 1")
        self._home = Path(home).absolute()
        self._max_concurrency = max_concurrency
        self._pythons = PythonEnvironments(python_envs)
        self._public_url = public_url.rstrip("/")
        self._clock = clock
        self._grace = grace_period
        self._base_env = dict(base_env or {})
        self._on_change = on_change
        self._live_dir = self._home / "attempts" / LIVE_DIR
        self._live_dir.mkdir(parents=True, exist_ok=True)

        self._lock = threading.Condition(threading.Lock())
        self._attempts: dict[str, _Attempt] = {}
        self._queue: deque[str] = deque()
        self._running = 0
        self._notes: list[str] = []
        self._closed = False
        self._selector = selectors.DefaultSelector()
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)
        self._selector.register(self._wake_r, selectors.EVENT_READ, None)
        self._bundles = bundles if bundles is not None else BundleCache(self._home)
        self._awaiting: dict[str, list[str]] = {}  # bundle digest -> attempts waiting for it
        self._cleanup_due = False
        self._warm: WarmPool | None = None
        if warm is not None and warm.enabled:
            self._warm = WarmPool(self._home, warm, base_env=self._base_env, selector=self._selector)
        for entry in self._adopt():
            self._fetch_bundle(self._place(entry))
        if self._warm is not None and warm is not None and warm.prestart:
            self._warm.prestart(self._pythons.default)
        self._thread = threading.Thread(target=self._monitor, name="flyteplane-local-executor", daemon=True)
        self._thread.start()

    # -- the Executor interface ------------------------------------------------------------------------------

    def submit(self, attempt: TaskAttempt) -> None:
        files = AttemptFiles(self._home, attempt.attempt_id)
        with self._lock:
            if attempt.attempt_id in self._attempts or files.known():
                return
        spec, problem = attempt_spec(
            attempt,
            files,
            pythons=self._pythons,
            base_env=self._base_env,
            grace=self._grace,
            queued_at=self._now(),
            bundles=self._bundles,
        )
        with self._lock:
            if self._closed:
                raise RuntimeError("the local executor is closed")
            if attempt.attempt_id in self._attempts or files.known():
                return
            if problem is None and self._warm is not None:
                target = self._warm.target(spec["argv"], spec["env"], self._pythons.for_image(spec["image"]))
                if target is not None:
                    spec["warm"] = target
            files.create(spec, live=problem is None)
            entry = _Attempt(files, AttemptPhase.QUEUED, spec)
            self._attempts[attempt.attempt_id] = entry
            missing = None
            if problem is not None:
                self._end_without_process(entry, ExitRecord(self._now(), error=problem, phase="FAILED"))
            else:
                missing = self._place(entry)
            self._notes.append(attempt.attempt_id)
        self._fetch_bundle(missing)
        self._wake()

    def status(self, attempt_id: str) -> AttemptStatus:
        with self._lock:
            entry = self._attempts.get(attempt_id)
            if entry is not None:
                return self._status_of(entry)
        if not valid_attempt_id(attempt_id):
            return AttemptStatus(AttemptPhase.LOST, message=f"unknown attempt [{attempt_id}]")
        files = AttemptFiles(self._home, attempt_id)
        record = files.exit()
        if record is None:
            return AttemptStatus(AttemptPhase.LOST, message=f"unknown attempt [{attempt_id}]")
        entry = _Attempt(files, AttemptPhase.QUEUED, files.spec() or {})
        started = files.started()
        entry.started_at = started.started_at if started else None
        self._apply_exit(entry, record)
        return self._status_of(entry)

    def terminate(self, attempt_id: str) -> None:
        with self._lock:
            entry = self._attempts.get(attempt_id)
            if entry is None or entry.phase.terminal:
                return
            entry.files.mark_aborted()
            if entry.phase == AttemptPhase.QUEUED:
                if entry.awaiting_bundle:
                    entry.awaiting_bundle = False
                    for waiting in self._awaiting.values():
                        if attempt_id in waiting:
                            waiting.remove(attempt_id)
                elif attempt_id in self._queue:
                    self._queue.remove(attempt_id)
                self._end_without_process(entry, ExitRecord(self._now(), phase="ABORTED"))
            else:
                entry.phase = AttemptPhase.ABORTED
                entry.message = "the attempt was terminated"
                self._signal_supervisor(entry, signal.SIGTERM)
            self._notes.append(attempt_id)
            self._lock.notify_all()
        self._wake()

    def live(self) -> list[str]:
        with self._lock:
            return [k for k, v in self._attempts.items() if v.phase in (AttemptPhase.QUEUED, AttemptPhase.RUNNING)]

    def release(self, attempt_id: str) -> None:
        with self._lock:
            entry = self._attempts.get(attempt_id)
            if entry is None or not entry.phase.terminal:
                return
            if entry.has_process:
                entry.released = True  # dropped once its process is gone
            else:
                del self._attempts[attempt_id]

    # -- extras for the engine, the logs route and tests -----------------------------------------------------

    def set_on_change(self, callback: Callable[[str], None] | None) -> None:
        """`callback(attempt_id)` runs on the executor's thread whenever an attempt starts or ends."""
        self._on_change = callback

    def wait(self, attempt_id: str, timeout: float | None = None) -> AttemptStatus:
        """Blocks until the attempt is terminal and its process is gone (or `timeout` seconds pass)."""
        deadline = time.monotonic() + timeout if timeout is not None else None
        with self._lock:
            while True:
                entry = self._attempts.get(attempt_id)
                if entry is None or (entry.phase.terminal and not entry.has_process):
                    break
                remaining = deadline - time.monotonic() if deadline is not None else None
                if remaining is not None and remaining <= 0:
                    break
                self._lock.wait(remaining)
        return self.status(attempt_id)

    def log_file(self, attempt_id: str, stream: str) -> Path | None:
        """The file behind an attempt's `stdout` / `stderr` log link, if the attempt exists."""
        return AttemptLogFiles(self._home).log_file(attempt_id, stream)

    def prune(self, older_than: timedelta) -> int:
        """Deletes the directories (logs included) of attempts that ended more than `older_than` ago."""
        cutoff = (self._clock() - older_than).timestamp()
        removed = 0
        with self._lock:
            active = {k for k, v in self._attempts.items() if not v.phase.terminal or v.has_process}
        for directory in (self._home / "attempts").iterdir():
            if directory.name == LIVE_DIR or directory.name in active or not valid_attempt_id(directory.name):
                continue
            record = AttemptFiles(self._home, directory.name).exit()
            if record is not None and record.finished_at < cutoff:
                shutil.rmtree(directory, ignore_errors=True)
                with self._lock:
                    entry = self._attempts.get(directory.name)
                    if entry is not None and entry.phase.terminal and not entry.has_process:
                        del self._attempts[directory.name]
                removed += 1
        return removed

    def close(self) -> None:
        """Stops watching; running attempts carry on and a new executor on the same home adopts them."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._wake()
        if threading.current_thread() is not self._thread:  # close() may be called from on_change
            self._thread.join()
        self._bundles.close()
        with self._lock:
            if self._warm is not None:
                self._warm.close()
            for entry in self._attempts.values():
                self._close_pidfd(entry)
        self._selector.close()
        os.close(self._wake_r)
        os.close(self._wake_w)

    def __enter__(self) -> LocalExecutor:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- running -----------------------------------------------------------------------------------------------

    def _place(self, entry: _Attempt) -> Bundle | None:
        """Under the lock: queues an attempt for a slot if its code bundle (if any) is in the cache; else marks it
        waiting and returns the bundle, for `_fetch_bundle` once the lock is let go."""
        bundle = _bundle_of(entry.spec)
        if bundle is None or self._bundles.ready(bundle):
            self._queue.append(entry.files.attempt_id)
            return None
        entry.awaiting_bundle = True
        waiting = self._awaiting.setdefault(bundle.digest, [])
        waiting.append(entry.files.attempt_id)
        return bundle if len(waiting) == 1 else None  # one fetch for all the attempts that wait for it

    def _fetch_bundle(self, bundle: Bundle | None) -> None:
        """Not under the lock: a bundle cached meanwhile is reported at once, on this thread."""
        if bundle is not None:
            self._bundles.fetch(bundle, self._bundle_fetched)

    def _bundle_fetched(self, bundle: Bundle, error: str | None) -> None:
        """The bundle cache's callback, on its own thread: waiting attempts queue up, or fail with the reason."""
        with self._lock:
            for attempt_id in self._awaiting.pop(bundle.digest, []):
                entry = self._attempts.get(attempt_id)
                if entry is None or not entry.awaiting_bundle:
                    continue
                entry.awaiting_bundle = False
                if error is not None:
                    self._end_without_process(entry, ExitRecord(self._now(), error=error, phase="FAILED"))
                    self._notes.append(attempt_id)
                else:
                    self._queue.append(attempt_id)
            self._cleanup_due = error is None
        self._wake()

    def _start_queued(self) -> None:
        waiting: deque[str] = deque()  # for a warm interpreter that is still starting
        while self._queue and self._running < self._max_concurrency:
            attempt_id = self._queue.popleft()
            entry = self._attempts[attempt_id]
            if self._spawn(entry):
                self._notes.append(attempt_id)
            else:
                waiting.append(attempt_id)
        if waiting:
            waiting.extend(self._queue)
            self._queue = waiting

    def _spawn(self, entry: _Attempt, *, warm: bool = True) -> bool:
        """Starts the attempt, warm if it can; False if it waits for a warm interpreter that is starting."""
        target = entry.spec.get("warm") if warm else None
        zygote = self._warm.route(target) if self._warm is not None and isinstance(target, dict) else None
        if zygote == WAIT:
            return False
        files, spec = entry.files, entry.spec
        files.tmp.mkdir(exist_ok=True)
        self._link_bundle(entry)
        if zygote is not None and self._warm is not None:
            lock_fd = files.open_lock()
            try:
                fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self._warm.request(zygote, files.attempt_id, str(files.dir), lock_fd)  # type: ignore[arg-type]
            except OSError as e:
                log.warning("local executor: attempt %s starts cold: %s", files.attempt_id, e, extra=_about(entry))
            else:
                entry.forking = True
                self._running_now(entry, None)
                return True
            finally:
                os.close(lock_fd)  # the request carries the lock on (or the cold start below takes it again)
        lock_fd = files.open_lock()
        try:
            fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            with open(files.stream("stdout"), "ab") as out, open(files.stream("stderr"), "ab") as err:
                timeout = spec.get("timeout")
                process = subprocess.Popen(
                    supervise.command_line(
                        sys.executable, str(files.dir), lock_fd, timeout, float(spec["grace"]), spec["argv"]
                    ),
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=err,
                    cwd=spec["cwd"],
                    env=spec["env"],
                    start_new_session=True,
                    pass_fds=(lock_fd,),
                )
        except (OSError, ValueError) as e:  # ValueError: a NUL byte in an argument or variable
            self._end_without_process(entry, ExitRecord(self._now(), error=f"could not start the attempt: {e}"))
            return True
        finally:
            os.close(lock_fd)  # the supervisor holds the lock from here on
        self._running_now(entry, process)
        self._watch(entry, open_pidfd(process.pid))
        return True

    def _running_now(self, entry: _Attempt, process: subprocess.Popen[bytes] | None) -> None:
        entry.phase = AttemptPhase.RUNNING
        entry.started_at = self._now()
        entry.process = process
        entry.has_process = True
        self._running += 1

    def _link_bundle(self, entry: _Attempt) -> None:
        """The working folder shows the bundle's top-level entries (links), so a task finds files shipped with its
        code relative to its working directory, as it would in a container; its own writes stay its own."""
        bundle = _bundle_of(entry.spec)
        if bundle is None:
            return
        try:
            names = os.listdir(bundle.dir)
        except OSError:
            return
        work = entry.files.work
        for name in names:
            with contextlib.suppress(OSError):
                os.symlink(os.path.join(bundle.dir, name), work / name)

    # -- warm starts ---------------------------------------------------------------------------------------------

    def _warm_results(self, results: list[Forked | NotForked | Orphaned]) -> None:
        for result in results:
            if isinstance(result, Forked):
                entry = self._attempts.get(result.attempt_id)
                if entry is None or not entry.forking:
                    if result.pidfd is not None:
                        os.close(result.pidfd)
                    continue
                entry.forking = False
                self._watch(entry, result.pidfd)
            elif isinstance(result, NotForked):
                entry = self._attempts.get(result.attempt_id)
                log.warning(
                    "local executor: attempt %s starts cold: %s", result.attempt_id, result.reason, extra=_about(entry)
                )
                if entry is not None and entry.forking:
                    self._start_cold_instead(entry)
            else:
                for attempt_id in result.attempt_ids:
                    entry = self._attempts.get(attempt_id)
                    if entry is not None and entry.forking:
                        self._orphaned(entry)

    def _orphaned(self, entry: _Attempt) -> None:
        """Its warm interpreter ended without answering: if a supervisor holds the lock, it was forked; else the
        attempt never started and starts cold."""
        entry.forking = False
        if not entry.files.supervisor_alive():
            log.warning(
                "local executor: attempt %s starts cold: its warm interpreter ended",
                entry.files.attempt_id,
                extra=_about(entry),
            )
            self._start_cold_instead(entry)
            return
        started = entry.files.started()
        pidfd = open_pidfd(started.pid) if started is not None else None
        if pidfd is not None and started is not None and not _same_process(started):
            os.close(pidfd)
            pidfd = None
        self._watch(entry, pidfd)  # without a pidfd the lock is checked on every poll

    def _start_cold_instead(self, entry: _Attempt) -> None:
        entry.forking = False
        entry.has_process = False
        self._running -= 1
        if entry.files.aborted():
            self._end_without_process(entry, ExitRecord(self._now(), phase="ABORTED"))
        else:
            entry.phase = AttemptPhase.QUEUED
            self._spawn(entry, warm=False)
        self._notes.append(entry.files.attempt_id)

    def _watch(self, entry: _Attempt, pidfd: int | None) -> None:
        entry.pidfd = pidfd
        if pidfd is not None:
            self._selector.register(pidfd, selectors.EVENT_READ, entry.files.attempt_id)

    def _signal_supervisor(self, entry: _Attempt, signum: int) -> None:
        """Signals only a supervisor that has recorded its start, i.e. installed its signal handlers. One that
        has not yet will find the abort marker right after recording it, and never start the command."""
        started = entry.files.started()
        if started is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if entry.pidfd is not None:
                signal.pidfd_send_signal(entry.pidfd, signum)
            elif entry.files.supervisor_alive() and _same_process(started):
                os.kill(started.pid, signum)

    def _finish(self, entry: _Attempt) -> None:
        """The supervisor has exited: reap it, read how the attempt ended, free its slot."""
        if entry.process is not None:
            entry.process.poll()
        elif entry.pidfd is not None and hasattr(os, "P_PIDFD"):
            with contextlib.suppress(ChildProcessError, OSError):
                os.waitid(os.P_PIDFD, entry.pidfd, os.WEXITED | os.WNOHANG)  # a child of a dropped executor
        self._close_pidfd(entry)
        entry.process = None
        entry.has_process = False
        self._running -= 1
        record = entry.files.exit()
        if record is None:
            error = "the attempt's supervisor exited without recording an exit status"
            record = ExitRecord(self._now(), error=error, phase="LOST")
            try:
                entry.files.write_exit(record)
            except OSError:
                log.exception(
                    "local executor: cannot record that attempt %s was lost",
                    entry.files.attempt_id,
                    extra=_about(entry),
                )
        self._apply_exit(entry, record)
        entry.files.drop_live_marker()
        self._notes.append(entry.files.attempt_id)
        if entry.released:
            del self._attempts[entry.files.attempt_id]

    def _end_without_process(self, entry: _Attempt, record: ExitRecord) -> None:
        entry.files.write_exit(record)
        self._apply_exit(entry, record)
        entry.files.drop_live_marker()

    def _close_pidfd(self, entry: _Attempt) -> None:
        if entry.pidfd is not None:
            with contextlib.suppress(KeyError, ValueError):
                self._selector.unregister(entry.pidfd)
            os.close(entry.pidfd)
            entry.pidfd = None

    # -- outcomes ----------------------------------------------------------------------------------------------

    def _apply_exit(self, entry: _Attempt, record: ExitRecord) -> None:
        timeout = float(entry.spec.get("timeout") or 0)
        outcome = outcome_of(
            record, aborted=entry.files.aborted(), timeout_seconds=timeout, stderr=entry.files.stream("stderr")
        )
        entry.phase, entry.exit_code, entry.message = outcome.phase, outcome.exit_code, outcome.message
        entry.timed_out = outcome.timed_out
        entry.finished_at = record.finished_at

    def _status_of(self, entry: _Attempt) -> AttemptStatus:
        logs = entry.logs
        if logs is None:  # built once: a map task's round asks about every running item
            attempt_id = entry.files.attempt_id
            logs = entry.logs = (
                log_link("stdout", f"{self._public_url}/logs/{attempt_id}/stdout"),
                log_link("stderr", f"{self._public_url}/logs/{attempt_id}/stderr"),
            )
        return AttemptStatus(
            phase=entry.phase,
            exit_code=entry.exit_code,
            message=entry.message,
            started_at=_moment(entry.started_at),
            finished_at=None if entry.has_process else _moment(entry.finished_at),
            logs=logs,
            timed_out=entry.timed_out,
        )

    # -- the monitor thread ------------------------------------------------------------------------------------

    def _monitor(self) -> None:
        while True:
            with self._lock:
                if self._closed:
                    return
                polled = any(e.has_process and e.pidfd is None and not e.forking for e in self._attempts.values())
                timeout = POLL_SECONDS if polled else None
                pool_deadline = self._warm.next_deadline() if self._warm is not None else None
                if pool_deadline is not None:
                    timeout = pool_deadline if timeout is None else min(timeout, pool_deadline)
            events = self._selector.select(timeout)
            in_use: set[str] | None = None
            with self._lock:
                if self._closed:
                    return
                try:
                    self._handle(events, polled)
                except Exception:  # one broken attempt must not stop the executor for all others
                    log.exception("local executor: failed to process attempt events")
                self._lock.notify_all()
                notes, self._notes = self._notes, []
                if self._cleanup_due:
                    self._cleanup_due = False
                    in_use = {
                        b.digest for e in self._attempts.values() if not e.phase.terminal and (b := _bundle_of(e.spec))
                    }
            if in_use is not None:
                try:
                    self._bundles.cleanup(in_use)
                except Exception:
                    log.exception("local executor: cleaning the bundle cache failed")
            callback = self._on_change
            for attempt_id in dict.fromkeys(notes):
                if callback is not None:
                    try:
                        callback(attempt_id)
                    except Exception:
                        log.exception("local executor: on_change callback failed for %s", attempt_id)

    def _handle(self, events: list[tuple[selectors.SelectorKey, int]], polled: bool) -> None:
        ended: set[str] = set()
        for key, _mask in events:
            if key.data is None:
                with contextlib.suppress(BlockingIOError):
                    while os.read(self._wake_r, 4096):
                        pass
            elif self._warm is not None and self._warm.owns(key.data):
                self._warm_results(self._warm.handle(key.data))
            else:
                ended.add(key.data)
        if self._warm is not None:
            self._warm_results(self._warm.sweep())
        if polled:
            for attempt_id, entry in self._attempts.items():
                if (
                    entry.has_process
                    and entry.pidfd is None
                    and not entry.forking
                    and not entry.files.supervisor_alive()
                ):
                    ended.add(attempt_id)
        for attempt_id in ended:
            ending = self._attempts.get(attempt_id)
            if ending is not None and ending.has_process:
                self._finish(ending)
        self._start_queued()

    def _wake(self) -> None:
        with contextlib.suppress(BlockingIOError, OSError):
            os.write(self._wake_w, b"x")

    # -- adoption after a restart ------------------------------------------------------------------------------

    def _adopt(self) -> list[_Attempt]:
        """Takes over the attempts a previous executor on this home left queued or running; returns the queued
        ones, oldest first."""
        queued: list[_Attempt] = []
        for marker in sorted(self._live_dir.iterdir()):
            attempt_id = marker.name
            if not valid_attempt_id(attempt_id):
                marker.unlink(missing_ok=True)
                continue
            files = AttemptFiles(self._home, attempt_id)
            entry = _Attempt(files, AttemptPhase.QUEUED, files.spec() or {})
            if files.exit() is None and files.supervisor_alive():
                self._adopt_running(entry)
                self._attempts[attempt_id] = entry
                continue
            record = files.exit()  # read after the lock test: a supervisor writes it before it lets go
            started = files.started()
            if record is not None:
                files.drop_live_marker()  # already over: status() reads it from disk
                continue
            if started is not None or "argv" not in entry.spec:
                entry.started_at = started.started_at if started else None
                error = "the attempt's supervisor died without recording an exit status"
                self._end_without_process(entry, ExitRecord(self._now(), error=error, phase="LOST"))
            elif files.aborted():
                self._end_without_process(entry, ExitRecord(self._now(), phase="ABORTED"))
            else:
                queued.append(entry)
            self._attempts[attempt_id] = entry
        return sorted(queued, key=lambda e: float(e.spec.get("queued_at") or 0))

    def _adopt_running(self, entry: _Attempt) -> None:
        entry.phase = AttemptPhase.RUNNING
        entry.has_process = True
        started = entry.files.started()
        pidfd = None
        if started is not None:
            entry.started_at = started.started_at
            pidfd = open_pidfd(started.pid)
            if pidfd is not None and not (_same_process(started) and entry.files.supervisor_alive()):
                os.close(pidfd)  # not provably the supervisor: fall back to checking its lock
                pidfd = None
        if entry.files.aborted():
            entry.phase = AttemptPhase.ABORTED
            entry.message = "the attempt was terminated"
        self._running += 1
        self._watch(entry, pidfd)

    def _now(self) -> float:
        return self._clock().timestamp()


def _same_process(started: StartRecord) -> bool:
    """Guards against pid reuse: the pid's start time must be the one the supervisor recorded."""
    if started.start_ticks is None:
        return True
    return supervise.process_start_ticks(started.pid) == started.start_ticks
