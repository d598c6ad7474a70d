"""The supervisor of one task attempt: runs the task's command and records how it ended, even if the server died.

The local executor starts `python -I -S supervise.py <attempt dir> <lock fd> <timeout> <grace> <argv...>` in a new
session. The script imports a few builtin modules only (no site-packages, not even json), so it costs little more
than the interpreter's own start-up. It holds the attempt's lock for its whole life (the executor's "is it still
running?" test, immune to pid reuse), spawns the command in its own process group, enforces the timeout, turns
SIGTERM into "stop the task's process group, SIGKILL after the grace period", kills what the command left behind
in its group when it exits (as a container's end would), and finally writes `exit.json` atomically. The file names
here are the on-disk contract with `attempt_files.py`.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import sys
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # importing collections.abc would cost this script start-up time
    from collections.abc import Callable

    Spawn = Callable[["Supervision"], int]
    """Starts the command in a process group of its own and returns its pid (the group id)."""

__all__ = ["ABORT", "EXIT", "LOCK", "SPEC", "STARTED", "command_line", "process_start_ticks", "write_json_atomically"]

SPEC = "spec.json"  # written by the executor: argv, env, cwd, timeout, grace (for a restart; not read here)
STARTED = "started.json"  # written here before the command is spawned: pid, start ticks, started_at
EXIT = "exit.json"  # written here (or by the executor if no supervisor ever ran): how the attempt ended
LOCK = "lock"  # flock held by the supervisor for its whole life
ABORT = "abort"  # written by the executor's terminate(): a supervisor that sees it never spawns the command

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
MAX_WAIT = 3600.0  # seconds one select() may sleep: a timeout of centuries would overflow its C time type
EXIT_COMMAND_NOT_FOUND = 127
EXIT_CANNOT_EXECUTE = 126


def process_start_ticks(pid: int | str) -> int | None:
    """The process start time in clock ticks since boot (/proc/<pid>/stat field 22); None without /proc."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return None
    fields = stat[stat.rfind(b")") + 2 :].split()
    return int(fields[19]) if len(fields) > 19 else None


def write_json_atomically(path: str, record: dict[str, Any]) -> None:
    """Readers see the old file or the complete new one, never a torn write."""
    temporary = f"{path}.{os.getpid()}.tmp"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
    try:
        data = _json(record).encode()
        while data:
            data = data[os.write(fd, data) :]
    finally:
        os.close(fd)
    os.replace(temporary, path)


_JSON_ESCAPES = {i: f"\\u{i:04x}" for i in range(0x20)} | {ord("\\"): "\\\\", ord('"'): '\\"'}


def _json(value: Any) -> str:
    """JSON for the flat records written here; importing the json module would cost this script a third of
    its start-up time."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.translate(_JSON_ESCAPES) + '"'
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_json(str(k))}: {_json(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_json(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _ignore(_signum: int, _frame: object) -> None:
    """Python-level handlers do nothing: the C handler already wrote the signal number to the wakeup pipe."""


def spawn_command(supervision: Supervision) -> int:
    """The cold start: the command line is executed, as a container's entrypoint would be."""
    return os.posix_spawnp(
        supervision.argv[0],
        supervision.argv,
        dict(os.environ),
        setpgroup=0,
        setsigdef=(signal.SIGPIPE, signal.SIGXFSZ, signal.SIGCHLD, *STOP_SIGNALS),
        setsigmask=(),
    )


