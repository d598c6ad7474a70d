"""The floor: the engine benchmark's workflows run by flytekit itself, locally, in one process.

`python -m bench.floor` (run by bench/engine.py in a fresh interpreter) times each workload twice: as the command
`pyflyte run benchflows/tiny.py <workflow> --<input> ...` without --remote, from start to exit (the issue's floor:
what a user waits for a local run), and as an in-process call of the workflow with flytekit already imported (what
flytekit itself spends on the work). The hello-world row is `pyflyte run hello.py wf`. Prints JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.workloads import CLI_KEY, CLI_RUNS, WORKLOADS, Workload

APPS = Path(__file__).parent / "apps"
PYFLYTE = Path(sys.executable).with_name("pyflyte")
COMMAND_TIMEOUT = 600


def workflows() -> dict[str, Any]:
    if str(APPS) not in sys.path:
        sys.path.insert(0, str(APPS))
    from benchflows import tiny

    return {name: getattr(tiny, name) for name in ("single", "chain", "mapped", "dynamic_fan")}


def matches(output: Any, workload: Workload) -> bool:
    return list(output) == workload.expected if isinstance(workload.expected, list) else output == workload.expected


def in_process(workload: Workload, workflow: Any) -> dict[str, Any]:
    seconds, problems = [], []
    for _ in range(workload.runs):
        started = time.perf_counter()
        output = workflow(**workload.inputs)
        seconds.append(time.perf_counter() - started)
        if not matches(output, workload):
            problems.append(f"{workload.title} in process returned {str(output)[:60]}")
    return {"seconds": seconds, "problems": problems}


def command(argv: list[str], runs: int, expect: str) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLYTE_", "FLYTEPLANE_"))}
    seconds, problems = [], []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(
            [str(PYFLYTE), "run", *argv], cwd=APPS, env=env, capture_output=True, text=True, timeout=COMMAND_TIMEOUT
        )
        seconds.append(time.perf_counter() - started)
        if done.returncode != 0 or expect not in done.stdout.replace(" ", "").replace("\n", ""):
            problems.append(f"pyflyte run {argv[:2]} exited {done.returncode}: {done.stderr[-300:]}")
    return {"seconds": seconds, "problems": problems}


def measure() -> dict[str, Any]:
    found = workflows()
    found["single"](x=0)  # warm-up: flytekit's lazy imports and caches
    results: dict[str, Any] = {}
    for workload in WORKLOADS:
        arguments = [f"--{name}={json.dumps(value, separators=(',', ':'))}" for name, value in workload.inputs.items()]
        expected = json.dumps(workload.expected, separators=(",", ":"))
        results[workload.key] = {
            "command": command(["benchflows/tiny.py", workload.workflow, *arguments], workload.runs, expected),
            "in_process": in_process(workload, found[workload.workflow]),
        }
    results[CLI_KEY] = {"command": command(["hello.py", "wf"], CLI_RUNS, "helloworld")}
    return results


if __name__ == "__main__":
    print(json.dumps(measure()))
