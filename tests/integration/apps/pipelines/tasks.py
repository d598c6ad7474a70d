"""Plain Python tasks; their bodies never run in these tests, only their serialized specs travel."""

from __future__ import annotations

from flytekit import task


@task
def add(a: int, b: int) -> int:
    return a + b


@task
def square(x: int) -> int:
    return x * x


@task
def shout(text: str) -> str:
    return text.upper()


@task
def describe(value: int, label: str = "value") -> str:
    return f"{label}={value}"
