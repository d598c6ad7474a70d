"""`python -m bench` (`make bench`): seed a database, start a real server on it, run every benchmark, report.

SQLite under a temporary home by default; `--postgres` runs the same on a throwaway PostgreSQL database and
`--db URL` on a database you provide (it must hold no tasks in flytesnacks/development).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import grpc
from flyteidl.service.admin_pb2_grpc import AdminServiceStub
from tests.integration.server import start_server

from bench import engine
from bench.catalog import DOMAIN, PROJECT, Catalog
from bench.plans import task_query_plans
from bench.postgres import PostgresUnavailable, temporary_database
from bench.registry import Calls, RegistryBenchmarks
from bench.report import print_plans, print_table, write_json
from bench.sample_task import task_spec
from bench.seed import SeedError, seed_tasks
from flyteplane import __version__
from flyteplane.config import Settings

RESULTS = Path(__file__).parent / "results"
CHANNEL_OPTIONS = [("grpc.max_receive_message_length", 64 * 1024 * 1024)]
LOG_TAIL_LINES = 40
HOME_PREFIX = "flyteplane-bench-"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    backend = parser.add_mutually_exclusive_group()
    backend.add_argument(
        "--postgres", action="store_true", help="create and drop a temporary database on 127.0.0.1:5432"
    )
    backend.add_argument("--db", default="", help="database URL to seed and serve (default: SQLite in home)")
    parser.add_argument("--tasks", type=int, default=100_000, help="task rows to seed [100000]")
    parser.add_argument("--names", type=int, default=1000, help="distinct task names among them [1000]")
    parser.add_argument("--page-size", type=int, default=100, help="ListTasks limit [100]")
    parser.add_argument("--deep-page", type=int, default=900, help="pages to follow to the deep page [900]")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every number of timed calls [1.0]")
    parser.add_argument(
        "--analyze",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="gather planner statistics after seeding [PostgreSQL: yes, as autovacuum would; SQLite: no, "
        "as the server never does]",
    )
    parser.add_argument("--explain", action="store_true", help="print the query plan of each timed lookup")
    parser.add_argument("--engine", action="store_true", help="run only the engine benchmark (bench/engine.py)")
    parser.add_argument("--full", action="store_true", help="engine: also run the cold path's 1,000-item map task")
    parser.add_argument("--no-prefect", action="store_true", help="engine: leave out the Prefect 3 column")
    parser.add_argument("--no-ray", action="store_true", help="engine: leave out the Ray executor column")
    parser.add_argument(
        "--local-vs-ray", action="store_true", help="engine: only flyteplane warm (local executor) and on Ray"
    )
    parser.add_argument("--home", type=Path, default=None, help="server home to keep (default: temporary)")
    parser.add_argument("--results", type=Path, default=RESULTS, help=f"folder for JSON results [{RESULTS}]")
    args = parser.parse_args(argv)
    if args.tasks < 1 or args.names < 1 or args.page_size < 1 or args.deep_page < 1 or args.scale <= 0:
        parser.error("sizes must be positive")
    if (args.deep_page + 1) * args.page_size > args.tasks:
        parser.error(f"--deep-page {args.deep_page} needs more than {args.deep_page * args.page_size} tasks")
    return args


def backend_of(url: str) -> str:
    return "sqlite" if not url or url.startswith("sqlite") else "postgres"


def run(args: argparse.Namespace, stack: ExitStack) -> int:
    home: Path = args.home or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=HOME_PREFIX)))
    home.mkdir(parents=True, exist_ok=True)
    db: str = stack.enter_context(temporary_database()) if args.postgres else args.db
    backend = backend_of(db)
    catalog = Catalog(count=args.tasks, names=min(args.names, args.tasks))
    print(f"flyteplane {__version__} registry benchmarks on {backend}; home {home}", flush=True)

    spec = task_spec(PROJECT, DOMAIN)
    url = Settings(home=home, db=db).database_url
    analyze = args.analyze if args.analyze is not None else backend == "postgres"
    seeded = seed_tasks(url, spec, catalog, analyze=analyze)
    print(
        f"seeded {catalog.count} tasks ({catalog.names} names) in {seeded.seconds:.1f} s"
        + (" and analyzed" if analyze else ""),
        flush=True,
    )

    started = time.perf_counter()
    server = start_server(home, db)
    stack.callback(server.stop)
    channel = grpc.insecure_channel(server.endpoint, options=CHANNEL_OPTIONS)
    stack.callback(channel.close)
    grpc.channel_ready_future(channel).result(timeout=30)
    startup = time.perf_counter() - started
    print(f"server up on {server.endpoint} in {startup:.2f} s", flush=True)

    benchmarks = RegistryBenchmarks(
        AdminServiceStub(channel),
        catalog,
        spec,
        calls=Calls().scaled(args.scale),
        page_size=args.page_size,
        deep_page=args.deep_page,
    )
    report = benchmarks.run()
    plans = task_query_plans(url, catalog, args.page_size, args.deep_page * args.page_size)
    facts: dict[str, Any] = {
        "database": seeded.database,
        "tasks": catalog.count,
        "task_names": catalog.names,
        "seed_seconds": round(seeded.seconds, 2),
        "analyzed": analyze,
        "server_start_seconds": round(startup, 2),
        **report.facts,
    }
    printed = {key: value for key, value in facts.items() if key != "deep_token"}
    print_table(f"flyteplane registry on {backend}", report.measurements, printed)
    if args.explain:
        print_plans(plans)
    path = args.results / f"registry-{backend}.json"
    write_json(
        path,
        {
            "benchmark": "registry",
            "backend": backend,
            "flyteplane": __version__,
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "recorded_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "facts": facts,
            "measurements": [m.as_json() for m in report.measurements],
            "query_plans": plans,
            "problems": report.problems,
        },
    )
    print(f"results written to {path}")
    if report.problems:
        print("\nThe server misbehaved:", file=sys.stderr)
        for problem in report.problems:
            print(f"  - {problem}", file=sys.stderr)
        tail = server.log.read_text().splitlines()[-LOG_TAIL_LINES:]
        print(f"last lines of {server.log}:", *tail, sep="\n  ", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--client" in argv:  # the client benchmarks (bench/client.py) take their own options
        from bench.client import main as client_main

        return client_main([arg for arg in argv if arg != "--client"])
    if "--soak" in argv:  # the soak benchmark (bench/soak.py): load plus hostile traffic, not part of `make bench`
        from bench.soak import main as soak_main

        return soak_main([arg for arg in argv if arg != "--soak"])
    args = parse_args(argv)
    try:
        status = 0
        if not args.engine:
            with ExitStack() as stack:
                status = run(args, stack)
        with ExitStack() as stack:  # after the registry server has stopped, so the two never share the CPUs
            return max(status, engine.run(args, stack))
    except (PostgresUnavailable, SeedError) as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
