"""A flyteplane column of the engine benchmark: one `flyteplane serve` (warm pool on, or today's cold path), the
benchmark's workflows fast-registered, each workload timed from CreateExecution to the GetExecution poll (every
50 ms, raw flyteidl stubs) that sees it SUCCEEDED with the right output, and `pyflyte run --remote --wait` of a
hello world timed as a command. The server's CPU time (and its task processes') is read from /proc per row."""

from __future__ import annotations

import contextlib
import importlib
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import grpc
from flyteidl.admin import execution_pb2
from flyteidl.core import execution_pb2 as core_execution_pb2
from flyteidl.core import identifier_pb2, literals_pb2
from flyteidl.service.admin_pb2_grpc import AdminServiceStub
from tests.integration.server import RunningServer, start_server

from bench.workloads import CLI_RUNS, WORKLOADS, Workload

APPS = Path(__file__).parent / "apps"
APP_MODULE = "benchflows.tiny"
PROJECT = "flyteplane-bench"
DOMAIN = "development"
POLL_SECONDS = 0.05
EXECUTION_DEADLINE = 1800.0  # seconds; an execution still running then has found a hang
RPC_TIMEOUT = 30.0
PYFLYTE = Path(sys.executable).with_name("pyflyte")
TERMINAL = {
    core_execution_pb2.WorkflowExecution.SUCCEEDED,
    core_execution_pb2.WorkflowExecution.FAILED,
    core_execution_pb2.WorkflowExecution.ABORTED,
    core_execution_pb2.WorkflowExecution.TIMED_OUT,
}


def app_module() -> ModuleType:
    """`benchflows.tiny` imported from bench/apps, as pyflyte would, so entity names match registration."""
    if str(APPS) not in sys.path:
        sys.path.insert(0, str(APPS))
    return importlib.import_module(APP_MODULE)


def literals(values: dict[str, Any]) -> literals_pb2.LiteralMap:
    """Inputs as flytekit turns them into literals (ints and lists of ints here)."""
    from flytekit import FlyteContextManager
    from flytekit.core.type_engine import TypeEngine

    types = {name: list[int] if isinstance(value, list) else int for name, value in values.items()}
    model = TypeEngine.dict_to_literal_map(FlyteContextManager.current_context(), values, types)  # type: ignore[arg-type]
    literal_map: literals_pb2.LiteralMap = model.to_flyte_idl()
    return literal_map


def output_of(outputs: literals_pb2.LiteralMap) -> Any:
    literal = outputs.literals.get("o0")
    if literal is None:
        return None
    if literal.HasField("collection"):
        return [int(item.scalar.primitive.integer) for item in literal.collection.literals]
    return int(literal.scalar.primitive.integer)


