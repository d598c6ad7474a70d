"""The peer column: the same workloads on Prefect 3, installed by the bench into a virtualenv of its own.

`prefect server start` on 127.0.0.1 with SQLite under a temporary PREFECT_HOME, a `process` work pool and worker
(polling every 0.2 s, not the default 10 s), one deployment per flow of bench/apps/prefect_flows from local source.
A row is `run_deployment(...)` from a fresh interpreter until the flow run is COMPLETED (polled every 50 ms); the
command-line row is a fresh interpreter that deploys the hello flow, runs it and waits. Anything that keeps Prefect
from running is reported as the reason, and the other columns still run.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from bench.workloads import CLI_RUNS, Workload

REQUIREMENT = "prefect>=3,<4"
FLOWS = Path(__file__).parent / "apps" / "prefect_flows"
DRIVER = Path(__file__).with_name("prefect_driver.py")
POOL = "flyteplane-bench"
START_TIMEOUT = 180.0
RUN_TIMEOUT = 1800.0


class PrefectUnavailable(Exception):
    """Why Prefect cannot run here (install failed, server or worker did not start)."""


def install(cache: Path) -> Path:
    """A virtualenv with Prefect 3 under `cache` (made once); its python."""
    venv = cache / "prefect-3"
    python = venv / "bin" / "python"
    stamp = venv / ".installed"
    if stamp.exists():
        return python
    try:
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True, capture_output=True)
        done = subprocess.run(
            [str(python), "-m", "pip", "install", "-q", REQUIREMENT], capture_output=True, text=True, timeout=1800
        )
    except (OSError, subprocess.SubprocessError) as e:
        raise PrefectUnavailable(f"cannot make a virtualenv for Prefect in {venv}: {e}") from e
    if done.returncode != 0:
        raise PrefectUnavailable(f"pip install {REQUIREMENT} failed: {done.stderr.strip()[-800:]}")
    stamp.touch()
    return python


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PrefectPeer:
    def __init__(self, python: Path, home: Path) -> None:
        self.python = python
        self.home = home
        self.port = _free_port()
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")},
            "PREFECT_HOME": str(home),
            "PREFECT_API_URL": f"http://127.0.0.1:{self.port}/api",
            "PREFECT_API_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{home / 'prefect.db'}",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_UI_ENABLED": "false",
            "PREFECT_WORKER_QUERY_SECONDS": "0.2",
            "PREFECT_LOGGING_LEVEL": "WARNING",
        }
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        prefect = str(self.python.with_name("prefect"))
        self._spawn([prefect, "server", "start", "--host", "127.0.0.1", "--port", str(self.port)], "server.log")
        deadline = time.monotonic() + START_TIMEOUT
        while not self._healthy():
            if time.monotonic() > deadline or self.processes[0].poll() is not None:
                raise PrefectUnavailable(f"prefect server did not start; see {self.home / 'server.log'}")
            time.sleep(0.5)
        self._call([prefect, "work-pool", "create", POOL, "--type", "process"])
        self._spawn([prefect, "worker", "start", "--pool", POOL, "--type", "process"], "worker.log")
        self._call([str(self.python), str(DRIVER), "deploy", str(FLOWS), POOL])

    def run(self, workload: Workload, runs: int) -> dict[str, Any]:
        done = self._call(
            [str(self.python), str(DRIVER), "run", workload.workflow, json.dumps(workload.inputs), str(runs)],
            timeout=RUN_TIMEOUT,
        )
        timings = json.loads(done.stdout.strip().splitlines()[-1])
        problems = [f"Prefect {workload.title} ended {state}" for _, state in timings if state != "COMPLETED"]
        return {"seconds": [seconds for seconds, state in timings if state == "COMPLETED"], "problems": problems}

    def cli(self) -> dict[str, Any]:
        seconds, problems = [], []
        for _ in range(CLI_RUNS):
            started = time.perf_counter()
            done = subprocess.run(
                [str(self.python), str(DRIVER), "cli", str(FLOWS), POOL],
                env=self.env,
                capture_output=True,
                text=True,
                timeout=RUN_TIMEOUT,
            )
            seconds.append(time.perf_counter() - started)
            if done.returncode != 0:
                problems.append(f"Prefect hello from the command line failed: {done.stderr[-300:]}")
        return {"seconds": seconds, "problems": problems}

    def stop(self) -> None:
        """Ends the worker (and the flow runs it started) and the server: the process groups this peer started."""
        for process in reversed(self.processes):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def _spawn(self, argv: list[str], log: str) -> None:
        with open(self.home / log, "wb") as output:
            self.processes.append(
                subprocess.Popen(argv, env=self.env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
            )

    def _call(self, argv: list[str], timeout: float = START_TIMEOUT) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(argv, env=self.env, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise PrefectUnavailable(f"{' '.join(argv[:3])} failed: {done.stderr.strip()[-800:]}")
        return done

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/api/health", timeout=2) as response:
                return bool(response.status == 200)
        except OSError:
            return False