class Supervision:
    """One attempt's supervision; `spawn` decides how the command starts (exec'd here, or forked by a warm
    interpreter, see zygote.py)."""

    def __init__(
        self, attempt_dir: str, argv: list[str], timeout: float | None, grace: float, spawn: Spawn = spawn_command
    ) -> None:
        self.attempt_dir = attempt_dir
        self.argv = argv
        self.timeout = timeout
        self.grace = grace
        self.spawn = spawn
        self.stop_reason: str | None = None  # "timeout" | "terminate"
        self.kill_at: float | None = None
        self.reaped_status: int | None = None
        self.wake_r, self.wake_w = os.pipe()
        os.set_blocking(self.wake_r, False)
        os.set_blocking(self.wake_w, False)
        signal.set_wakeup_fd(self.wake_w, warn_on_full_buffer=False)
        for signum in (signal.SIGCHLD, *STOP_SIGNALS):
            signal.signal(signum, _ignore)

    def run(self) -> dict[str, Any]:
        started_at = time.time()
        write_json_atomically(
            os.path.join(self.attempt_dir, STARTED),
            {"pid": os.getpid(), "start_ticks": process_start_ticks("self"), "started_at": started_at},
        )
        if os.path.exists(os.path.join(self.attempt_dir, ABORT)):
            # terminate() came before this pid was on record, so no signal could reach us: stop here
            return {"finished_at": time.time(), "exit_code": None, "signal": None, "stop": "terminate"}
        try:
            child = self.spawn(self)
        except FileNotFoundError:
            return self._not_started(EXIT_COMMAND_NOT_FOUND, f"command not found: {self.argv[0]}")
        except OSError as e:
            return self._not_started(EXIT_CANNOT_EXECUTE, f"cannot execute {self.argv[0]}: {e.strerror}")
        status = self._wait(child)
        record: dict[str, Any] = {"finished_at": time.time(), "stop": self.stop_reason, "signal": None}
        if os.WIFSIGNALED(status):
            record["signal"] = os.WTERMSIG(status)
            record["exit_code"] = 128 + os.WTERMSIG(status)
        else:
            record["exit_code"] = os.waitstatus_to_exitcode(status)
        return record

    def _not_started(self, exit_code: int, error: str) -> dict[str, Any]:
        print(error, file=sys.stderr, flush=True)
        return {"finished_at": time.time(), "exit_code": exit_code, "signal": None, "stop": None, "error": error}

    def _wait(self, child: int) -> int:
        """Waits for the command; leftovers in its process group are killed, as a container's are on exit."""
        deadline = time.monotonic() + self.timeout if self.timeout else None
        while not self._exited(child):
            now = time.monotonic()
            if deadline is not None and now >= deadline and self.stop_reason is None:
                self._stop(child, "timeout")
            if self.kill_at is not None and now >= self.kill_at:
                self.kill_at = None
                _signal_group(child, signal.SIGKILL)
            wakeups = [t - now for t in (deadline if self.stop_reason is None else None, self.kill_at) if t]
            wait = min(MAX_WAIT, max(0.0, min(wakeups))) if wakeups else None
            ready, _, _ = select.select([self.wake_r], [], [], wait)
            if ready:
                self._read_signals(child)
        _signal_group(child, signal.SIGKILL)
        if self.reaped_status is not None:
            return self.reaped_status
        return os.waitpid(child, 0)[1]

    def _exited(self, child: int) -> bool:
        if hasattr(os, "waitid"):
            # WNOWAIT leaves the exited leader a zombie, so its process group id cannot be reused before the
            # final SIGKILL of the group.
            return os.waitid(os.P_PID, child, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
        pid, status = os.waitpid(child, os.WNOHANG)  # pragma: no cover - platforms without waitid
        if pid:  # pragma: no cover
            self.reaped_status = status
        return pid != 0  # pragma: no cover

    def _read_signals(self, child: int) -> None:
        with contextlib.suppress(BlockingIOError):
            for signum in os.read(self.wake_r, 1024):
                if signum in STOP_SIGNALS and self.stop_reason is None:
                    self._stop(child, "terminate")

    def _stop(self, child: int, reason: str) -> None:
        self.stop_reason = reason
        self.kill_at = time.monotonic() + self.grace
        _signal_group(child, signal.SIGTERM)


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


def command_line(
    python: str, attempt_dir: str, lock_fd: int, timeout: float | None, grace: float, argv: list[str]
) -> list[str]:
    """How the executor starts this script (a timeout of 0 means none)."""
    script = os.path.abspath(__file__)
    return [python, "-I", "-S", script, attempt_dir, str(lock_fd), repr(timeout or 0.0), repr(grace), *argv]


def supervise(attempt_dir: str, start: Callable[[], Supervision]) -> None:
    """Runs the attempt to its end, writes exit.json and leaves the process without the interpreter's teardown."""
    try:
        record = start().run()
    except Exception as e:  # the attempt must end with a record whatever went wrong here
        print(f"flyteplane supervisor: {e!r}", file=sys.stderr, flush=True)
        record = {"finished_at": time.time(), "exit_code": None, "signal": None, "stop": None, "error": repr(e)}
    write_json_atomically(os.path.join(attempt_dir, EXIT), record)
    sys.stderr.flush()
    os._exit(0)  # the record is written: skip the interpreter's teardown


def main(args: list[str]) -> None:
    attempt_dir, lock_fd = args[1], int(args[2])
    os.set_inheritable(lock_fd, False)  # the task must not hold the lock: it proves the supervisor is alive

    def start() -> Supervision:
        timeout, grace, argv = float(args[3]) or None, float(args[4]), args[5:]
        if not argv:
            raise ValueError("no command to run")
        return Supervision(attempt_dir, argv, timeout, grace)

    supervise(attempt_dir, start)


if __name__ == "__main__":
    main(sys.argv)
