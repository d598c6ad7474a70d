"""The warm pool: per Python environment, interpreters that imported flytekit once and fork task attempts.

A flytekit task attempt (`pyflyte-execute` / `pyflyte-map-execute`, after fast-execute unwrapping) whose
environment's interpreter has flytekit starts as a fork of a warm interpreter (`zygote.py`) instead of a new
process: a few milliseconds instead of the ~0.7 s `import flytekit` costs. The attempt keeps the local executor's
on-disk protocol (spec.json, started.json, exit.json, the lock held by its supervisor), so everything about
supervision, termination and adoption after a restart is the same as for a cold attempt.

Everything here runs under the local executor's lock, on its monitor thread (and `route` in `submit`): the pool
registers each zygote's control socket and pidfd in the executor's selector and turns what arrives there into
`Forked` / `NotForked` / `Orphaned` results the executor acts on. Attempts that cannot start warm (another
command, an interpreter without flytekit, variables that only take effect at interpreter start, a zygote that
failed or died) start cold, as before.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import selectors
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flyteplane.engine.executors.environment import PythonEnvironment, attempt_environment

__all__ = [
    "ENTRYPOINTS",
    "WAIT",
    "Forked",
    "NotForked",
    "Orphaned",
    "WarmPool",
    "WarmSettings",
    "interpreter_of",
    "open_pidfd",
]

log = logging.getLogger(__name__)

ZYGOTE_SCRIPT = Path(__file__).with_name("zygote.py")
ENTRYPOINTS = ("pyflyte-execute", "pyflyte-map-execute")
WARM_DIR = "warm"
START_TIMEOUT = 120.0  # seconds a zygote may take to import flytekit (a loaded machine is slow)
REPLY_TIMEOUT = 15.0  # a zygote that has not answered a request for this long is replaced
COLD_AFTER_FAILURE = 60.0  # seconds an environment runs cold after its zygote failed to start
MAX_MESSAGE = 64 * 1024
ZYGOTE_ID = "flyteplane-warm"  # FLYTE_INTERNAL_EXECUTION_ID while flytekit is imported: configures it as for a task
STARTUP_VARIABLE_PREFIXES = ("PYTHON", "LD_", "MALLOC_")
"""Variables read when an interpreter (or the dynamic loader) starts: a fork cannot honour a change to them."""
APPLIED_AFTER_START = frozenset({"PYTHONPATH", "PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE"})
RUNTIME_PACKAGES = "_F_RUNTIME_PACKAGES"  # flytekit pip-installs these at task start: left to a fresh interpreter


@dataclass(frozen=True)
class WarmSettings:
    enabled: bool = True
    size: int = 1  # warm interpreters per environment
    imports: Mapping[str, Sequence[str]] = field(default_factory=dict)  # environment name -> modules to pre-import
    idle_timeout: float = 600.0  # seconds without work before a warm interpreter exits (0: never)
    prestart: bool = False  # start the default environment's warm interpreter at once, not on first use


@dataclass(frozen=True)
class Forked:
    attempt_id: str
    pid: int
    pidfd: int | None  # the executor owns it now


@dataclass(frozen=True)
class NotForked:
    attempt_id: str
    reason: str


@dataclass(frozen=True)
class Orphaned:
    """The zygote ended before answering these requests; a supervisor may or may not have been forked."""

    attempt_ids: tuple[str, ...]


Result = Forked | NotForked | Orphaned
WAIT = "wait"  # route(): the environment's zygote is still starting


@dataclass
class _Zygote:
    key: str
    process: subprocess.Popen[bytes]
    control: socket.socket
    pidfd: int | None
    started_at: float
    state: str = "starting"  # starting, ready, dead
    last_used: float = 0.0
    in_flight: dict[str, float] = field(default_factory=dict)  # attempt id -> when it was asked for
    info: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class _Event:
    zygote: _Zygote
    kind: str  # "control" | "exit"


def interpreter_of(script: str) -> str | None:
    """The interpreter a console script's shebang names (`#!/x/python` or `#!/usr/bin/env python3`)."""
    try:
        with open(script, "rb") as f:
            first = f.readline(512)
    except OSError:
        return None
    if not first.startswith(b"#!"):
        return None
    parts = first[2:].decode(errors="replace").split()
    if not parts:
        return None
    if os.path.basename(parts[0]) == "env" and len(parts) == 2:
        return shutil.which(parts[1])
    if len(parts) != 1 or "python" not in os.path.basename(parts[0]):
        return None
    return parts[0] if os.access(parts[0], os.X_OK) else None


