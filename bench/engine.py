"""Engine benchmarks: what running a task through flyteplane costs beside running it with `pyflyte-execute`.

The baseline is the trivial task of `bench/apps/benchflows/tiny.py` run directly as a subprocess, with the same
command line (rendered by the engine's own substitution) and the same kind of environment the local executor
builds. Against a real `flyteplane serve` subprocess the same task then runs as a 1-task workflow, a chain of 20
and a map task over 100 items, each timed from just before CreateExecution to the GetExecution poll (every 50 ms)
that sees it terminal, over raw flyteidl stubs so no client-side waiting policy is billed to the server.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import grpc
from flyteidl.admin import execution_pb2, node_execution_pb2
from flyteidl.core import execution_pb2 as core_execution_pb2
from flyteidl.core import identifier_pb2, literals_pb2, tasks_pb2
from flyteidl.service.admin_pb2_grpc import AdminServiceStub
from tests.integration.server import RunningServer, start_server

from bench.postgres import temporary_database
from bench.report import write_json
from flyteplane import __version__
from flyteplane.config import Settings
from flyteplane.engine.executors.environment import PythonEnvironments, attempt_environment
from flyteplane.engine.executors.substitution import TemplateValues, render

APPS = Path(__file__).parent / "apps"
APP_MODULE = "benchflows.tiny"
PROJECT = "flyteplane-bench"
DOMAIN = "development"
POLL_SECONDS = 0.05
EXECUTION_DEADLINE = 300.0  # seconds; an execution still running then has found a hang
BASELINE_DEADLINE = 120.0
RPC_TIMEOUT = 30.0
MAP_ITEMS = 100
LOG_TAIL_LINES = 40
WIDE = 132
HEADERS = ("benchmark", "runs", "p50 s", "mean s", "x direct", "derived")
TERMINAL = {
    core_execution_pb2.WorkflowExecution.SUCCEEDED,
    core_execution_pb2.WorkflowExecution.FAILED,
    core_execution_pb2.WorkflowExecution.ABORTED,
    core_execution_pb2.WorkflowExecution.TIMED_OUT,
}


@dataclass(frozen=True)
class Runs:
    """Timed runs of each benchmark (one untimed warm-up precedes the baseline and the 1-task workflow)."""

    baseline: int = 5
    single: int = 5
    chain: int = 1
    mapped: int = 1

    @classmethod
    def scaled(cls, factor: float) -> Runs:
        def at_least_one(runs: int) -> int:
            return max(1, round(runs * factor))

        default = cls()
        return cls(
            at_least_one(default.baseline),
            at_least_one(default.single),
            at_least_one(default.chain),
            at_least_one(default.mapped),
        )


@dataclass(frozen=True)
class Timing:
    """One benchmark's wall times in seconds, with how it compares to the same work run directly."""

    name: str
    seconds: list[float]
    direct_seconds: float  # the baseline p50 times the number of task runs the benchmark makes
    derived: dict[str, float] = field(default_factory=dict)
    server_seconds: list[float] = field(default_factory=list)  # the execution closure's own duration

    @property
    def p50(self) -> float:
        return statistics.median(self.seconds) if self.seconds else float("nan")

    @property
    def mean(self) -> float:
        return statistics.fmean(self.seconds) if self.seconds else float("nan")

    @property
    def ratio(self) -> float:
        return self.p50 / self.direct_seconds if self.direct_seconds else float("nan")

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "runs": len(self.seconds),
            "seconds": [round(s, 4) for s in self.seconds],
            "p50_seconds": _rounded(self.p50),
            "mean_seconds": _rounded(self.mean),
            "direct_seconds": _rounded(self.direct_seconds),
            "ratio_to_direct": _rounded(self.ratio),
            "server_seconds": [round(s, 4) for s in self.server_seconds],
            **{key: _rounded(value) for key, value in self.derived.items()},
        }


@dataclass
class EngineReport:
    timings: list[Timing] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _rounded(value: float) -> float | None:
    return None if value != value else round(value, 4)  # NaN (no successful run) is null in JSON


def app_module() -> ModuleType:
    """`benchflows.tiny` imported from bench/apps, as pyflyte would, so entity names match registration."""
    if str(APPS) not in sys.path:
        sys.path.insert(0, str(APPS))
    return importlib.import_module(APP_MODULE)


