"""`python -m bench --client`: flyteplane's client and FlyteRemote against flytekit's, on one server, in one run.

Two parts. Imports: each of `import flyteplane.client`, `import flyteplane.remote` and
`from flytekit.remote import FlyteRemote` runs in a fresh interpreter several times; the import is timed inside that
interpreter and its peak RSS read afterwards (a bare interpreter is the baseline). Calls: both FlyteRemotes talk to
the same `flyteplane serve` subprocess and time `fetch_task` (latest version: a one-row listing and a Get, the Get
served from each client's cache after the first), `recent_executions` (a page of 100) and execute-and-wait of a
one-task workflow, whose figure is mostly the task's own run; the wait's overhead (wall time beyond the run time
the server recorded) is shown apart. flytekit's `wait` polls every 30 s by default; it is given a 0.2 s interval
here so the comparison measures the clients, not that default (flyteplane's wait polls every 0.2 s at first).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from tests.integration.server import start_server

from bench.report import write_json
from bench.stats import percentile
from flyteplane import __version__

RESULTS = Path(__file__).parent / "results"
PROJECT, DOMAIN = "flytesnacks", "development"
FLYTEKIT_POLL = timedelta(seconds=0.2)

IMPORTS = {
    "python (baseline)": "pass",  # the interpreter alone
    "import flyteplane.client": "import flyteplane.client",
    "import flyteplane.remote": "import flyteplane.remote",
    "from flytekit.remote import FlyteRemote": "from flytekit.remote import FlyteRemote",
}

TASK_MODULE = """
from flytekit import task, workflow


@task
def bench_add(a: int, b: int) -> int:
    return a + b


@workflow
def bench_wf(a: int, b: int) -> int:
    return bench_add(a=a, b=b)
"""


@dataclass(frozen=True)
class ImportFigures:
    statement: str
    runs: int
    seconds_p50: float
    seconds_min: float
    rss_mb_p50: float


@dataclass(frozen=True)
class CallFigures:
    client: str
    operation: str
    calls: int
    p50_ms: float
    p90_ms: float
    mean_ms: float


def measure_import(statement: str, runs: int) -> ImportFigures:
    """Import time and peak RSS of `statement`, each run in a fresh interpreter."""
    script = textwrap.dedent(
        f"""
        import json, time
        started = time.perf_counter()
        {statement}
        seconds = time.perf_counter() - started
        # VmHWM: this interpreter's peak RSS (ru_maxrss would carry over the forking parent's through exec).
        with open("/proc/self/status") as status:
            rss_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
        print(json.dumps({{"seconds": seconds, "rss_mb": rss_kb / 1024}}))
        """
    )
    seconds, rss = [], []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120)
        figures = json.loads(out.stdout)
        seconds.append(figures["seconds"])
        rss.append(figures["rss_mb"])
    return ImportFigures(statement, runs, statistics.median(seconds), min(seconds), statistics.median(rss))


def time_calls(client: str, operation: str, call: Callable[[], Any], calls: int, warmup: int = 2) -> CallFigures:
    for _ in range(warmup):
        call()
    millis = []
    for _ in range(calls):
        started = time.perf_counter()
        call()
        millis.append((time.perf_counter() - started) * 1000)
    return _figures(client, operation, millis)


def register_workflow(endpoint: str, folder: Path) -> Any:
    """The benchmark workflow, registered with its code by flyteplane's FlyteRemote."""
    package = folder / "benchflows"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "tasks.py").write_text(TASK_MODULE)
    sys.path.insert(0, str(folder))
    from benchflows import tasks  # type: ignore[import-not-found]

    from flyteplane.remote import FlyteRemote

    with FlyteRemote.for_endpoint(endpoint, insecure=True, default_project=PROJECT, default_domain=DOMAIN) as remote:
        return remote.register_workflow(tasks.bench_wf)


def _figures(client: str, operation: str, millis: list[float]) -> CallFigures:
    return CallFigures(
        client, operation, len(millis), percentile(millis, 0.5), percentile(millis, 0.9), statistics.fmean(millis)
    )


