"""Runs inside the Prefect virtualenv (prefect only, no flyteplane): deploys the flows and times deployment runs.

python prefect_driver.py deploy <flows folder> <pool>
python prefect_driver.py run <flow> <parameters as JSON> <runs>      -> JSON: [[seconds, state], ...]
python prefect_driver.py cli <flows folder> <pool>                     deploy hello, run it, print the result
"""

from __future__ import annotations

import json
import sys
import time

FLOWS = ("single", "chain", "mapped", "dynamic_fan", "hello")
POLL = 0.05  # seconds between run_deployment's looks at the flow run (flyteplane's bench polls as often)


def deploy(folder: str, pool: str, names: tuple[str, ...] = FLOWS) -> None:
    from prefect import flow

    for name in names:
        source = flow.from_source(source=folder, entrypoint=f"bench_flows.py:{name}")
        source.deploy(name=name, work_pool_name=pool, print_next_steps=False)  # type: ignore[attr-defined]


def run(name: str, parameters: dict[str, object], runs: int) -> list[tuple[float, str]]:
    from prefect.deployments import run_deployment

    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        flow_run = run_deployment(f"{name}/{name}", parameters=parameters, timeout=1800, poll_interval=POLL)
        state = flow_run.state.type.value if flow_run.state is not None else "UNKNOWN"  # type: ignore[union-attr]
        timings.append((time.perf_counter() - started, state))
    return timings


def main(argv: list[str]) -> int:
    command = argv[1]
    if command == "deploy":
        deploy(argv[2], argv[3])
        return 0
    if command == "run":
        print(json.dumps(run(argv[2], json.loads(argv[3]), int(argv[4]))))
        return 0
    if command == "cli":  # what a user types to run new code on the server and wait: deploy it, run it
        deploy(argv[2], argv[3], ("hello",))
        ((_seconds, state),) = run("hello", {"name": "world"}, 1)
        print(state)
        return 0 if state == "COMPLETED" else 1
    raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
