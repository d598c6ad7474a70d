"""Twenty nodes: a start, two chains of nine and a join, for the crash test."""

from __future__ import annotations

from flytekit import task, workflow


@task
def inc(x: int) -> int:
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
