"""`python -m bench.console`: the console's page load times against a server holding 100,000 executions, and how
soon an execution with 1,000 nodes is drawn and usable in a real headless Chromium.

One real execution of a small workflow runs through the engine first; its rows are then copied with SQLAlchemy
Core (fresh names, spread creation times, mixed phases) so the store holds `--executions` executions in the
benchmark's project, and one execution gets `--nodes` node executions: flat at the top level (the worst case for
the graph's layout) and, in another execution, all children of one parent node (how map items and dynamic
children arrive). Figures only: nothing here fails on time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert, select, update

from flyteplane.store.db import Database
from flyteplane.store.models import Execution, NodeExecution, utcnow

PROJECT = "flytesnacks"
DOMAIN = "development"
PHASES = ["SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "FAILED", "RUNNING", "ABORTED"]
PHASE_NUMBERS = {"SUCCEEDED": 4, "FAILED": 6, "RUNNING": 2, "ABORTED": 7}
BATCH = 5000
CHROMIUM = "/usr/bin/chromium"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.console", description=__doc__)
    parser.add_argument("--executions", type=int, default=100_000)
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=20, help="timed loads of each page")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium figures")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from tests.integration.engine.support import QuickRemote, register, run, use_engine_apps
    from tests.integration.server import start_server

    use_engine_apps()
    from flows import basics

    with tempfile.TemporaryDirectory(prefix="flyteplane-bench-console-") as home_dir:
        home = Path(home_dir)
        server = start_server(home)
        try:
            remote = QuickRemote.for_endpoint(
                server.endpoint, insecure=True, default_project=PROJECT, default_domain=DOMAIN
            )
            register(remote, PROJECT, basics.arithmetic)
            template = run(remote, PROJECT, basics.arithmetic, a=1, b=2).id.name
            db = Database(f"sqlite:///{home / 'flyteplane.db'}")
            started = time.perf_counter()
            names = seed_executions(db, template, args.executions)
            flat = seed_nodes(db, template, "bench-flat-nodes", args.nodes, nested=False)
            nested = seed_nodes(db, template, "bench-nested-nodes", args.nodes, nested=True)
            db.close()
            print(
                f"seeded {args.executions:,} executions and 2 x {args.nodes:,} node executions "
                f"in {time.perf_counter() - started:.1f} s"
            )
            base = f"{server.url}/console/projects/{PROJECT}/domains/{DOMAIN}"
            deep_token = walk_tokens(f"{base}/executions", pages=40)
            pages = {
                "projects": f"{server.url}/console/projects",
                "executions, first page": f"{base}/executions",
                "executions, page 41 (by token)": f"{base}/executions?token={deep_token}",
                "executions, phase FAILED": f"{base}/executions?phase=FAILED",
                "executions, workflow filter": f"{base}/executions?workflow=flows.basics.arithmetic",
                "executions, time range": f"{base}/executions?after=2020-01-01T00:00&before=2100-01-01T00:00",
                "executions, oldest first": f"{base}/executions?sort=oldest",
                "workflows": f"{base}/workflows",
                "workflow versions + recent runs": f"{base}/workflows/flows.basics.arithmetic",
                "launch form": f"{base}/workflow/flows.basics.arithmetic/version/v1",
                "execution page": f"{base}/executions/{names[-1]}",
                "execution page, 1,000 nodes": f"{base}/executions/{flat}",
                "graph.json, 1,000 nodes": f"{base}/executions/{flat}/graph.json",
                "node list, 1,000 nodes": f"{base}/executions/{flat}/nodes",
                "children of a parent, 1,000": f"{base}/executions/{nested}/graph.json?parent=n0",
                "search (execution name)": f"{server.url}/console/search?q={names[len(names) // 2]}",
                "search (substring)": f"{server.url}/console/search?q=arith&project={PROJECT}&domain={DOMAIN}",
                "schedules": f"{server.url}/console/schedules",
            }
            print(f"\npage loads, server side (median and p95 of {args.repeat}, ms; target < 300 ms)")
            for label, url in pages.items():
                times = timed(url, args.repeat)
                print(f"  {label:<36} {statistics.median(times):8.1f} {percentile(times, 95):8.1f}")
            if not args.no_browser:
                browser_figures(base, flat, nested)
        finally:
            server.stop()
    return 0


def seed_executions(db: Database, template: str, count: int) -> list[str]:
    """`count` copies of the template execution's row, each with its own name, time and phase."""
    with db.engine.begin() as connection:
        row = connection.execute(select(Execution).where(Execution.execution_name == template)).mappings().one()
    base = {k: v for k, v in row.items() if k != "id"}
    now = utcnow()
    names: list[str] = []
    for first in range(0, count, BATCH):
        batch = []
        for i in range(first, min(count, first + BATCH)):
            name = f"bench{i:07d}"
            created = now - timedelta(seconds=count - i)
            batch.append(
                {
                    **base,
                    "execution_name": name,
                    "phase": PHASES[i % len(PHASES)],
                    "created_at": created,
                    "updated_at": created,
                    "execution_created_at": created,
                    "execution_updated_at": created,
                    "duration": (i % 600) * 1_000_000_000,
                }
            )
            names.append(name)
        with db.engine.begin() as connection:
            connection.execute(insert(Execution), batch)
    return names


