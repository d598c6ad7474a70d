"""Schedule expressions as flyteadmin accepts them: standard 5-field cron, descriptors, `@every`, fixed rates."""

from __future__ import annotations

import re
from datetime import timedelta

from croniter import croniter
from flyteidl.admin import schedule_pb2

from flyteplane.errors import InvalidArgument

_GO_DURATION = re.compile(r"^(?:(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))+$")
_GO_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
DESCRIPTORS = {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}


def parse_go_duration(text: str) -> timedelta:
    """Go's time.ParseDuration subset used in schedules and filters ("1h30m", "1.5s", "300ms")."""
    if text == "0":
        return timedelta(0)
    if not _GO_DURATION.match(text):
        raise ValueError(f"invalid duration {text!r}")
    return timedelta(seconds=sum(float(n) * _UNIT_SECONDS[u] for n, u in _GO_PART.findall(text)))


def validate_cron(expression: str) -> None:
    text = expression.strip()
    problem = None
    if text.startswith("@every "):
        try:
            if parse_go_duration(text[len("@every ") :].strip()) <= timedelta(0):
                problem = "@every needs a positive duration"
        except ValueError as exc:
            problem = str(exc)
    elif text.startswith("@"):
        if text not in DESCRIPTORS:
            problem = f"unrecognized descriptor: {text}"
    elif len(text.split()) != 5:
        problem = f"expected exactly 5 fields, found {len(text.split())}: {text}"
    elif not croniter.is_valid(text):
        problem = f"failed to parse {text}"
    if problem:
        raise InvalidArgument(f"Invalid cron expression: {problem}")


def schedule_type(schedule: schedule_pb2.Schedule) -> str:
    """NONE, CRON or RATE: the column launch plans are filtered on, and what the scheduler needs."""
    which = schedule.WhichOneof("ScheduleExpression")
    if which in ("cron_expression", "cron_schedule"):
        return "CRON"
    if which == "rate":
        return "RATE"
    return "NONE"


def has_schedule(schedule: schedule_pb2.Schedule) -> bool:
    return bool(schedule.cron_schedule.schedule or schedule.cron_expression or schedule.rate.value)


def validate_schedule(schedule: schedule_pb2.Schedule) -> None:
    which = schedule.WhichOneof("ScheduleExpression")
    if which == "cron_expression":
        validate_cron(schedule.cron_expression)
    elif which == "cron_schedule":
        validate_cron(schedule.cron_schedule.schedule)
    elif which == "rate" and schedule.rate.value <= 0:
        raise InvalidArgument(f"Invalid rate schedule value: {schedule.rate.value}; it must be positive")
