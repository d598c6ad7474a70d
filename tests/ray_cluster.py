"""A real local Ray cluster for tests and benchmarks: a head node and a worker node, on 127.0.0.1 only.

Each node is one `ray start --block` process (its gcs_server, raylet, dashboard, agents and workers are its
descendants), so the cluster is stopped by those two pids, never by `ray stop` (which kills every Ray process of
the machine by name). On Linux Ray rewrites `--node-ip-address=127.0.0.1` to the machine's routable address and
binds some servers to 0.0.0.0; `RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0` keeps everything on loopback, but then
`ray start` refuses a second node, so the worker's `ray start` runs in a wrapper that allows the cluster and
leaves the loopback address alone. The head has no CPUs: every task attempt (one CPU by default) runs on the
worker, which also carries a custom resource `worker`. Every port the nodes listen on is checked to be loopback.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

LOOPBACK = ("127.0.0.1", "::ffff:127.0.0.1", "::1")
START_TIMEOUT = 180.0

HEAD = "from ray.scripts.scripts import main; main()"
WORKER = (
    "import ray._private.ray_constants as constants, ray._private.services as services\n"
    "constants.ENABLE_RAY_CLUSTER = True  # a second node on a loopback-only machine\n"
    "services.resolve_ip_for_localhost = lambda host: host  # ... and keep it on 127.0.0.1\n"
    "from ray.scripts.scripts import main\n"
    "main()\n"
)


class RayClusterUnavailable(Exception):
    """Ray (or psutil) is not installed, or the cluster did not come up."""


def missing() -> str | None:
    """Why no cluster can be started here (None: it can)."""
    for module in ("ray", "psutil"):
        try:
            __import__(module)
        except ImportError:
            return f"{module} is not installed (pip install -e '.[dev]' installs ray[default] and psutil)"
    return None


def require() -> None:
    """Skips the test when Ray is missing; in CI that is a failure."""
    reason = missing()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Ray is required in CI: {reason}")
        pytest.skip(reason)


def _free_ports(count: int) -> list[int]:
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _node_ports(ports: list[int]) -> list[str]:
    names = (
        "--node-manager-port",
        "--object-manager-port",
        "--dashboard-agent-listen-port",
        "--dashboard-agent-grpc-port",
        "--metrics-export-port",
        "--runtime-env-agent-port",
    )
    return [f"{name}={port}" for name, port in zip(names, ports, strict=True)]


@dataclass
class RayCluster:
    head: subprocess.Popen[bytes]
    worker: subprocess.Popen[bytes]
    address: str  # the Jobs API: http://127.0.0.1:<dashboard port>
    gcs_address: str
    temp_dir: Path
    logs: list[Path] = field(default_factory=list)

    def nodes(self) -> list[dict[str, Any]]:
        """The dashboard's node summary: id, resources, state of each node."""
        with urllib.request.urlopen(f"{self.address}/nodes?view=summary", timeout=10) as response:
            data = json.load(response)
        return [node["raylet"] for node in data["data"]["summary"]]

    def node_id(self, resource: str) -> str:
        """The id of the node that has `resource` (e.g. "worker", or "node:InternalHead")."""
        for node in self.nodes():
            if resource in (node.get("resourcesTotal") or {}) and node.get("state") == "ALIVE":
                return str(node["nodeId"])
        raise KeyError(resource)

    def processes(self) -> list[Any]:
        """The two `ray start` processes and everything they started."""
        import psutil

        found = []
        for root in (self.head, self.worker):
            try:
                process = psutil.Process(root.pid)
                found += [process, *process.children(recursive=True)]
            except psutil.Error:
                continue
        return found

    def exposed(self) -> list[str]:
        """Sockets of the cluster's processes bound anywhere but loopback (should be none)."""
        import psutil

        bad = []
        for process in self.processes():
            try:
                connections = process.net_connections(kind="inet")
                name = process.name()
            except psutil.Error:
                continue
            for conn in connections:
                listening = conn.status == psutil.CONN_LISTEN or (conn.type == socket.SOCK_DGRAM and not conn.raddr)
                if listening and conn.laddr and conn.laddr.ip not in LOOPBACK:
                    bad.append(f"{name} (pid {process.pid}) on {conn.laddr.ip}:{conn.laddr.port}")
        return bad

    def listening_ports(self) -> list[tuple[str, int]]:
        import psutil

        ports = []
        for process in self.processes():
            try:
                for conn in process.net_connections(kind="inet"):
                    if conn.status == psutil.CONN_LISTEN:
                        ports.append((conn.laddr.ip, conn.laddr.port))
            except psutil.Error:
                continue
        return ports

    def stop(self) -> None:
        """SIGTERM to each `ray start --block` (it ends its node), then SIGKILL to whatever is left, by pid."""
        import psutil

        leftovers = self.processes()
        for root in (self.worker, self.head):
            if root.poll() is None:
                root.send_signal(signal.SIGTERM)
        for root in (self.worker, self.head):
            try:
                root.wait(timeout=30)
            except subprocess.TimeoutExpired:
                root.kill()
                root.wait()
        _gone, alive = psutil.wait_procs(leftovers, timeout=10)
        for process in alive:
            with contextlib.suppress(psutil.Error):
                process.kill()
        psutil.wait_procs(alive, timeout=10)
        shutil.rmtree(self.temp_dir, ignore_errors=True)


