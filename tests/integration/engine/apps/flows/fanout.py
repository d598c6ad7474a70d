"""A map task over many items, one with a bound (partial) list input, and a dynamic workflow."""

from __future__ import annotations

import functools
import os

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


@task
def placed(x: str, y: int, offsets: list[int]) -> str:
    """What an item sees: its index, its own elements of the mapped lists, the whole bound list."""
    return f"{os.environ['FLYTE_K8S_ARRAY_INDEX']}:{x}:{y + sum(offsets)}"


@workflow
def places(xs: list[str], ys: list[int]) -> list[str]:
    return map_task(functools.partial(placed, offsets=[100, 1000]))(x=xs, y=ys)


@dynamic
def fan(n: int) -> list[int]:
    return [add(a=i, b=n) for i in range(n)]


@workflow
def dynamic_sum(n: int) -> int:
    return total(values=fan(n=n))
