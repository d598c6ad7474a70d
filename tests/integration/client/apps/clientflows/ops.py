"""Workflows the client's execution tests run for real: arithmetic, a long nap to terminate, and an approval gate.

Names are this folder's own, so no other test app's launch plans collide with them in one process.
"""

from __future__ import annotations

import subprocess
from datetime import timedelta

from flytekit import approve, task, workflow


@task
def add(a: int, b: int) -> int:
    return a + b


@task
def double(x: int) -> int:
    return 2 * x


@workflow
def sum_doubled(a: int, b: int = 7) -> int:
    return double(x=add(a=a, b=b))


@task
def nap(seconds: int) -> int:
    subprocess.run(["sleep", str(seconds)], check=True)
    return seconds


@workflow
def napping(seconds: int) -> int:
    return nap(seconds=seconds)


@workflow
def reviewed(x: int) -> int:
    approved = approve(double(x=x), "review", timeout=timedelta(hours=1))
    return add(a=approved, b=1)