def start_cluster(work: Path, *, worker_cpus: int = 2, timeout: float = START_TIMEOUT) -> RayCluster:
    """Starts the head, then the worker node, and returns once both are alive and bound to loopback only."""
    reason = missing()
    if reason is not None:
        raise RayClusterUnavailable(reason)
    work.mkdir(parents=True, exist_ok=True)
    temp_dir = Path(tempfile.mkdtemp(prefix="fpray-", dir="/tmp"))  # short: Ray's socket paths live under it
    gcs, dashboard, client, *ports = _free_ports(15)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RAY_", "FLYTEPLANE_"))}
    env.update(RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER="0", RAY_USAGE_STATS_ENABLED="0")
    common = [
        "--block",
        "--node-ip-address=127.0.0.1",
        f"--temp-dir={temp_dir}",
        "--object-store-memory=100000000",
        "--disable-usage-stats",
    ]
    head_args = [
        "start",
        "--head",
        f"--port={gcs}",
        "--dashboard-host=127.0.0.1",
        f"--dashboard-port={dashboard}",
        f"--ray-client-server-port={client}",
        "--num-cpus=0",
        *_node_ports(ports[:6]),
        *common,
    ]
    worker_args = [
        "start",
        f"--address=127.0.0.1:{gcs}",
        f"--num-cpus={worker_cpus}",
        '--resources={"worker": 1000}',
        *_node_ports(ports[6:12]),
        *common,
    ]
    logs = [work / "ray-head.log", work / "ray-worker.log"]
    address = f"http://127.0.0.1:{dashboard}"
    deadline = time.monotonic() + timeout
    with logs[0].open("wb") as out:
        head = subprocess.Popen(
            [sys.executable, "-c", HEAD, *head_args], stdout=out, stderr=subprocess.STDOUT, env=env, cwd=temp_dir
        )
    cluster: RayCluster | None = None
    try:
        _wait(lambda: _get(f"{address}/api/version") is not None, head, deadline, "the head's Jobs API", logs[0])
        with logs[1].open("wb") as out:
            worker = subprocess.Popen(
                [sys.executable, "-c", WORKER, *worker_args],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=temp_dir,
            )
        cluster = RayCluster(head, worker, address, f"127.0.0.1:{gcs}", temp_dir, logs)
        _wait(lambda: _alive_nodes(address) >= 2, worker, deadline, "the worker node", logs[1])
        _wait(lambda: _agents_ready(address), worker, deadline, "the job agents", logs[1])
    except BaseException:
        if cluster is not None:
            cluster.stop()
        else:
            head.kill()
            head.wait()
            shutil.rmtree(temp_dir, ignore_errors=True)
        raise
    exposed = cluster.exposed()
    if exposed:
        cluster.stop()
        raise RayClusterUnavailable(f"Ray listens beyond loopback: {', '.join(exposed)}")
    return cluster


def _get(url: str) -> Any:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return json.load(response)
    except (OSError, ValueError, urllib.error.URLError):
        return None


def _alive_nodes(address: str) -> int:
    data = _get(f"{address}/nodes?view=summary")
    if not data:
        return 0
    return sum(1 for node in data["data"]["summary"] if node["raylet"].get("state") == "ALIVE")


def _agents_ready(address: str) -> bool:
    """A job can be submitted: the head knows a job agent (jobs submitted earlier fail with 'no agent')."""
    data = _get(f"{address}/api/jobs/")
    return isinstance(data, list)


def _wait(ready: Any, process: subprocess.Popen[bytes], deadline: float, what: str, log: Path) -> None:
    while time.monotonic() < deadline:
        if ready():
            return
        if process.poll() is not None:
            raise RayClusterUnavailable(f"{what} exited with {process.returncode}: {log.read_text()[-3000:]}")
        time.sleep(0.3)
    raise RayClusterUnavailable(f"{what} did not come up in time: {log.read_text()[-3000:]}")
