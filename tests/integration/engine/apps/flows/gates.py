"""Gate nodes: an approval, a typed input, and an approval inside a conditional branch."""

from __future__ import annotations

from datetime import timedelta

from flytekit import approve, conditional, task, wait_for_input, workflow

from flows.basics import add, double

WAIT = timedelta(hours=1)


@task
def greet(name: str) -> str:
    return f"hello {name}"


@workflow
def approval(x: int) -> int:
    doubled = double(x=x)
    approved = approve(doubled, "review", timeout=WAIT)
    return add(a=approved, b=1)


@workflow
def asking(x: int) -> str:
    name = wait_for_input("name", timeout=WAIT, expected_type=str)
    return greet(name=name)


@workflow
def approval_in_branch(x: int) -> int:
    doubled = double(x=x)
    return (
        conditional("gate")
        .if_(x > 0)
        .then(approve(doubled, "branch-review", timeout=WAIT))
        .else_()
        .then(add(a=doubled, b=0))
    )