def call_benchmarks(endpoint: str, workflow: Any, calls: int, executions: int) -> list[CallFigures]:
    """Cheap calls are timed client by client; execute-and-wait alternates the clients, so a load change on the
    machine hits both, and also reports the wait's overhead: wall time minus the execution's own run time
    (created to last update, as the server recorded it)."""
    from flytekit.remote import FlyteRemote as FlytekitRemote

    from flyteplane.remote import FlyteRemote

    ours = FlyteRemote.for_endpoint(endpoint, insecure=True, default_project=PROJECT, default_domain=DOMAIN)
    theirs = FlytekitRemote.for_endpoint(endpoint, insecure=True, default_project=PROJECT, default_domain=DOMAIN)
    task_name = workflow.flyte_tasks[0].name
    our_wf = ours.fetch_workflow(name=workflow.name, version=workflow.version)
    their_wf = theirs.fetch_workflow(name=workflow.name, version=workflow.version)

    def ours_run() -> Any:
        done = ours.execute(our_wf, inputs={"a": 1, "b": 2}, wait=True)
        assert done.outputs is not None and done.outputs["o0"] == 3, done
        return done.closure

    def theirs_run() -> Any:
        started = theirs.execute(their_wf, inputs={"a": 1, "b": 2})
        done = theirs.wait(started, poll_interval=FLYTEKIT_POLL)
        assert done.outputs["o0"] == 3, done
        return done.closure.to_flyte_idl()

    figures = []
    for name, remote in (("flyteplane", ours), ("flytekit", theirs)):
        figures.append(time_calls(name, "fetch_task (latest)", lambda r=remote: r.fetch_task(name=task_name), calls))
        listing = time_calls(name, "recent_executions (100)", lambda r=remote: r.recent_executions(limit=100), calls)
        figures.append(listing)
    runs: dict[str, list[float]] = {"flyteplane": [], "flytekit": []}
    overheads: dict[str, list[float]] = {"flyteplane": [], "flytekit": []}
    ours_run()  # warm-up
    theirs_run()
    for _ in range(executions):
        for name, run in (("flyteplane", ours_run), ("flytekit", theirs_run)):
            started = time.perf_counter()
            closure = run()
            wall = (time.perf_counter() - started) * 1000
            server = (closure.updated_at.ToDatetime() - closure.created_at.ToDatetime()).total_seconds() * 1000
            runs[name].append(wall)
            overheads[name].append(wall - server)
    for name in runs:
        figures.append(_figures(name, "execute + wait", runs[name]))
        figures.append(_figures(name, "  of which the client's wait", overheads[name]))
    ours.close()
    return figures


def print_report(imports: list[ImportFigures], calls: list[CallFigures]) -> None:
    baseline = imports[0]
    print("\nimport (fresh interpreter)                  p50 s    min s   peak RSS MB   +RSS over python")
    for row in imports:
        extra = row.rss_mb_p50 - baseline.rss_mb_p50
        seconds = f"{row.seconds_p50:7.3f}  {row.seconds_min:7.3f}"
        print(f"  {row.statement:<40} {seconds}  {row.rss_mb_p50:11.1f}  {extra:+10.1f}")
    print("\ncall                               client        calls    p50 ms    p90 ms   mean ms")
    for op in dict.fromkeys(c.operation for c in calls):
        for row in (c for c in calls if c.operation == op):
            print(f"  {op:<32} {row.client:<12} {row.calls:6d} {row.p50_ms:9.1f} {row.p90_ms:9.1f} {row.mean_ms:9.1f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench --client", description=__doc__)
    parser.add_argument("--import-runs", type=int, default=5, help="fresh interpreters per import [5]")
    parser.add_argument("--calls", type=int, default=50, help="timed fetch and list calls per client [50]")
    parser.add_argument("--executions", type=int, default=5, help="timed execute-and-wait runs per client [5]")
    parser.add_argument("--results", type=Path, default=RESULTS, help=f"folder for the JSON results [{RESULTS}]")
    args = parser.parse_args(argv)
    if min(args.import_runs, args.calls, args.executions) < 1:
        parser.error("counts must be positive")

    print(f"flyteplane {__version__} client benchmarks (python {platform.python_version()}, {os.cpu_count()} cpus)")
    imports = [measure_import(statement, args.import_runs) for statement in IMPORTS.values()]
    with ExitStack() as stack:
        home = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="flyteplane-client-bench-")))
        server = start_server(home / "home")
        stack.callback(server.stop)
        print(f"server up on {server.endpoint}", flush=True)
        workflow = register_workflow(server.endpoint, home)
        calls = call_benchmarks(server.endpoint, workflow, args.calls, args.executions)
    print_report(imports, calls)
    path = args.results / "client.json"
    write_json(
        path,
        {
            "benchmark": "client",
            "flyteplane": __version__,
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "recorded_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "flytekit_poll_interval_seconds": FLYTEKIT_POLL.total_seconds(),
            "imports": [asdict(row) for row in imports],
            "calls": [asdict(row) for row in calls],
        },
    )
    print(f"\nresults written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
