"""Plain flytekit workflows for the Ray executor: a short chain, a task that tells where it ran, a long task
(terminate, timeout, crash) and a task whose log line the test looks for."""

from __future__ import annotations

import os
import time
from datetime import timedelta

from flytekit import Resources, task, workflow


@task
def double(x: int) -> int:
    return 2 * x


@task
def add(a: int, b: int) -> int:
    return a + b


@workflow
def pair(x: int) -> int:
    return add(a=double(x=x), b=x)


def _ancestry() -> list[int]:
    """This process and its ancestors, from /proc (the test finds the Ray node's own process among them)."""
    pids, pid = [], os.getpid()
    while pid > 1:
        pids.append(pid)
        with open(f"/proc/{pid}/stat") as f:
            pid = int(f.read().rsplit(")", 1)[1].split()[1])
    return pids


@task(requests=Resources(cpu="1", mem="200Mi"))
def where() -> list[int]:
    print("flyteplane-ray-marker: running on the worker node")
    return _ancestry()


@workflow
def where_wf() -> list[int]:
    return where()


@task
def slow(seconds: int, ledger: str) -> int:
    """Appends a line to `ledger` when it starts: the test counts how often it ran."""
    with open(ledger, "a") as f:
        f.write(f"{os.getpid()}\n")
    time.sleep(seconds)
    return seconds


@workflow
def slow_wf(seconds: int, ledger: str) -> int:
    return slow(seconds=seconds, ledger=ledger)


@task(timeout=timedelta(seconds=3))
def too_slow() -> int:
    time.sleep(120)
    return 0


@workflow
def too_slow_wf() -> int:
    return too_slow()