def int_inputs(**values: Any) -> literals_pb2.LiteralMap:
    """Inputs as flytekit turns them into literals (ints and lists of ints here)."""
    from flytekit import FlyteContextManager
    from flytekit.core.type_engine import TypeEngine

    types = {name: list[int] if isinstance(value, list) else int for name, value in values.items()}
    model = TypeEngine.dict_to_literal_map(FlyteContextManager.current_context(), values, types)  # type: ignore[arg-type]
    literal_map: literals_pb2.LiteralMap = model.to_flyte_idl()
    return literal_map


def integer_of(literal: literals_pb2.Literal) -> int:
    return int(literal.scalar.primitive.integer)


# -- the baseline: pyflyte-execute directly -------------------------------------------------------------------


class DirectRun:
    """Runs the trivial task with `pyflyte-execute` as a subprocess, laid out as the engine lays out an attempt."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.template = self._template()
        self.python = PythonEnvironments(None).for_image(self.template.container.image)

    def _template(self) -> tasks_pb2.TaskTemplate:
        """The TaskTemplate `pyflyte register` makes for the task (not fast-registered: the code is on PYTHONPATH)."""
        from flytekit.configuration import ImageConfig, SerializationSettings
        from flytekit.tools.translator import get_serializable

        settings = SerializationSettings(
            image_config=ImageConfig.auto_default_image(), project=PROJECT, domain=DOMAIN, version="direct"
        )
        spec = get_serializable(OrderedDict(), settings, app_module().bump)
        template: tasks_pb2.TaskTemplate = spec.template.to_flyte_idl()
        return template

    def run(self, index: int, x: int) -> tuple[float, str]:
        """Wall time of one run, and what went wrong ("" when the task wrote the right output)."""
        data = self.work / f"direct-{index}"
        outputs, raw, scratch = data / "0", data / "raw", data / "tmp"
        for folder in (outputs, raw, scratch):
            folder.mkdir(parents=True, exist_ok=True)
        (data / "inputs.pb").write_bytes(int_inputs(x=x).SerializeToString())
        (data / "task.pb").write_bytes(self.template.SerializeToString())
        values = TemplateValues(
            input_path=str(data / "inputs.pb"),
            input_prefix=str(data),
            output_prefix=str(outputs),
            raw_output_prefix=str(raw),
            checkpoint_prefix=str(raw / "_flytecheckpoints"),
            previous_checkpoint_prefix="",
            per_retry_unique_key=f"direct{index}",
            task_template_path=str(data / "task.pb"),
            namespace=f"{PROJECT}-{DOMAIN}",
        )
        container = self.template.container
        argv = render([*container.command, *container.args], values, literals_pb2.LiteralMap)
        env = attempt_environment(
            self.python,
            tmpdir=str(scratch),
            base={},
            container_env={pair.key: pair.value for pair in container.env},
            attempt_env={"PYTHONPATH": str(APPS)},
        )
        argv[0] = os.path.join(self.python.bin_dir, argv[0])
        started = time.perf_counter()
        try:
            done = subprocess.run(argv, env=env, cwd=data, capture_output=True, timeout=BASELINE_DEADLINE)
        except subprocess.TimeoutExpired:
            return time.perf_counter() - started, f"pyflyte-execute ran longer than {BASELINE_DEADLINE:.0f} s"
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            return seconds, f"pyflyte-execute exited {done.returncode}: {done.stderr.decode()[-500:]}"
        written = outputs / "outputs.pb"
        if not written.is_file():
            return seconds, f"pyflyte-execute wrote no outputs.pb: {done.stderr.decode()[-500:]}"
        got = integer_of(literals_pb2.LiteralMap.FromString(written.read_bytes()).literals["o0"])
        return seconds, "" if got == x + 1 else f"pyflyte-execute returned {got} for bump({x})"


# -- executions through the server ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Finished:
    seconds: float  # CreateExecution sent -> terminal phase seen
    phase: str
    server_seconds: float  # the closure's duration
    outputs: literals_pb2.LiteralMap
    error: str
    id: identifier_pb2.WorkflowExecutionIdentifier


class Executions:
    """Starts executions of registered launch plans with CreateExecution and polls GetExecution until the end."""

    def __init__(self, stub: Any, version: str) -> None:
        self.stub = stub
        self.version = version

    def launch_plan(self, name: str) -> identifier_pb2.Identifier:
        return identifier_pb2.Identifier(
            resource_type=identifier_pb2.LAUNCH_PLAN, project=PROJECT, domain=DOMAIN, name=name, version=self.version
        )

    def run(self, launch_plan: identifier_pb2.Identifier, inputs: literals_pb2.LiteralMap) -> Finished:
        request = execution_pb2.ExecutionCreateRequest(
            project=PROJECT,
            domain=DOMAIN,
            name=f"b{uuid.uuid4().hex[:19]}",
            spec=execution_pb2.ExecutionSpec(
                launch_plan=launch_plan,
                metadata=execution_pb2.ExecutionMetadata(mode=execution_pb2.ExecutionMetadata.MANUAL),
            ),
            inputs=inputs,
        )
        get = execution_pb2.WorkflowExecutionGetRequest()
        started = time.perf_counter()
        created = self.stub.CreateExecution(request, timeout=RPC_TIMEOUT)
        get.id.CopyFrom(created.id)
        while True:
            time.sleep(POLL_SECONDS)
            execution = self.stub.GetExecution(get, timeout=RPC_TIMEOUT)
            seconds = time.perf_counter() - started
            if execution.closure.phase in TERMINAL or seconds > EXECUTION_DEADLINE:
                break
        closure = execution.closure
        phase = core_execution_pb2.WorkflowExecution.Phase.Name(closure.phase)
        if closure.phase not in TERMINAL:
            phase = f"still {phase} after {EXECUTION_DEADLINE:.0f} s"
        data = self.stub.GetExecutionData(
            execution_pb2.WorkflowExecutionGetDataRequest(id=created.id), timeout=RPC_TIMEOUT
        )
        return Finished(
            seconds=seconds,
            phase=phase,
            server_seconds=closure.duration.ToTimedelta().total_seconds(),
            outputs=data.full_outputs,
            error=f"{closure.error.code}: {closure.error.message}" if closure.HasField("error") else "",
            id=created.id,
        )

    def node_seconds(self, execution: identifier_pb2.WorkflowExecutionIdentifier) -> list[float]:
        """Each top-level task node's own duration as the server recorded it (start and end nodes left out)."""
        request = node_execution_pb2.NodeExecutionListRequest(workflow_execution_id=execution, limit=1000)
        nodes = self.stub.ListNodeExecutions(request, timeout=RPC_TIMEOUT).node_executions
        return [
            node.closure.duration.ToTimedelta().total_seconds()
            for node in nodes
            if node.id.node_id not in ("start-node", "end-node")
        ]