def seed_nodes(db: Database, template: str, name: str, count: int, *, nested: bool) -> str:
    """An execution with `count` node executions copied from the template's first node; `nested` puts them all
    under one parent node `n0` (as map items or dynamic children arrive) instead of at the top level."""
    with db.engine.begin() as connection:
        row = connection.execute(select(Execution).where(Execution.execution_name == template)).mappings().one()
        connection.execute(insert(Execution), [{**{k: v for k, v in row.items() if k != "id"}, "execution_name": name}])
        node = (
            connection.execute(
                select(NodeExecution).where(NodeExecution.execution_name == template, NodeExecution.node_id == "n0")
            )
            .mappings()
            .one()
        )
        copy = {k: v for k, v in node.items() if k != "id"}
        copy["execution_name"] = name
        parent_id = None
        if nested:
            parent_id = connection.execute(
                insert(NodeExecution).returning(NodeExecution.id), [{**copy, "is_parent": True}]
            ).scalar_one()
        rows = [{**copy, "node_id": f"n0-0-n{i}" if nested else f"n{i}", "parent_id": parent_id} for i in range(count)]
        connection.execute(insert(NodeExecution), rows)
        connection.execute(update(Execution).where(Execution.execution_name == name).values(phase="SUCCEEDED"))
    return name


def walk_tokens(url: str, pages: int) -> str:
    """The token of page `pages + 1`, following each page's Next link as a user would."""
    import re

    token = ""
    for _ in range(pages):
        html = fetch(url + (f"?token={token}" if token else ""))
        match = re.search(r'rel="next" href="[^"]*token=([^"&]+)"', html)
        if not match:
            break
        token = match.group(1)
    return token


def fetch(url: str) -> str:
    with urllib.request.urlopen(url) as response:
        return str(response.read().decode())


def timed(url: str, repeat: int) -> list[float]:
    fetch(url)  # warm
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fetch(url)
        times.append((time.perf_counter() - started) * 1000)
    return times


def percentile(values: list[float], pct: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def browser_figures(base: str, flat: str, nested: str) -> None:
    """In Chromium: from navigation to the graph drawn and the node list shown; and opening a parent of 1,000."""
    from playwright.sync_api import sync_playwright

    print("\nin Chromium (ms from navigation start; target: interactive within 1,000 ms)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        for label, url, selector in (
            ("1,000 top-level nodes: graph drawn", f"{base}/executions/{flat}", "#graph .canvas[data-drawn]"),
            ("1,000 top-level nodes: node list", f"{base}/executions/{flat}", "#nodes table.nodes"),
            ("parent with 1,000 children: page", f"{base}/executions/{nested}", "#graph .canvas[data-drawn]"),
        ):
            samples = []
            for _ in range(5):
                page.goto(url, wait_until="commit")
                page.wait_for_selector(selector, timeout=60_000)
                samples.append(page.evaluate("performance.now()"))
            print(f"  {label:<40} {statistics.median(samples):8.0f}")
        samples = []
        for _ in range(5):
            page.goto(f"{base}/executions/{nested}")
            page.wait_for_selector("#graph .canvas[data-drawn]")
            started = page.evaluate("performance.now()")
            page.locator('#graph g.node[data-node="n0"]').click()
            page.wait_for_selector("#graph .level .level .canvas[data-drawn]", timeout=60_000)
            samples.append(page.evaluate("performance.now()") - started)
        print(f"  {'open the parent: 1,000 children drawn':<40} {statistics.median(samples):8.0f}")
        browser.close()


if __name__ == "__main__":
    sys.exit(main())
