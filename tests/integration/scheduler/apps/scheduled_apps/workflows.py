"""Workflows the schedules run: two that start no task process (only a gate node), and one with a real task."""

from __future__ import annotations

from datetime import datetime, timedelta

from flytekit import sleep, task, workflow


@workflow  # type: ignore[untyped-decorator]
def echo(kickoff: datetime, tag: str = "scheduled") -> datetime:
    """Only a one-millisecond sleep (a gate node): executions finish without starting a task process."""
    sleep(timedelta(milliseconds=1))
    return kickoff


@workflow  # type: ignore[untyped-decorator]
def ticker(tag: str = "rate") -> str:
    """No inputs to fill: what a fixed-rate launch plan (which never gets a kickoff time) runs."""
    sleep(timedelta(milliseconds=1))
    return tag


@task  # type: ignore[untyped-decorator]
def stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M")


@workflow  # type: ignore[untyped-decorator]
def daily_report(when: datetime) -> str:
    """One real task node, so backfilled executions do run code."""
    return stamp(when=when)  # type: ignore[no-any-return]