class EngineBenchmarks:
    """The four figures in a fixed order; the baseline first, since every other figure is read against it."""

    def __init__(self, executions: Executions, direct: DirectRun, runs: Runs) -> None:
        self.executions = executions
        self.direct = direct
        self.runs = runs
        self.report = EngineReport()

    def run(self) -> EngineReport:
        baseline = self.baseline()
        self.single(baseline)
        self.chain(baseline)
        self.mapped(baseline)
        return self.report

    def baseline(self) -> float:
        warmup, problem = self.direct.run(0, 0)
        self._check("pyflyte-execute warm-up", problem)
        self.report.facts["direct_warmup_seconds"] = round(warmup, 3)
        seconds = []
        for index in range(1, self.runs.baseline + 1):
            elapsed, problem = self.direct.run(index, index)
            if self._check(f"pyflyte-execute run {index}", problem):
                seconds.append(elapsed)
        p50 = statistics.median(seconds) if seconds else float("nan")
        self._record(Timing("pyflyte-execute directly (baseline)", seconds, direct_seconds=p50))
        return p50

    def single(self, baseline: float) -> None:
        plan = self.executions.launch_plan(f"{APP_MODULE}.single")
        warmup = self._execute("1-task workflow warm-up", plan, int_inputs(x=0), [1])
        if warmup is not None:
            self.report.facts["single_warmup_seconds"] = round(warmup.seconds, 3)
        finished = [
            self._execute("1-task workflow", plan, int_inputs(x=i), [i + 1]) for i in range(1, self.runs.single + 1)
        ]
        timing = self._timing("1-task workflow, CreateExecution -> SUCCEEDED", finished, baseline)
        self._record(
            Timing(
                timing.name,
                timing.seconds,
                baseline,
                {"overhead_seconds": timing.p50 - baseline},
                timing.server_seconds,
            )
        )

    def chain(self, baseline: float) -> None:
        length = int(app_module().CHAIN_LENGTH)
        plan = self.executions.launch_plan(f"{APP_MODULE}.chain")
        finished = [
            self._execute(f"{length}-node chain", plan, int_inputs(x=i), [i + length]) for i in range(self.runs.chain)
        ]
        timing = self._timing(f"{length}-node chain, total", finished, length * baseline)
        per_node = (timing.p50 - length * baseline) / length
        between = float("nan")
        last = next((f for f in reversed(finished) if f is not None), None)
        if last is not None:  # what the engine adds between one node's end and the next one's start
            between = (last.seconds - sum(self.executions.node_seconds(last.id))) / length
        self._record(
            Timing(
                timing.name,
                timing.seconds,
                length * baseline,
                {"per_node_overhead_seconds": per_node, "between_nodes_seconds": between},
                timing.server_seconds,
            )
        )

    def mapped(self, baseline: float) -> None:
        plan = self.executions.launch_plan(f"{APP_MODULE}.mapped")
        xs = list(range(MAP_ITEMS))
        finished = [
            self._execute(f"map task over {MAP_ITEMS} items", plan, int_inputs(xs=xs), [x + 1 for x in xs])
            for _ in range(self.runs.mapped)
        ]
        timing = self._timing(f"map task over {MAP_ITEMS} items, total", finished, MAP_ITEMS * baseline)
        self._record(
            Timing(
                timing.name,
                timing.seconds,
                MAP_ITEMS * baseline,
                {"items_per_second": MAP_ITEMS / timing.p50 if timing.seconds else float("nan")},
                timing.server_seconds,
            )
        )

    # -- helpers ----------------------------------------------------------------------------------------------

    def _execute(
        self, what: str, plan: identifier_pb2.Identifier, inputs: literals_pb2.LiteralMap, expected: Sequence[int]
    ) -> Finished | None:
        """Runs one execution; None (and a problem) unless it SUCCEEDED with the expected output."""
        try:
            finished = self.executions.run(plan, inputs)
        except grpc.RpcError as exc:
            self._problem(f"{what}: {exc.code().name}: {exc.details()}")  # type: ignore[attr-defined]
            return None
        if finished.phase != "SUCCEEDED":
            self._problem(f"{what} ended {finished.phase}: {finished.error}")
            return None
        output = finished.outputs.literals.get("o0")
        if output is None:
            self._problem(f"{what} SUCCEEDED with no output o0 in GetExecutionData")
            return None
        got = (
            [integer_of(item) for item in output.collection.literals]
            if output.HasField("collection")
            else [integer_of(output)]
        )
        if got != list(expected):
            self._problem(f"{what} returned {got[:5]}..., expected {list(expected)[:5]}...")
            return None
        print(f"  {what}: {finished.seconds:.3f} s (server {finished.server_seconds:.3f} s)", flush=True)
        return finished

    @staticmethod
    def _timing(name: str, finished: Sequence[Finished | None], direct: float) -> Timing:
        done = [f for f in finished if f is not None]
        return Timing(name, [f.seconds for f in done], direct, server_seconds=[f.server_seconds for f in done])

    def _check(self, what: str, problem: str) -> bool:
        if problem:
            self._problem(f"{what}: {problem}")
        return not problem

    def _record(self, timing: Timing) -> None:
        self.report.timings.append(timing)
        print(f"  {timing.name}: p50 {timing.p50:.3f} s, mean {timing.mean:.3f} s", flush=True)

    def _problem(self, text: str) -> None:
        self.report.problems.append(text)
        print(f"  PROBLEM: {text}", flush=True)


