"""`python -m bench --soak`: a real `flyteplane serve` under steady load and hostile traffic at once (issue 9).

For `--seconds` (60): `--clients` (200) concurrent gRPC clients, each on its own connection, call a mix of cheap and
database-backed RPCs as fast as the server answers; meanwhile `--bad-bodies` (1,000) undecodable request bodies
arrive spread over the run, and `--idle` (1,000) TCP connections that never send a byte are held (re-opened when
the server closes them after `connection_idle_timeout`). The clients run in `--processes` worker processes, so the
load generator's own GIL is not the bottleneck. Reported: throughput, p50/p99 per RPC, errors by status code, the
bad bodies' answers, how the idle connections fared, and the server's RSS, open files and log size before/after.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import socket
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
from tests.integration.server import RunningServer, start_server

from bench.postgres import PostgresUnavailable, temporary_database
from bench.report import write_json
from bench.stats import percentile
from flyteplane import __version__

RESULTS = Path(__file__).parent / "results"
PROJECT, DOMAIN = "flytesnacks", "development"
BAD_BODY = b"\xff" * 10_000
CALL_TIMEOUT = 30.0


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench --soak", description=__doc__)
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the loaded run [60]")
    parser.add_argument("--clients", type=int, default=200, help="concurrent gRPC clients [200]")
    parser.add_argument("--processes", type=int, default=4, help="worker processes the clients run in [4]")
    parser.add_argument("--bad-bodies", type=int, default=1000, help="undecodable requests over the run [1000]")
    parser.add_argument("--idle", type=int, default=1000, help="silent connections held during the run [1000]")
    parser.add_argument("--postgres", action="store_true", help="serve from a temporary PostgreSQL database")
    parser.add_argument("--results", type=Path, default=RESULTS, help=f"folder for the JSON results [{RESULTS}]")
    args = parser.parse_args(argv)
    if min(args.clients, args.processes) < 1 or args.seconds <= 0 or min(args.bad_bodies, args.idle) < 0:
        parser.error("counts and the duration must be positive")
    return args


# --- the clients (in worker processes) ---


def _rpcs(channel: grpc.Channel) -> list[tuple[str, Any, bytes]]:
    """(name, callable, body) of the mix every client cycles through: a no-op, a project page, a task lookup that
    misses (one indexed query) and a task listing."""
    from flyteidl.admin import common_pb2, project_pb2, version_pb2
    from flyteidl.core import identifier_pb2

    admin = "/flyteidl.service.AdminService/"
    missing = identifier_pb2.Identifier(resource_type=1, project=PROJECT, domain=DOMAIN, name="absent", version="v")
    listing = common_pb2.ResourceListRequest(id=common_pb2.NamedEntityIdentifier(project=PROJECT, domain=DOMAIN))
    listing.limit = 20
    bodies = [
        ("GetVersion", version_pb2.GetVersionRequest()),
        ("ListProjects", project_pb2.ProjectListRequest(limit=10)),
        ("GetTask (missing)", common_pb2.ObjectGetRequest(id=missing)),
        ("ListTasks", listing),
    ]
    return [
        (name, channel.unary_unary(admin + name.split(" ")[0]), message.SerializeToString()) for name, message in bodies
    ]


def _client(endpoint: str, deadline: float, index: int, results: list[tuple[str, str, float]]) -> None:
    options = [("grpc.use_local_subchannel_pool", 1)]  # a connection of its own, as separate clients have
    with grpc.insecure_channel(endpoint, options=options) as channel:
        rpcs = _rpcs(channel)
        turn = index
        while time.monotonic() < deadline:
            name, call, body = rpcs[turn % len(rpcs)]
            turn += 1
            started = time.perf_counter()
            try:
                call(body, timeout=CALL_TIMEOUT)
                code = "OK"
            except grpc.RpcError as exc:
                code = exc.code().name  # type: ignore[attr-defined]
            results.append((name, code, time.perf_counter() - started))


def _worker(endpoint: str, clients: int, first: int, start_at: float, seconds: float, queue: Any) -> None:
    """One process's share of the clients; sends back every (rpc, code, seconds) it saw."""
    while time.time() < start_at:
        time.sleep(0.01)
    deadline = time.monotonic() + seconds
    results: list[tuple[str, str, float]] = []
    threads = [
        threading.Thread(target=_client, args=(endpoint, deadline, first + i, results), daemon=True)
        for i in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + CALL_TIMEOUT + 10)
    queue.put(results)


# --- hostile traffic (in the main process) ---


@dataclass
class Hostile:
    """Bad bodies sent and idle connections held while the clients run, and what became of them."""

    bad_body_codes: Counter[str] = field(default_factory=Counter)
    idle_opened: int = 0
    idle_closed_by_server: int = 0
    idle_refused: int = 0


