"""Runs `flyteplane serve` as a real subprocess on a free loopback port, as a user would."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
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

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def start_server(home: Path, db: str = "", *extra: str, timeout: float = 30.0) -> RunningServer:
    home.mkdir(parents=True, exist_ok=True)
    log = home / "server.log"
    args = [sys.executable, "-m", "flyteplane", "serve", "--port", "0", "--home", str(home), *extra]
    if db:
        args += ["--db", db]
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLYTEPLANE_")}
    log_handle = log.open("w")
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=log_handle, text=True, env=env)
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        match = READY.search(line)
        if match:
            return RunningServer(process, int(match.group(1)), home, db, log)
    process.kill()
    raise RuntimeError(f"flyteplane did not start; log:\n{log.read_text()}")
