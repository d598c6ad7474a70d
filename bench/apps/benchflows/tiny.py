"""A trivial task and the workflows around it, so every figure is the engine's cost around the same process."""

from __future__ import annotations

from flytekit import dynamic, map_task, task, workflow

CHAIN_LENGTH = 20


@task
def bump(x: int) -> int:
    return x + 1


@workflow
def single(x: int) -> int:
    return bump(x=x)


@workflow
def chain(x: int) -> int:
    value = bump(x=x)
    for _ in range(CHAIN_LENGTH - 1):
        value = bump(x=value)
    return value


@workflow
def mapped(xs: list[int]) -> list[int]:
    return map_task(bump)(x=xs)


@dynamic
def fan(n: int) -> list[int]:
    return [bump(x=i) for i in range(n)]


@workflow
def dynamic_fan(n: int) -> list[int]:
    return fan(n=n)
