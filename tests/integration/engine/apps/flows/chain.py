"""Twenty nodes: a start, two chains of nine and a join, for the crash test. Each step takes a quarter second,
so that a kill -9 of the server almost always finds task attempts running."""

from __future__ import annotations

import time

from flytekit import task, workflow


@task
def inc(x: int) -> int:
    time.sleep(0.25)
    return x + 1


@task
def join(a: int, b: int) -> int:
    return a * 1000 + b


@workflow
def twenty(x: int) -> int:
    left = inc(x=x)
    right = left
    for _ in range(9):
        left = inc(x=left)
    for _ in range(9):
        right = inc(x=right)
    return join(a=left, b=right)
