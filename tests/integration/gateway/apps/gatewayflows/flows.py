"""What the HTTP API tests need executions of: task nodes, a dynamic node with children, an approval gate, a
long nap to terminate, and a workflow of one short sleep that needs no task process (for executions the
tests make)."""

from __future__ import annotations

import subprocess
from datetime import timedelta

from flytekit import approve, dynamic, sleep, task, workflow


@task(enable_deck=True)
def add(a: int, b: int) -> int:
    """Adds two numbers (and leaves a deck, for download links)."""
    return a + b


@task
def double(x: int) -> int:
    return 2 * x


@dynamic
def doubled_each(xs: list[int]) -> list[int]:
    return [double(x=x) for x in xs]


@task
def nap(seconds: int) -> int:
    subprocess.run(["sleep", str(seconds)], check=True)
    return seconds


@workflow
def arithmetic(a: int, b: int = 7) -> int:
    """Doubles the sum of a and b."""
    return double(x=add(a=a, b=b))


@workflow
def fanned(xs: list[int]) -> list[int]:
    return doubled_each(xs=xs)


@workflow
def reviewed(x: int) -> int:
    approved = approve(double(x=x), "review", timeout=timedelta(hours=1))
    return add(a=approved, b=1)


@workflow
def napping(seconds: int) -> int:
    return nap(seconds=seconds)


@workflow
def echo(x: int) -> int:
    sleep(timedelta(seconds=1))  # a gate node: the engine runs it without starting a process
    return x
