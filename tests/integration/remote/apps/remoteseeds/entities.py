"""The Python-defined entities of seeds/000, as the seed writes them, plus what its "assuming ..." samples need.

Kept in a package of their own (as a user's project would be) so FlyteRemote can find and upload their code.
"""

from __future__ import annotations

import os
import subprocess
from datetime import datetime, timedelta

from flytekit import CronSchedule, LaunchPlan, approve, task, wait_for_input, workflow


# "Registering Tasks"
@task
def my_task(a: int, b: int) -> int:
    return a + b


# "Registering Workflows"
@task
def add(a: int, b: int) -> int:
    return a + b


@workflow
def my_workflow(x: int, y: int) -> int:
    sum_val = add(a=x, b=y)
    return sum_val


# "Registering Launch Plans"
my_lp = LaunchPlan.get_or_create(workflow=my_workflow, name="my_workflow_lp")


# "Terminating Executions": something still running when it is terminated.
@task
def nap(seconds: int) -> int:
    subprocess.run(["sleep", str(seconds)], check=True)
    return seconds


@workflow
def napping(seconds: int) -> int:
    return nap(seconds=seconds)


# "Recovering and Relaunching Executions": the second node fails once, then succeeds (a marker file remembers).
@task
def fragile(x: int, marker: str) -> int:
    if not os.path.exists(marker):
        open(marker, "w").close()
        raise ValueError("the first run of fragile fails on purpose")
    return x * 10


@workflow
def recoverable(x: int, marker: str) -> int:
    return fragile(x=add(a=x, b=1), marker=marker)


# "Managing Signals": an approval gate and an input gate.
@task
def greet(name: str, x: int) -> str:
    return f"{name}:{x}"


@workflow
def gated(x: int) -> str:
    approved = approve(add(a=x, b=0), "my_approval_signal", timeout=timedelta(hours=1))
    name = wait_for_input("my_data_signal", timeout=timedelta(hours=1), expected_type=str)
    return greet(name=name, x=approved)


# "Get signed URLs for artifacts (e.g., deck HTML)": a task that writes a deck.
@task(enable_deck=True)
def report(x: int) -> int:
    return x + 1


@workflow
def reporting(x: int) -> int:
    return report(x=x)


# "Backfills": a launch plan with a cron schedule passing the scheduled time.
@task
def stamp(t: datetime) -> str:
    return t.isoformat()


@workflow
def daily(t: datetime) -> str:
    return stamp(t=t)


daily_lp = LaunchPlan.get_or_create(
    workflow=daily, name="daily_lp", schedule=CronSchedule(schedule="0 0 * * *", kickoff_time_input_arg="t")
)