# -- setup, report and the entry point ------------------------------------------------------------------------


def register_app(endpoint: str, version: str) -> float:
    """Creates the benchmark's project and fast-registers the three workflows as `pyflyte register` would."""
    from flytekit.exceptions.user import FlyteEntityAlreadyExistsException
    from flytekit.models.project import Project
    from flytekit.remote import FlyteRemote

    remote = FlyteRemote.for_endpoint(endpoint, insecure=True, default_project=PROJECT, default_domain=DOMAIN)
    started = time.perf_counter()
    with contextlib.suppress(FlyteEntityAlreadyExistsException):  # a database given with --db keeps it
        remote.client.register_project(Project(PROJECT, "flyteplane bench", "the engine benchmark's workflows"))
    tiny = app_module()
    for workflow in (tiny.single, tiny.chain, tiny.mapped):
        remote.register_script(
            workflow, project=PROJECT, domain=DOMAIN, version=version, source_path=str(APPS), copy_all=True
        )
    return time.perf_counter() - started


def rows(timings: Sequence[Timing]) -> list[tuple[str, ...]]:
    def derived(timing: Timing) -> str:
        return ", ".join(
            f"{key.replace('_', ' ')} {value:.2f}" if value == value else f"{key.replace('_', ' ')} -"
            for key, value in timing.derived.items()
        )

    return [
        (t.name, str(len(t.seconds)), f"{t.p50:.3f}", f"{t.mean:.3f}", f"{t.ratio:.2f}", derived(t)) for t in timings
    ]


