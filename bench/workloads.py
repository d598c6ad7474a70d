"""The engine benchmark's rows: one workload each, run the same way by every column (flytekit in one process,
flyteplane warm and cold, Prefect 3), so each row reads as a ratio to flytekit's own in-process run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

CHAIN = 20
SMALL_MAP = 100
LARGE_MAP = 1000
FAN = 100


@dataclass(frozen=True)
class Workload:
    key: str
    title: str
    workflow: str  # the workflow of bench/apps/benchflows/tiny.py (and the Prefect flow) to run
    inputs: dict[str, Any]
    expected: Any  # the workflow's output
    runs: int  # timed runs (the first row also gets an untimed warm-up)
    target: float | None = None  # seconds the issue asks of the warm path (None: none set)
    slow_cold: bool = False  # the cold path runs it only with --full: minutes of process starts

    @property
    def items(self) -> int:
        return len(self.inputs.get("xs", [])) or int(self.inputs.get("n", 0)) or 1


WORKLOADS = (
    Workload("single", "1-task workflow", "single", {"x": 1}, 2, runs=5, target=0.3),
    Workload("chain", f"{CHAIN}-node chain", "chain", {"x": 0}, CHAIN, runs=2, target=2.0),
    Workload(
        "map100",
        f"map task, {SMALL_MAP} items",
        "mapped",
        {"xs": list(range(SMALL_MAP))},
        [x + 1 for x in range(SMALL_MAP)],
        runs=2,
        target=4.0,
    ),
    Workload(
        "map1000",
        f"map task, {LARGE_MAP:,} items",
        "mapped",
        {"xs": list(range(LARGE_MAP))},
        [x + 1 for x in range(LARGE_MAP)],
        runs=1,
        target=30.0,
        slow_cold=True,
    ),
    Workload(
        "dynamic100",
        f"dynamic workflow, {FAN} children",
        "dynamic_fan",
        {"n": FAN},
        [i + 1 for i in range(FAN)],
        runs=1,
    ),
)
CLI_KEY = "cli"
CLI_TITLE = "hello world from the command line, start to exit"
CLI_RUNS = 3
CLI_TARGET = 3.0