class WarmPool:
    """See the module docstring. Not thread-safe: the local executor calls it under its own lock."""

    def __init__(
        self,
        home: Path,
        settings: WarmSettings,
        *,
        base_env: Mapping[str, str],
        selector: selectors.BaseSelector,
        clock: Any = time.monotonic,
    ) -> None:
        self.settings = settings
        self._root = Path(home).absolute() / WARM_DIR
        self._base_env = dict(base_env)
        self._selector = selector
        self._clock = clock
        self._zygotes: dict[str, list[_Zygote]] = {}
        self._targets: dict[str, dict[str, Any]] = {}
        self._cold_until: dict[str, float] = {}
        self._interpreters: dict[str, str | None] = {}
        self._envs: dict[str, dict[str, str]] = {}

    # -- which attempts run warm -------------------------------------------------------------------------------

    def target(self, argv: Sequence[str], env: Mapping[str, str], python: PythonEnvironment) -> dict[str, Any] | None:
        """What the spec records for an attempt that can start warm (None: it starts cold)."""
        if not self.settings.enabled or not argv:
            return None
        name = os.path.basename(argv[0])
        if name not in ENTRYPOINTS or os.path.dirname(argv[0]) not in ("", python.bin_dir):
            return None
        script = os.path.join(python.bin_dir, name)
        if os.path.dirname(argv[0]) == "" and shutil.which(name, path=env.get("PATH")) != script:
            return None  # PATH finds another pyflyte-execute than the environment's
        if script not in self._interpreters:
            self._interpreters[script] = interpreter_of(script)
        interpreter = self._interpreters[script]
        if interpreter is None or RUNTIME_PACKAGES in env:
            return None
        zygote_env = self._envs.get(python.bin_dir) or self._zygote_env(python)
        for variable in set(env) | set(zygote_env):
            startup = variable.startswith(STARTUP_VARIABLE_PREFIXES) and variable not in APPLIED_AFTER_START
            if startup and env.get(variable) != zygote_env.get(variable):
                return None
        imports = list(self.settings.imports.get(python.name, ()))
        key = hashlib.sha256(json.dumps([interpreter, python.bin_dir, imports]).encode()).hexdigest()[:16]
        target = {"key": key, "python": interpreter, "bin_dir": python.bin_dir, "imports": imports, "env": python.name}
        self._targets[key] = {**target, "virtualenv": python.virtualenv}
        return target

    def _zygote_env(self, python: PythonEnvironment) -> dict[str, str]:
        """The environment the warm interpreter imports flytekit in: a task's, less what is the attempt's own."""
        env = self._envs.get(python.bin_dir)
        if env is None:
            env = self._envs[python.bin_dir] = attempt_environment(
                python,
                tmpdir=str(self._root / "tmp"),
                base=self._base_env,
                container_env={},
                attempt_env={"FLYTE_INTERNAL_EXECUTION_ID": ZYGOTE_ID},
            )
        return dict(env)

    # -- starting attempts -------------------------------------------------------------------------------------

    def route(self, target: Mapping[str, Any]) -> _Zygote | str | None:
        """A ready zygote for the target, WAIT while one is starting, None to start cold."""
        if not self.settings.enabled:
            return None
        key = str(target.get("key", ""))
        if key not in self._targets:  # recorded by an earlier server: learn it again
            if not target.get("python") or not target.get("bin_dir"):
                return None
            self._targets[key] = dict(target)
        if self._cold_until.get(key, 0.0) > self._clock():
            return None
        zygotes = [z for z in self._zygotes.get(key, []) if z.state != "dead"]
        self._zygotes[key] = zygotes
        while len(zygotes) < self.settings.size:
            started = self._start(key)
            if started is None:
                return None
            zygotes.append(started)
        ready = [z for z in zygotes if z.state == "ready"]
        if not ready:
            return WAIT
        return min(ready, key=lambda z: len(z.in_flight))

    def request(self, zygote: _Zygote, attempt_id: str, attempt_dir: str, lock_fd: int) -> None:
        """Asks the zygote to start the attempt; the lock travels with the request (OSError: start it cold)."""
        message = json.dumps({"id": attempt_id, "dir": attempt_dir}).encode()
        socket.send_fds(zygote.control, [message], [lock_fd])
        zygote.in_flight[attempt_id] = self._clock()
        zygote.last_used = self._clock()

    def prestart(self, python: PythonEnvironment) -> None:
        """Starts the warm interpreter of an environment before its first attempt needs it."""
        script = os.path.join(python.bin_dir, ENTRYPOINTS[0])
        argv = [ENTRYPOINTS[0]]
        env = {**self._zygote_env(python)}
        target = self.target(argv, env, python) if os.path.exists(script) else None
        if target is not None:
            self.route(target)

    # -- events --------------------------------------------------------------------------------------------------

    def handle(self, event: object) -> list[Result]:
        """What a selector event of one of the pool's file descriptors means for attempts."""
        assert isinstance(event, _Event)
        zygote = event.zygote
        results = self._drain(zygote)
        if event.kind == "exit" or zygote.state == "dead":
            results += self._bury(zygote)
        return results

    def owns(self, data: object) -> bool:
        return isinstance(data, _Event)

    def sweep(self) -> list[Result]:
        """Timeouts: zygotes that take too long to start or to answer are killed, idle ones are let go."""
        now = self._clock()
        results: list[Result] = []
        for zygotes in self._zygotes.values():
            for zygote in zygotes:
                if zygote.state == "dead":
                    continue
                stuck = zygote.state == "starting" and now - zygote.started_at > START_TIMEOUT
                silent = any(now - asked > REPLY_TIMEOUT for asked in zygote.in_flight.values())
                if stuck or silent:
                    log.warning(
                        "warm pool: the warm interpreter %s (pid %s) %s; replacing it",
                        zygote.key,
                        zygote.process.pid,
                        "did not start in time" if stuck else "stopped answering",
                    )
                    if stuck:
                        self._cold_until[zygote.key] = now + COLD_AFTER_FAILURE
                    with contextlib.suppress(OSError):
                        zygote.process.kill()
                    results += self._bury(zygote)
                elif (
                    zygote.state == "ready"
                    and self.settings.idle_timeout
                    and not zygote.in_flight
                    and now - zygote.last_used > self.settings.idle_timeout
                ):
                    log.info("warm pool: the warm interpreter %s was idle; it exits", zygote.key)
                    self._release(zygote)
        return results

    def next_deadline(self) -> float | None:
        """Seconds until `sweep` has something to do (None: nothing pending)."""
        now = self._clock()
        deadlines: list[float] = []
        for zygotes in self._zygotes.values():
            for zygote in zygotes:
                if zygote.state == "starting":
                    deadlines.append(zygote.started_at + START_TIMEOUT)
                deadlines += [asked + REPLY_TIMEOUT for asked in zygote.in_flight.values()]
                if zygote.state == "ready" and not zygote.in_flight and self.settings.idle_timeout:
                    deadlines.append(zygote.last_used + self.settings.idle_timeout)
        return max(0.0, min(deadlines) - now) + 0.01 if deadlines else None

    def status(self) -> list[dict[str, Any]]:
        """The live zygotes, for logs and tests."""
        return [
            {"key": z.key, "pid": z.process.pid, "state": z.state, "in_flight": len(z.in_flight), **z.info}
            for zygotes in self._zygotes.values()
            for z in zygotes
            if z.state != "dead"
        ]

    def close(self) -> None:
        """Lets every zygote go (they exit when their socket closes); attempts they started run on."""
        zygotes = [z for group in self._zygotes.values() for z in group if z.state != "dead"]
        for zygote in zygotes:
            self._release(zygote)
        deadline = time.monotonic() + 5.0
        for zygote in zygotes:
            try:
                zygote.process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                zygote.process.kill()
                zygote.process.wait()
            self._forget(zygote)

    # -- zygote lifecycle ----------------------------------------------------------------------------------------

    def _start(self, key: str) -> _Zygote | None:
        target = self._targets[key]
        python = PythonEnvironment(str(target["bin_dir"]), target.get("virtualenv"), str(target.get("env", "")))
        folder = self._root / key
        (self._root / "tmp").mkdir(parents=True, exist_ok=True)
        folder.mkdir(parents=True, exist_ok=True)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            with open(self._root / f"{key}.log", "ab") as log_file:
                process = subprocess.Popen(
                    [str(target["python"]), str(ZYGOTE_SCRIPT), str(theirs.fileno()), *target.get("imports", [])],
                    stdin=subprocess.DEVNULL,
                    stdout=log_file,
                    stderr=log_file,
                    cwd=folder,
                    env=self._zygote_env(python),
                    pass_fds=(theirs.fileno(),),
                    start_new_session=True,  # a terminal's Ctrl-C is the server's to handle, not the zygote's
                )
        except (OSError, ValueError) as e:
            ours.close()
            log.warning("warm pool: cannot start a warm interpreter with %s: %s", target["python"], e)
            self._cold_until[key] = self._clock() + COLD_AFTER_FAILURE
            return None
        finally:
            theirs.close()
        ours.setblocking(False)
        pidfd = open_pidfd(process.pid)
        now = self._clock()
        zygote = _Zygote(key, process, ours, pidfd, started_at=now, last_used=now)
        self._selector.register(ours, selectors.EVENT_READ, _Event(zygote, "control"))
        if pidfd is not None:
            self._selector.register(pidfd, selectors.EVENT_READ, _Event(zygote, "exit"))
        return zygote

    def _drain(self, zygote: _Zygote) -> list[Result]:
        """Reads every message waiting on the control socket."""
        results: list[Result] = []
        while zygote.state != "dead":
            try:
                data, fds, _flags, _address = socket.recv_fds(zygote.control, MAX_MESSAGE, 2)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                data, fds = b"", []
            if not data:  # the zygote closed its end: it is exiting
                for fd in fds:
                    os.close(fd)
                with contextlib.suppress(OSError):
                    zygote.process.kill()
                results += self._bury(zygote)
                break
            results += self._message(zygote, data, fds)
        return results

    def _message(self, zygote: _Zygote, data: bytes, fds: list[int]) -> list[Result]:
        try:
            message = json.loads(data)
        except ValueError:
            message = {}
        attempt_id = str(message.get("id") or "")
        if message.get("ready"):
            zygote.state = "ready"
            zygote.last_used = self._clock()  # idle from now on, not from when it was started
            zygote.info = {k: message.get(k) for k in ("flytekit", "python", "seconds")}
            self._cold_until.pop(zygote.key, None)
            if message.get("skipped"):
                log.warning("warm pool: warm imports that failed: %s", "; ".join(message["skipped"]))
            log.info("warm pool: warm interpreter %s ready (pid %s, %s)", zygote.key, zygote.process.pid, zygote.info)
            return []
        if not attempt_id:
            if message.get("error"):
                log.warning(
                    "warm pool: the warm interpreter %s cannot start: %s (see %s); its attempts start cold",
                    zygote.key,
                    message["error"],
                    self._root / f"{zygote.key}.log",
                )
                self._cold_until[zygote.key] = self._clock() + COLD_AFTER_FAILURE
            for fd in fds:
                os.close(fd)
            return []
        zygote.in_flight.pop(attempt_id, None)
        if "pid" in message:
            return [Forked(attempt_id, int(message["pid"]), fds[0] if fds else None)]
        for fd in fds:
            os.close(fd)
        return [NotForked(attempt_id, str(message.get("error") or "the warm interpreter could not fork"))]

    def _bury(self, zygote: _Zygote) -> list[Result]:
        """The zygote is gone (or going): reap it and hand back what it never answered."""
        if zygote.state == "dead" and zygote.pidfd is None and zygote.control.fileno() == -1:
            return []  # buried already
        if zygote.state == "starting":
            self._cold_until.setdefault(zygote.key, self._clock() + COLD_AFTER_FAILURE)
        zygote.state = "dead"
        orphans = tuple(zygote.in_flight)
        zygote.in_flight.clear()
        with contextlib.suppress(OSError):
            zygote.process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            zygote.process.wait(timeout=5.0)
        self._forget(zygote)
        if zygote.process.returncode not in (0, -signal.SIGKILL, None):
            log.warning("warm pool: warm interpreter %s exited with %s", zygote.key, zygote.process.returncode)
        return [Orphaned(orphans)] if orphans else []

    def _release(self, zygote: _Zygote) -> None:
        """Closing our end of the socket ends the zygote; its exit is then reaped through its pidfd."""
        zygote.state = "dead"
        with contextlib.suppress(KeyError, ValueError):
            self._selector.unregister(zygote.control)
        zygote.control.close()
        if zygote.pidfd is None:  # nothing will report the exit: wait for it here (it follows at once)
            with contextlib.suppress(subprocess.TimeoutExpired):
                zygote.process.wait(timeout=5.0)

    def _forget(self, zygote: _Zygote) -> None:
        with contextlib.suppress(KeyError, ValueError, OSError):
            self._selector.unregister(zygote.control)
        zygote.control.close()
        if zygote.pidfd is not None:
            with contextlib.suppress(KeyError, ValueError):
                self._selector.unregister(zygote.pidfd)
            with contextlib.suppress(OSError):
                os.close(zygote.pidfd)
            zygote.pidfd = None


def open_pidfd(pid: int) -> int | None:
    """A pidfd to wait on the process without polling (None where the platform has none or it is gone)."""
    if not hasattr(os, "pidfd_open"):
        return None
    try:
        return os.pidfd_open(pid)
    except OSError:
        return None
