"""Timeouts at the edge of what a Duration holds: 9,999 years is valid and must run like no timeout at all."""

from __future__ import annotations

from datetime import timedelta

from flytekit import task, workflow

AEONS = timedelta(days=9_999 * 365)


@task(timeout=AEONS)
def patient(x: int) -> int:
    return x + 1


@workflow
def very_patient(x: int) -> int:
    return patient(x=x)