def print_table(title: str, timings: Sequence[Timing], facts: Mapping[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for index, header in enumerate(HEADERS):
        table.add_column(header, justify="left" if index in (0, len(HEADERS) - 1) else "right", no_wrap=index == 0)
    for row in rows(timings):
        table.add_row(*row)
    console = Console()
    if not console.is_terminal:  # piped or logged: rich would assume 80 columns and wrap every name
        console = Console(width=WIDE)
    console.print(table)
    for key, value in facts.items():
        console.print(f"  {key}: {value}", highlight=False)


def backend_of(url: str) -> str:
    return "sqlite" if not url or url.startswith("sqlite") else "postgres"


def run(args: argparse.Namespace, stack: ExitStack) -> int:
    """The engine benchmark on its own server and database: fresh SQLite by default, a throwaway PostgreSQL
    database with `--postgres`, the given database with `--db` (in its own project, so registry runs still
    find flytesnacks/development empty)."""
    home = (
        args.home / "engine"
        if args.home
        else Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="flyteplane-bench-engine-")))
    )
    db: str = stack.enter_context(temporary_database()) if args.postgres else args.db
    backend = backend_of(db)
    runs = Runs.scaled(args.scale)
    print(f"flyteplane {__version__} engine benchmarks on {backend}; home {home}", flush=True)

    server: RunningServer = start_server(home, db)
    stack.callback(server.stop)
    channel = grpc.insecure_channel(server.endpoint)
    stack.callback(channel.close)
    grpc.channel_ready_future(channel).result(timeout=30)
    print(f"server up on {server.endpoint} in {server.startup_seconds:.2f} s", flush=True)

    version = f"bench-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:6]}"
    registration = register_app(server.endpoint, version)
    print(f"registered {APP_MODULE} in {registration:.2f} s", flush=True)

    work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="flyteplane-bench-direct-")))
    benchmarks = EngineBenchmarks(Executions(AdminServiceStub(channel), version), DirectRun(work), runs)
    report = benchmarks.run()
    facts: dict[str, Any] = {
        "server_start_seconds": round(server.startup_seconds, 2),
        "registration_seconds": round(registration, 2),
        "max_concurrency": Settings().max_concurrency,
        "poll_interval_seconds": POLL_SECONDS,
        **report.facts,
    }
    print_table(
        f"flyteplane engine on {backend} (x direct: p50 over the same task runs by pyflyte-execute)",
        report.timings,
        facts,
    )
    path = args.results / f"engine-{backend}.json"
    write_json(
        path,
        {
            "benchmark": "engine",
            "backend": backend,
            "flyteplane": __version__,
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "recorded_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "facts": facts,
            "measurements": [t.as_json() for t in report.timings],
            "problems": report.problems,
        },
    )
    print(f"results written to {path}")
    if report.problems:
        print("\nThe engine benchmark met problems:", file=sys.stderr)
        for problem in report.problems:
            print(f"  - {problem}", file=sys.stderr)
        tail = server.log.read_text().splitlines()[-LOG_TAIL_LINES:]
        print(f"last lines of {server.log}:", *tail, sep="\n  ", file=sys.stderr)
        return 1
    return 0