def cpu_seconds(pid: int) -> tuple[float, float]:
    """The process's own CPU seconds and those of its reaped descendants (its task processes)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0, 0.0
    tick = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / tick, (int(fields[13]) + int(fields[14])) / tick


def children_of(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
    return found


@dataclass
class Row:
    seconds: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    server_cpu: float = 0.0  # the server process, per run
    task_cpu: float = 0.0  # warm interpreters, supervisors and task processes, per run
    skipped: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "seconds": [round(s, 4) for s in self.seconds],
            "problems": self.problems,
            "server_cpu_seconds": round(self.server_cpu, 3),
            "task_cpu_seconds": round(self.task_cpu, 3),
            "skipped": self.skipped,
        }


class FlyteplaneColumn:
    """One server, its workloads and its command-line row; see the module docstring."""

    def __init__(self, home: Path, db: str, extra: Sequence[str] = ()) -> None:
        self.home = home
        self.db = db
        self.extra = list(extra)
        self.server: RunningServer | None = None
        self.stub: Any = None
        self.version = f"bench-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:6]}"
        self.facts: dict[str, Any] = {}

    def start(self) -> None:
        self.server = start_server(self.home, self.db, *self.extra)
        self.channel = grpc.insecure_channel(self.server.endpoint)
        grpc.channel_ready_future(self.channel).result(timeout=30)
        self.stub = AdminServiceStub(self.channel)
        started = time.perf_counter()
        self.register()
        self.facts["server_start_seconds"] = round(self.server.startup_seconds, 2)
        self.facts["registration_seconds"] = round(time.perf_counter() - started, 2)

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.channel.close()
        if self.server is not None:
            self.server.stop()

    def register(self) -> None:
        """The project and the benchmark's workflows, fast-registered as `pyflyte register` would."""
        from flytekit.exceptions.user import FlyteEntityAlreadyExistsException
        from flytekit.models.project import Project
        from flytekit.remote import FlyteRemote

        assert self.server is not None
        remote = FlyteRemote.for_endpoint(
            self.server.endpoint, insecure=True, default_project=PROJECT, default_domain=DOMAIN
        )
        with contextlib.suppress(FlyteEntityAlreadyExistsException):  # a database given with --db keeps it
            remote.client.register_project(Project(PROJECT, "flyteplane bench", "the engine benchmark's workflows"))
        tiny = app_module()
        for workflow in (tiny.single, tiny.chain, tiny.mapped, tiny.dynamic_fan):
            remote.register_script(
                workflow, project=PROJECT, domain=DOMAIN, version=self.version, source_path=str(APPS), copy_all=True
            )

    def warm_up(self) -> None:
        self.execute(WORKLOADS[0])

    def run(self, workload: Workload, runs: int) -> Row:
        row = Row()
        assert self.server is not None
        pids = [self.server.process.pid, *children_of(self.server.process.pid)]
        before = [cpu_seconds(pid) for pid in pids]
        for _ in range(runs):
            seconds, problem = self.execute(workload)
            if problem:
                row.problems.append(problem)
            else:
                row.seconds.append(seconds)
        after = [cpu_seconds(pid) for pid in pids]
        row.server_cpu = (after[0][0] - before[0][0]) / max(1, runs)
        row.task_cpu = sum(a[0] + a[1] - b[0] - b[1] for a, b in zip(after[1:], before[1:], strict=True))
        row.task_cpu = (row.task_cpu + after[0][1] - before[0][1]) / max(1, runs)
        return row

    def execute(self, workload: Workload) -> tuple[float, str]:
        """Seconds from CreateExecution to the poll that saw the end, and what went wrong ("" if nothing)."""
        plan = identifier_pb2.Identifier(
            resource_type=identifier_pb2.LAUNCH_PLAN,
            project=PROJECT,
            domain=DOMAIN,
            name=f"{APP_MODULE}.{workload.workflow}",
            version=self.version,
        )
        request = execution_pb2.ExecutionCreateRequest(
            project=PROJECT,
            domain=DOMAIN,
            name=f"b{uuid.uuid4().hex[:19]}",
            spec=execution_pb2.ExecutionSpec(
                launch_plan=plan, metadata=execution_pb2.ExecutionMetadata(mode=execution_pb2.ExecutionMetadata.MANUAL)
            ),
            inputs=literals(workload.inputs),
        )
        get = execution_pb2.WorkflowExecutionGetRequest()
        try:
            started = time.perf_counter()
            created = self.stub.CreateExecution(request, timeout=RPC_TIMEOUT)
            get.id.CopyFrom(created.id)
            while True:
                time.sleep(POLL_SECONDS)
                execution = self.stub.GetExecution(get, timeout=RPC_TIMEOUT)
                seconds = time.perf_counter() - started
                if execution.closure.phase in TERMINAL or seconds > EXECUTION_DEADLINE:
                    break
            data = self.stub.GetExecutionData(
                execution_pb2.WorkflowExecutionGetDataRequest(id=created.id), timeout=RPC_TIMEOUT
            )
        except grpc.RpcError as exc:
            return 0.0, f"{workload.title}: {exc.code().name}: {exc.details()}"  # type: ignore[attr-defined]
        phase = core_execution_pb2.WorkflowExecution.Phase.Name(execution.closure.phase)
        if phase != "SUCCEEDED":
            return seconds, f"{workload.title} ended {phase}: {execution.closure.error.message[:300]}"
        got = output_of(data.full_outputs)
        if got != workload.expected:
            return seconds, f"{workload.title} returned {str(got)[:60]}, expected {str(workload.expected)[:60]}"
        return seconds, ""

    def cli(self, runs: int = CLI_RUNS) -> Row:
        """`pyflyte run --remote --wait hello.py wf` (flytekit's default poll interval), start to exit."""
        assert self.server is not None
        config = self.home / "pyflyte.yaml"
        config.write_text(f"admin:\n  endpoint: dns:///{self.server.endpoint}\n  insecure: true\n")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("FLYTE_", "FLYTEPLANE_"))}
        row = Row()
        for _ in range(runs):
            argv = [str(PYFLYTE), "--config", str(config), "run", "--remote", "--project", PROJECT]
            argv += ["--domain", DOMAIN, "--wait", "hello.py", "wf"]
            started = time.perf_counter()
            done = subprocess.run(argv, cwd=APPS, env=env, capture_output=True, text=True, timeout=600)
            seconds = time.perf_counter() - started
            if done.returncode != 0 or "has succeeded" not in done.stdout:
                row.problems.append(f"pyflyte run --remote exited {done.returncode}: {done.stderr[-300:]}")
            else:
                row.seconds.append(seconds)
        return row
