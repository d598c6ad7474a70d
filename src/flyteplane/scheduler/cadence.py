"""Schedule math: when a launch plan's schedule fires.

Cron schedules (5 fields, or a descriptor such as `@hourly`) are evaluated in a time zone. Fixed rates — and
`@every <duration>` — are a constant delay counted from an anchor: the moment a scheduler first saw the
activation (flyteadmin counts from the last firing, which is the same chain of times). Every time is whole seconds,
timezone-aware UTC.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from croniter import croniter
from flyteidl.admin import schedule_pb2

from flyteplane.errors import InvalidArgument
from flyteplane.services.registry.schedules import parse_go_duration

__all__ = [
    "Cadence",
    "CronCadence",
    "IntervalCadence",
    "cadence_of",
    "cron_string",
    "fixed_rate_interval",
    "is_cron",
    "times_between",
]

_RATE_UNITS: dict[int, timedelta] = {
    schedule_pb2.MINUTE: timedelta(minutes=1),
    schedule_pb2.HOUR: timedelta(hours=1),
    schedule_pb2.DAY: timedelta(days=1),
}
_EVERY = "@every "


class Cadence(Protocol):
    def next_after(self, moment: datetime) -> datetime:
        """The first firing strictly after `moment`."""
        ...

    def latest_until(self, moment: datetime) -> datetime | None:
        """The last firing at or before `moment`, None if there is none."""
        ...


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(frozen=True)
class CronCadence:
    expression: str
    zone: ZoneInfo

    def next_after(self, moment: datetime) -> datetime:
        local = _utc(moment).astimezone(self.zone)
        return _utc(croniter(self.expression, local).get_next(datetime))

    def latest_until(self, moment: datetime) -> datetime | None:
        # croniter's get_prev is strictly before its start; cron times are whole minutes, so a second later works.
        local = (_utc(moment) + timedelta(seconds=1)).replace(microsecond=0).astimezone(self.zone)
        return _utc(croniter(self.expression, local).get_prev(datetime))


@dataclass(frozen=True)
class IntervalCadence:
    """Fires at anchor + k·interval for k ≥ 1."""

    interval: timedelta
    anchor: datetime

    def __post_init__(self) -> None:
        if self.interval < timedelta(seconds=1):
            raise ValueError(f"interval must be at least one second, got {self.interval}")

    def next_after(self, moment: datetime) -> datetime:
        anchor = _utc(self.anchor)
        elapsed = _utc(moment) - anchor
        steps = 1 if elapsed < self.interval else elapsed // self.interval + 1
        return anchor + steps * self.interval

    def latest_until(self, moment: datetime) -> datetime | None:
        anchor = _utc(self.anchor)
        elapsed = _utc(moment) - anchor
        if elapsed < self.interval:
            return None
        return anchor + (elapsed // self.interval) * self.interval


def times_between(cadence: Cadence, after: datetime, until: datetime, limit: int | None = None) -> Iterator[datetime]:
    """Firings t with after < t ≤ until, in order, at most `limit` of them."""
    count = 0
    moment = cadence.next_after(after)
    while moment <= _utc(until) and (limit is None or count < limit):
        yield moment
        count += 1
        moment = cadence.next_after(moment)


def fixed_rate_interval(rate: schedule_pb2.FixedRate) -> timedelta:
    if rate.value <= 0:
        raise InvalidArgument(f"Invalid rate schedule value: {rate.value}; it must be positive")
    unit = _RATE_UNITS.get(rate.unit)
    if unit is None:
        raise InvalidArgument(f"unsupported unit {rate.unit} for fixed rate scheduling")
    return unit * int(rate.value)


def _every_interval(text: str) -> timedelta:
    """`@every 1h30m` as robfig/cron reads it: whole seconds (rounded down), at least one second."""
    try:
        duration = parse_go_duration(text[len(_EVERY) :].strip())
    except ValueError as exc:
        raise InvalidArgument(f"Invalid cron expression: {exc}") from None
    return max(timedelta(seconds=int(duration.total_seconds())), timedelta(seconds=1))


def cron_string(schedule: schedule_pb2.Schedule) -> str:
    """The cron text of a cron schedule (the current `cron_schedule` or the deprecated `cron_expression`)."""
    which = schedule.WhichOneof("ScheduleExpression")
    if which == "cron_schedule":
        return str(schedule.cron_schedule.schedule).strip()
    if which == "cron_expression":
        return str(schedule.cron_expression).strip()
    return ""


def is_cron(schedule: schedule_pb2.Schedule) -> bool:
    """Cron schedules (including `@every`) pass their scheduled time to the kickoff input; fixed rates never do."""
    return bool(cron_string(schedule))


def cadence_of(schedule: schedule_pb2.Schedule, *, zone: ZoneInfo, anchor: datetime) -> Cadence:
    """The cadence of a launch plan's schedule; `anchor` matters only to fixed rates and `@every`."""
    expression = cron_string(schedule)
    if expression.startswith(_EVERY):
        return IntervalCadence(_every_interval(expression), _utc(anchor).replace(microsecond=0))
    if expression:
        if not croniter.is_valid(expression):
            raise InvalidArgument(f"Invalid cron expression: failed to parse {expression}")
        return CronCadence(expression, zone)
    if schedule.WhichOneof("ScheduleExpression") == "rate":
        return IntervalCadence(fixed_rate_interval(schedule.rate), _utc(anchor).replace(microsecond=0))
    raise InvalidArgument("the launch plan has no schedule")
