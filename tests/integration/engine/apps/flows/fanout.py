"""A map task over many items and a dynamic workflow."""

from __future__ import annotations

from flytekit import dynamic, map_task, task, workflow

from flows.basics import add


@task
def square(x: int) -> int:
    return x * x


@task
def total(values: list[int]) -> int:
    return sum(values)


@workflow
def squares(xs: list[int]) -> int:
    return total(values=map_task(square)(x=xs))


@dynamic
def fan(n: int) -> list[int]:
    return [add(a=i, b=n) for i in range(n)]


@workflow
def dynamic_sum(n: int) -> int:
    return total(values=fan(n=n))
