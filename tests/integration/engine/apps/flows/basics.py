"""Small tasks and workflows whose outputs are easy to check: arithmetic, a launch plan with defaults, a
conditional, a sub-workflow and a child launch plan."""

from __future__ import annotations

from flytekit import LaunchPlan, conditional, task, workflow


@task
def add(a: int, b: int) -> int:
    return a + b


@task
def double(x: int) -> int:
    return 2 * x


@task
def describe(x: int) -> str:
    return f"value={x}"


@workflow
def arithmetic(a: int, b: int = 10) -> tuple[int, str]:
    total = add(a=a, b=b)
    doubled = double(x=total)
    return doubled, describe(x=doubled)


arithmetic_fixed = LaunchPlan.get_or_create(
    arithmetic, name="engine_arithmetic_fixed", default_inputs={"a": 5}, fixed_inputs={"b": 7}
)


@task
def positive(x: int) -> str:
    return f"{x} is positive"


@task
def not_positive(x: int) -> str:
    return f"{x} is not positive"


@workflow
def sign(x: int) -> str:
    return conditional("sign").if_(x > 0).then(positive(x=x)).else_().then(not_positive(x=x))


@workflow
def inner(x: int) -> int:
    return double(x=add(a=x, b=1))


@workflow
def outer(x: int) -> int:
    return add(a=inner(x=x), b=100)


inner_plan = LaunchPlan.get_or_create(inner, name="engine_inner_plan")


@workflow
def parent(x: int) -> int:
    return add(a=inner_plan(x=x), b=1000)
