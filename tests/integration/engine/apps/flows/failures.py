"""Tasks that fail: always (to count retries), or until a marker file exists (to recover an execution).

As in Flyte, only a recoverable user error (FlyteRecoverableException) consumes the task's retries; any other
exception fails the node at once."""

from __future__ import annotations

import os

from flytekit import task, workflow
from flytekit.exceptions.user import FlyteRecoverableException

from flows.basics import add, double


@task(retries=2)
def always_fails(x: int) -> int:
    if x >= 0:
        raise FlyteRecoverableException(f"always fails on {x}")
    return x


@workflow
def doomed(x: int) -> int:
    return always_fails(x=x)


@task(retries=2)
def fails_for_good(x: int) -> int:
    if x >= 0:
        raise ValueError(f"fails for good on {x}")
    return x


@workflow
def hopeless(x: int) -> int:
    return fails_for_good(x=x)


@task
def unless_marked(x: int, marker: str) -> int:
    """Fails until the test creates `marker`, so a recovered execution can succeed where the original failed."""
    if not os.path.exists(marker):
        raise RuntimeError(f"marker {marker} is missing")
    return x + 1000


@workflow
def recoverable(x: int, marker: str) -> int:
    first = add(a=x, b=1)
    second = double(x=first)
    return unless_marked(x=second, marker=marker)