def _send_bad_bodies(endpoint: str, count: int, seconds: float, hostile: Hostile, senders: int = 8) -> None:
    """`count` bad bodies spread evenly over `seconds`, by a few senders so a slow answer delays no schedule."""
    if count == 0:
        return
    started = time.monotonic()
    lock = threading.Lock()

    def send(first: int) -> None:
        with grpc.insecure_channel(endpoint) as channel:
            call = channel.unary_unary("/flyteidl.service.AdminService/GetTask")
            for index in range(first, count, senders):
                time.sleep(max(0.0, started + index * seconds / count - time.monotonic()))
                try:
                    call(BAD_BODY, timeout=CALL_TIMEOUT)
                    code = "OK"
                except grpc.RpcError as exc:
                    code = exc.code().name  # type: ignore[attr-defined]
                with lock:
                    hostile.bad_body_codes[code] += 1

    threads = [threading.Thread(target=send, args=(first,)) for first in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _hold_idle(port: int, count: int, deadline: float, hostile: Hostile) -> None:
    """Keeps `count` silent connections open until the deadline, replacing those the server closes."""
    held: list[socket.socket] = []

    def open_one() -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        if sock.connect_ex(("127.0.0.1", port)) not in (0, 115):  # EINPROGRESS
            hostile.idle_refused += 1
            sock.close()
            return
        held.append(sock)
        hostile.idle_opened += 1

    for _ in range(count):
        open_one()
    while time.monotonic() < deadline:
        time.sleep(0.5)
        alive = []
        for sock in held:
            try:
                closed = sock.recv(1) == b""
            except BlockingIOError:
                closed = False
            except OSError:
                closed = True
            if closed:
                hostile.idle_closed_by_server += 1
                sock.close()
            else:
                alive.append(sock)
        held[:] = alive
        for _ in range(count - len(held)):
            open_one()
    for sock in held:
        sock.close()


# --- the server's side ---


def _rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _open_files(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def _warm_up(server: RunningServer) -> None:
    with grpc.insecure_channel(server.endpoint) as channel:
        rpcs = _rpcs(channel)
        for _ in range(50):
            for _name, call, body in rpcs:
                with suppress(grpc.RpcError):
                    call(body, timeout=CALL_TIMEOUT)


def _load(server: RunningServer, args: argparse.Namespace, seconds: float, *, wait: bool = True) -> Any:
    """Starts the clients' worker processes (all starting together 3 s from now); with `wait`, returns their
    results once done, else (start time, a function that collects the results)."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    start_at = time.time() + 3.0  # every worker process imported and waiting
    shares = [args.clients // args.processes + (i < args.clients % args.processes) for i in range(args.processes)]
    workers = []
    first = 0
    for share in shares:
        worker = context.Process(
            target=_worker, args=(server.endpoint, share, first, start_at, seconds, queue), daemon=True
        )
        worker.start()
        workers.append(worker)
        first += share

    def collect() -> list[tuple[str, str, float]]:
        results: list[tuple[str, str, float]] = []
        for _ in workers:
            results.extend(queue.get(timeout=seconds + CALL_TIMEOUT + 60))
        for worker in workers:
            worker.join(30)
        return results

    return collect() if wait else (start_at, collect)


def run(args: argparse.Namespace, stack: ExitStack) -> dict[str, Any]:
    home = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="flyteplane-soak-")))
    db = stack.enter_context(temporary_database()) if args.postgres else ""
    server = start_server(home / "home", db)
    stack.callback(server.stop)
    pid = server.process.pid
    _warm_up(server)
    cold = _rss_mb(pid)
    print(
        f"flyteplane {__version__} soak on {'postgres' if db else 'sqlite'}: {args.clients} clients in "
        f"{args.processes} processes for {args.seconds:.0f} s, {args.bad_bodies} bad bodies, {args.idle} idle "
        f"connections; server RSS {cold:.0f} MB",
        flush=True,
    )

    _load(server, args, 5.0)  # warm-up: threads, connections and caches settle before RSS is taken as "before"
    time.sleep(2.0)
    before = {
        "cold_rss_mb": cold,
        "rss_mb": _rss_mb(pid),
        "open_files": _open_files(pid),
        "log_bytes": server.log.stat().st_size,
    }
    print(f"after a 5 s warm-up: server RSS {before['rss_mb']:.0f} MB", flush=True)
    start_at, collect = _load(server, args, args.seconds, wait=False)
    hostile = Hostile()
    while time.time() < start_at:
        time.sleep(0.01)
    deadline = time.monotonic() + args.seconds
    side = [
        threading.Thread(target=_send_bad_bodies, args=(server.endpoint, args.bad_bodies, args.seconds, hostile)),
        threading.Thread(target=_hold_idle, args=(server.port, args.idle, deadline, hostile)),
    ]
    for thread in side:
        thread.start()
    peak = before["rss_mb"]
    while time.monotonic() < deadline:
        time.sleep(1.0)
        peak = max(peak, _rss_mb(pid))
    results = collect()
    for thread in side:
        thread.join(args.seconds + 120)
    time.sleep(2.0)  # let the server close what the run left behind
    after = {"rss_mb": _rss_mb(pid), "open_files": _open_files(pid), "log_bytes": server.log.stat().st_size}
    alive = server.process.poll() is None
    return _summary(args, results, hostile, before, after, peak, alive, db)


def _summary(
    args: argparse.Namespace,
    results: list[tuple[str, str, float]],
    hostile: Hostile,
    before: dict[str, float],
    after: dict[str, float],
    peak: float,
    alive: bool,
    db: str,
) -> dict[str, Any]:
    rows = []
    for name in sorted({r[0] for r in results}):
        answered = {"OK", "NOT_FOUND"} if name.endswith("(missing)") else {"OK"}  # a miss is a lookup's answer
        mine = [r for r in results if r[0] == name]
        millis = [seconds * 1000 for _, code, seconds in mine if code in answered]
        rows.append(
            {
                "rpc": name,
                "calls": len(mine),
                "per_second": len(mine) / args.seconds,
                "p50_ms": percentile(millis, 0.5) if millis else None,
                "p99_ms": percentile(millis, 0.99) if millis else None,
                "errors": dict(Counter(code for _, code, _ in mine if code not in answered)),
            }
        )
    return {
        "benchmark": "soak",
        "backend": "postgres" if db else "sqlite",
        "flyteplane": __version__,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "recorded_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "seconds": args.seconds,
        "clients": args.clients,
        "calls": len(results),
        "throughput_per_second": len(results) / args.seconds,
        "rows": rows,
        "bad_bodies": dict(hostile.bad_body_codes),
        "idle": {
            "held": args.idle,
            "opened": hostile.idle_opened,
            "closed_by_server": hostile.idle_closed_by_server,
            "refused": hostile.idle_refused,
        },
        "server": {"before": before, "after": after, "peak_rss_mb": peak, "alive": alive},
    }


def print_report(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"flyteplane soak on {report['backend']}", title_justify="left")
    for index, header in enumerate(("rpc", "calls", "per s", "p50 ms", "p99 ms", "errors by code")):
        table.add_column(header, justify="left" if index in (0, 5) else "right")
    for row in report["rows"]:
        errors = ", ".join(f"{code} {count}" for code, count in sorted(row["errors"].items())) or "-"
        table.add_row(
            row["rpc"],
            str(row["calls"]),
            f"{row['per_second']:.0f}",
            "-" if row["p50_ms"] is None else f"{row['p50_ms']:.2f}",
            "-" if row["p99_ms"] is None else f"{row['p99_ms']:.2f}",
            errors,
        )
    console = Console() if sys.stdout.isatty() else Console(width=132)
    console.print(table)
    server, idle = report["server"], report["idle"]
    lines = [
        f"clients: {report['clients']} for {report['seconds']:.0f} s; all calls: {report['calls']} "
        f"({report['throughput_per_second']:.0f}/s)",
        "bad bodies: " + ", ".join(f"{code} {count}" for code, count in sorted(report["bad_bodies"].items())),
        f"idle connections: {idle['held']} held, {idle['opened']} opened in all, {idle['closed_by_server']} closed "
        f"by the server (connection_idle_timeout), {idle['refused']} refused",
        f"server RSS: {server['before']['cold_rss_mb']:.0f} MB idle, {server['before']['rss_mb']:.0f} MB after a "
        f"5 s warm-up under load (before), {server['peak_rss_mb']:.0f} MB peak, {server['after']['rss_mb']:.0f} MB "
        "after",
        f"server open files: {server['before']['open_files']} before, {server['after']['open_files']} after; log: "
        f"{server['before']['log_bytes']} bytes before, {server['after']['log_bytes']} after",
        f"server alive at the end: {server['alive']}",
    ]
    for line in lines:
        console.print(f"  {line}", highlight=False)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    try:
        with ExitStack() as stack:
            report = run(args, stack)
    except PostgresUnavailable as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2
    print_report(report)
    path = args.results / f"soak-{report['backend']}.json"
    write_json(path, report)
    print(f"results written to {path}")
    return 0 if report["server"]["alive"] else 1
