"""The engine benchmark: the same workflows side by side, in one run, each row read as a ratio to flytekit's own.

Columns, one after another so they never share the CPUs:
  - the floor: flytekit runs the workflow locally in one process, as `pyflyte run` without --remote (start to
    exit), plus the in-process call alone (bench/floor.py);
  - flyteplane with the warm pool (the default), and flyteplane as it was before it (`--no-warm-pool` and
    `get_execution_wait: 0`), each a real `flyteplane serve` subprocess (bench/flyteplane_column.py);
  - Prefect 3, installed by the bench into a virtualenv of its own (bench/peer_prefect.py);
  - flyteplane with `executor: ray` on a local two-node Ray cluster the bench starts (tests/ray_cluster.py): the
    20-node chain and the 100-item map task, each attempt a Ray job (skipped, with the reason, without Ray).
Rows: bench/workloads.py. Facts under the table: what one attempt costs warm and cold (bench/attempt_start.py),
the server's and the task processes' CPU seconds per run, the machine's load average around each column (a
loaded machine slows every column, the task processes most).
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
import time
from collections.abc import Mapping
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bench import attempt_start
from bench.flyteplane_column import FlyteplaneColumn, Row
from bench.peer_prefect import PrefectPeer, PrefectUnavailable, install
from bench.postgres import temporary_database
from bench.report import write_json
from bench.workloads import CLI_KEY, CLI_RUNS, CLI_TARGET, CLI_TITLE, WORKLOADS
from flyteplane import __version__
from flyteplane.config import Settings

COLUMNS = ("floor", "in_process", "warm", "cold", "prefect", "ray")
RAY_ROWS = ("chain", "map100")
TITLES = {
    "floor": "flytekit local (pyflyte run)",
    "in_process": "flytekit in-process",
    "warm": "flyteplane warm",
    "cold": "flyteplane cold (before)",
    "prefect": "Prefect 3",
    "ray": "flyteplane on Ray",
}
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "flyteplane-bench"
WIDE = 160


def backend_of(url: str) -> str:
    return "sqlite" if not url or url.startswith("sqlite") else "postgres"


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f} (5 min {five:.1f}) on {os.cpu_count()} CPUs"


# -- the columns -------------------------------------------------------------------------------------------------


def floor_column(results: dict[str, dict[str, Row]], facts: dict[str, Any]) -> None:
    print("floor: flytekit local runs", flush=True)
    facts["load_before_floor"] = load()
    done = subprocess.run(
        [sys.executable, "-m", "bench.floor"], capture_output=True, text=True, cwd=Path(__file__).parent.parent
    )
    if done.returncode != 0:
        problem = f"the floor did not run: {done.stderr[-500:]}"
        results["floor"] = {key: Row(problems=[problem]) for key in [*(w.key for w in WORKLOADS), CLI_KEY]}
        return
    measured = json.loads(done.stdout)
    results["floor"] = {key: Row(**value["command"]) for key, value in measured.items()}
    results["in_process"] = {
        key: Row(**value["in_process"]) for key, value in measured.items() if "in_process" in value
    }


def flyteplane_column(
    name: str,
    home: Path,
    db: str,
    extra: list[str],
    full: bool,
    results: dict[str, dict[str, Row]],
    facts: dict[str, Any],
) -> None:
    print(f"{TITLES[name]}: {' '.join(extra) or 'defaults'}", flush=True)
    facts[f"load_before_{name}"] = load()
    column = FlyteplaneColumn(home, db, extra)
    rows: dict[str, Row] = {}
    results[name] = rows
    try:
        column.start()
        column.warm_up()
        for workload in WORKLOADS:
            if name == "cold" and workload.slow_cold and not full:
                rows[workload.key] = Row(skipped="skipped: minutes of process starts (run with --full)")
                continue
            rows[workload.key] = row = column.run(workload, workload.runs if name == "warm" else 1)
            print(f"  {workload.title}: {seconds_text(row)}", flush=True)
        rows[CLI_KEY] = row = column.cli(CLI_RUNS if name == "warm" else 1)
        print(f"  {CLI_TITLE}: {seconds_text(row)}", flush=True)
        facts.update({f"{name}_{key}": value for key, value in column.facts.items()})
    finally:
        column.stop()


def prefect_column(work: Path, full: bool, results: dict[str, dict[str, Row]], facts: dict[str, Any]) -> None:
    print("Prefect 3: installing (once, into the bench cache) and starting a server and a process worker", flush=True)
    facts["load_before_prefect"] = load()
    rows: dict[str, Row] = {}
    results["prefect"] = rows
    try:
        python = install(CACHE)
        peer = PrefectPeer(python, work / "prefect-home")
    except PrefectUnavailable as e:
        facts["prefect"] = f"could not run: {e}"
        return
    try:
        peer.start()
        version = subprocess.run(
            [str(python), "-c", "import prefect; print(prefect.__version__)"], capture_output=True, text=True
        )
        facts["prefect_version"] = version.stdout.strip()
        for workload in WORKLOADS:
            try:
                measured = peer.run(workload, min(workload.runs, 3))
            except (PrefectUnavailable, subprocess.SubprocessError, ValueError) as e:
                measured = {"seconds": [], "problems": [f"Prefect {workload.title}: {str(e)[-300:]}"]}
            rows[workload.key] = row = Row(seconds=measured["seconds"], problems=measured["problems"])
            print(f"  {workload.title}: {seconds_text(row)}", flush=True)
        measured = peer.cli()
        rows[CLI_KEY] = row = Row(seconds=measured["seconds"], problems=measured["problems"])
        print(f"  {CLI_TITLE}: {seconds_text(row)}", flush=True)
    except (PrefectUnavailable, subprocess.SubprocessError, ValueError, OSError) as e:
        facts["prefect"] = f"could not run: {e}"
    finally:
        peer.stop()


def empty_job_seconds(address: str, runs: int = 3) -> list[float]:
    """What Ray alone costs a job: `true` on one CPU, from submission to SUCCEEDED (polled every 50 ms)."""
    from flyteplane.engine.executors.ray.jobs_api import JobsApi

    api = JobsApi(address)
    measured = []
    for i in range(runs):
        started = time.perf_counter()
        submission = f"bench-empty-{os.getpid()}-{i}"
        api.submit({"submission_id": submission, "entrypoint": "true", "entrypoint_num_cpus": 1})
        while (api.job(submission) or {}).get("status") not in ("SUCCEEDED", "FAILED", "STOPPED"):
            time.sleep(0.05)
        measured.append(round(time.perf_counter() - started, 2))
    api.close()
    return measured


def ray_column(work: Path, db: str, results: dict[str, dict[str, Row]], facts: dict[str, Any]) -> None:
    """The chain and the 100-item map with every attempt a Ray job, on a head (no CPUs) and a worker node."""
    from tests import ray_cluster

    rows: dict[str, Row] = {}
    results["ray"] = rows
    reason = ray_cluster.missing()
    if reason is not None:
        print(f"flyteplane on Ray: skipped: {reason}", flush=True)
        for key in [*(w.key for w in WORKLOADS), CLI_KEY]:
            rows[key] = Row(skipped=f"skipped: {reason}")
        facts["ray"] = f"skipped: {reason}"
        return
    cpus = 2 * (os.cpu_count() or 2)
    print(f"flyteplane on Ray: starting a head and a worker node ({cpus} CPUs) on 127.0.0.1", flush=True)
    facts["load_before_ray"] = load()
    started = time.perf_counter()
    try:
        cluster = ray_cluster.start_cluster(work / "ray", worker_cpus=cpus)
    except ray_cluster.RayClusterUnavailable as e:
        rows.update({w.key: Row(problems=[f"the Ray cluster did not start: {str(e)[-300:]}"]) for w in WORKLOADS})
        return
    facts["ray_cluster_start_seconds"] = round(time.perf_counter() - started, 1)
    facts["ray_worker_cpus"] = cpus
    facts["ray_empty_job_seconds"] = empty_job_seconds(cluster.address)
    config = work / "ray.yaml"
    config.write_text(f"executor: ray\nray_address: {cluster.address}\n")
    column = FlyteplaneColumn(work / "ray-home", db, ["--config", str(config)])
    try:
        column.start()
        column.warm_up()
        for workload in WORKLOADS:
            if workload.key not in RAY_ROWS:
                rows[workload.key] = Row(skipped="skipped: the Ray rows are the chain and the 100-item map")
                continue
            rows[workload.key] = row = column.run(workload, 1)
            print(f"  {workload.title}: {seconds_text(row)}", flush=True)
        rows[CLI_KEY] = Row(skipped="skipped: the Ray rows are the chain and the 100-item map")
        facts.update({f"ray_{key}": value for key, value in column.facts.items()})
    finally:
        column.stop()
        cluster.stop()


# -- the report --------------------------------------------------------------------------------------------------


def p50(row: Row | None) -> float | None:
    return statistics.median(row.seconds) if row is not None and row.seconds else None


def seconds_text(row: Row) -> str:
    value = p50(row)
    if value is None:
        return row.skipped or ("failed: " + "; ".join(row.problems)[:200] if row.problems else "-")
    return f"{value:.3f} s"


def table_rows(results: Mapping[str, Mapping[str, Row]]) -> list[list[str]]:
    keys = [(w.key, w.title, w.target) for w in WORKLOADS] + [(CLI_KEY, CLI_TITLE, CLI_TARGET)]
    lines = []
    for key, title, target in keys:
        floor = p50(results.get("floor", {}).get(key))
        cells = [title]
        for column in COLUMNS:
            row = results.get(column, {}).get(key)
            value = p50(row)
            if value is None:
                cells.append("skipped" if row is not None and row.skipped else ("failed" if row else "-"))
                continue
            ratio = f" ({value / floor:.2f}x)" if floor and column != "floor" else ""
            cells.append(f"{value:.3f}{ratio}")
        cells.append(f"{target:g}" if target else "")
        lines.append(cells)
    return lines


def print_report(backend: str, results: Mapping[str, Mapping[str, Row]], facts: Mapping[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title=f"flyteplane engine on {backend}: seconds per run (p50), x = ratio to flytekit local (pyflyte run)",
        title_justify="left",
    )
    for header in ["workload", *(TITLES[c] for c in COLUMNS), "warm target s"]:
        table.add_column(header, justify="left" if header == "workload" else "right")
    for line in table_rows(results):
        table.add_row(*line)
    console = Console()
    if not console.is_terminal:
        console = Console(width=WIDE)
    console.print(table)
    cpu = Table(title="where a warm run's CPU goes (seconds per run)", title_justify="left")
    for header in ("workload", "server (engine, API, DB)", "warm interpreters, supervisors, tasks"):
        cpu.add_column(header, justify="left" if header == "workload" else "right")
    for workload in WORKLOADS:
        row = results.get("warm", {}).get(workload.key)
        if row is not None and row.seconds:
            cpu.add_row(workload.title, f"{row.server_cpu:.2f}", f"{row.task_cpu:.2f}")
    console.print(cpu)
    for key, value in facts.items():
        console.print(f"  {key}: {value}", highlight=False)


def problems_of(results: Mapping[str, Mapping[str, Row]]) -> list[str]:
    return [
        f"{column}: {problem}" for column, rows in results.items() for row in rows.values() for problem in row.problems
    ]


# -- the entry point -----------------------------------------------------------------------------------------------


def run(args: argparse.Namespace, stack: ExitStack) -> int:
    """Every column on its own server and database (fresh SQLite by default, a throwaway PostgreSQL database with
    `--postgres`, the given one with `--db`)."""
    work = (
        args.home / "engine"
        if args.home
        else Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="flyteplane-bench-engine-")))
    )
    backend = backend_of("postgres" if args.postgres else args.db)
    print(f"flyteplane {__version__} engine benchmark on {backend}; work folder {work}", flush=True)
    results: dict[str, dict[str, Row]] = {}
    facts: dict[str, Any] = {"cpus": os.cpu_count(), "max_concurrency": Settings().max_concurrency}
    full = bool(getattr(args, "full", False))
    ray_only = bool(getattr(args, "local_vs_ray", False))  # the warm local column and the Ray column alone

    if not ray_only:
        floor_column(results, facts)

    columns = (
        [("warm", [])]
        if ray_only
        else [("warm", []), ("cold", ["--no-warm-pool", "--config", str(work / "before.yaml")])]
    )
    for name, extra in columns:
        (work / "before.yaml").parent.mkdir(parents=True, exist_ok=True)
        (work / "before.yaml").write_text("get_execution_wait: 0\n")
        with ExitStack() as scope:
            db = scope.enter_context(temporary_database()) if args.postgres else args.db
            flyteplane_column(name, work / name, db, extra, full, results, facts)

    if not ray_only:
        print("attempt start: a fork of the warm interpreter against a new process", flush=True)
        facts.update({f"attempt_{key}": value for key, value in attempt_start.measure().items() if key != "problems"})
    if not getattr(args, "no_prefect", False) and not ray_only:
        prefect_column(work, full, results, facts)
    if not getattr(args, "no_ray", False):
        with ExitStack() as scope:
            db = scope.enter_context(temporary_database()) if args.postgres else args.db
            ray_column(work, db, results, facts)
    facts["load_at_end"] = load()

    print_report(backend, results, facts)
    path = args.results / f"engine-{backend}.json"
    problems = problems_of(results)
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
            "results": {column: {key: row.as_json() for key, row in rows.items()} for column, rows in results.items()},
            "problems": problems,
        },
    )
    print(f"results written to {path}")
    if problems:
        print("\nThe engine benchmark met problems:", *problems, sep="\n  - ", file=sys.stderr)
        return 1
    return 0
