"""Runs `flyteplane serve` as a real subprocess on a free loopback port, as a user would."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

READY = re.compile(r"serving on \S+:(\d+)")


@dataclass
class RunningServer:
    process: subprocess.Popen[str]
    port: int
    home: Path
    db: str
    log: Path
    startup_seconds: float  # from process start to the ready line

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 15.0) -> int:
        """Asks the server to stop with `signum` and returns its exit code (killed after `timeout`)."""
        if self.process.poll() is None:
            self.process.send_signal(signum)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def output(self) -> str:
        """What the server printed on stdout after its ready line; only complete once it has exited."""
        assert self.process.stdout is not None
        return self.process.stdout.read() if self.process.poll() is not None else ""


def start_server(
    home: Path,
    db: str = "",
    *extra: str,
    timeout: float = 30.0,
    preexec_fn: Callable[[], None] | None = None,
    env: Mapping[str, str] | None = None,
) -> RunningServer:
    """Starts `flyteplane serve` with `extra` flags; `preexec_fn` runs in the child first (e.g. to set limits);
    `env`: variables added to the server's environment (e.g. AWS credentials)."""
    home.mkdir(parents=True, exist_ok=True)
    log = home / "server.log"
    args = [sys.executable, "-m", "flyteplane", "serve", "--port", "0", "--home", str(home), *extra]
    if db:
        args += ["--db", db]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("FLYTEPLANE_")}
    environment.update(env or {})
    with log.open("w") as log_handle:
        started = time.monotonic()
        process = subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=log_handle, text=True, env=environment, preexec_fn=preexec_fn
        )
    deadline = started + timeout
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        match = READY.search(line)
        if match:
            return RunningServer(process, int(match.group(1)), home, db, log, time.monotonic() - started)
    process.kill()
    process.wait()
    raise RuntimeError(f"flyteplane did not start; log:\n{log.read_text()}")


@dataclass
class RunningEngine:
    """A `flyteplane engine` subprocess (no port)."""

    process: subprocess.Popen[str]
    log: Path

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 15.0) -> int:
        return RunningServer.stop(self, signum, timeout)  # type: ignore[arg-type]


def start_engine(home: Path, db: str = "", *extra: str, timeout: float = 30.0) -> RunningEngine:
    """Starts `flyteplane engine` on `home` (and `db`) and waits for its ready line."""
    home.mkdir(parents=True, exist_ok=True)
    log = home / "engine.log"
    args = [sys.executable, "-m", "flyteplane", "engine", "--home", str(home), *extra]
    if db:
        args += ["--db", db]
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLYTEPLANE_")}
    with log.open("w") as log_handle:
        process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=log_handle, text=True, env=env)
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        if "engine running" in line:
            return RunningEngine(process, log)
    process.kill()
    process.wait()
    raise RuntimeError(f"flyteplane engine did not start; log:\n{log.read_text()}")
