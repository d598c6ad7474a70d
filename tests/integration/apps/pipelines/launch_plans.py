"""Launch plans: fixed and default inputs, and a cron schedule that passes its kickoff time to an input."""

from __future__ import annotations

from datetime import datetime

from flytekit import CronSchedule, LaunchPlan, task, workflow

from pipelines.workflows import arithmetic


@task
def stamp(when: datetime, tag: str) -> str:
    return f"{tag}@{when.isoformat()}"


@workflow
def nightly(when: datetime, tag: str = "nightly") -> str:
    return stamp(when=when, tag=tag)


# flytekit keeps launch plans in a process-wide registry by name; when a test process imports this module a second
# time (flytekit's script registration re-imports user modules), the fresh workflow objects would clash with it.
for _name in ("nightly_schedule", "arithmetic_fixed"):
    LaunchPlan.CACHE.pop(_name, None)

nightly_schedule = LaunchPlan.get_or_create(
    nightly,
    name="nightly_schedule",
    schedule=CronSchedule(schedule="0 3 * * *", kickoff_time_input_arg="when"),
)

arithmetic_fixed = LaunchPlan.get_or_create(
    arithmetic,
    name="arithmetic_fixed",
    default_inputs={"a": 10},
    fixed_inputs={"b": 5},
)
