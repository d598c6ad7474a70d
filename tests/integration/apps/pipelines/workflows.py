"""Workflows covering the node kinds flyteplane compiles: task nodes, a branch, a subworkflow and an array node."""

from __future__ import annotations

from flytekit import conditional, map_task, workflow

from pipelines.tasks import add, describe, shout, square


@workflow
def arithmetic(a: int = 1, b: int = 2) -> int:
    """Two dependent task nodes, with Python defaults that become the default launch plan's defaults."""
    return add(a=add(a=a, b=b), b=b)


@workflow
def sign(x: int) -> str:
    """A branch node: each side calls a different task."""
    return (
        conditional("is_positive")
        .if_(x > 0)
        .then(describe(value=x, label="positive"))
        .else_()
        .then(shout(text="not positive"))
    )


@workflow
def inner(x: int) -> int:
    return square(x=x)


@workflow
def outer(x: int = 3) -> int:
    """A static subworkflow node followed by a task node."""
    return add(a=inner(x=x), b=1)


@workflow
def squares(xs: list[int]) -> list[int]:
    """An array node over `square`."""
    return map_task(square)(x=xs)
