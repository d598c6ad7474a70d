from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flyteidl.admin import schedule_pb2

from flyteplane.errors import InvalidArgument
from flyteplane.scheduler.cadence import (
    CronCadence,
    IntervalCadence,
    cadence_of,
    fixed_rate_interval,
    is_cron,
    times_between,
)

UTC_ZONE = ZoneInfo("UTC")
PARIS = ZoneInfo("Europe/Paris")


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, micro: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)


def cron(expression: str, kickoff: str = "") -> schedule_pb2.Schedule:
    return schedule_pb2.Schedule(
        cron_schedule=schedule_pb2.CronSchedule(schedule=expression), kickoff_time_input_arg=kickoff
    )


def rate(value: int, unit: int) -> schedule_pb2.Schedule:
    return schedule_pb2.Schedule(rate=schedule_pb2.FixedRate(value=value, unit=unit))


# -- cron ---------------------------------------------------------------------------------------------------


def test_a_five_field_cron_fires_strictly_after_the_given_time() -> None:
    cadence = CronCadence("*/15 * * * *", UTC_ZONE)
    assert cadence.next_after(at(2024, 1, 1, 0, 0)) == at(2024, 1, 1, 0, 15)
    assert cadence.next_after(at(2024, 1, 1, 0, 7, 30)) == at(2024, 1, 1, 0, 15)


def test_the_latest_cron_firing_includes_the_given_time_itself() -> None:
    cadence = CronCadence("0 * * * *", UTC_ZONE)
    assert cadence.latest_until(at(2024, 1, 1, 5, 0)) == at(2024, 1, 1, 5, 0)
    assert cadence.latest_until(at(2024, 1, 1, 5, 59, 59, 999999)) == at(2024, 1, 1, 5, 0)


@pytest.mark.parametrize(
    ("descriptor", "after", "expected"),
    [
        ("@hourly", at(2024, 1, 1, 0, 30), at(2024, 1, 1, 1, 0)),
        ("@daily", at(2024, 1, 1, 0, 30), at(2024, 1, 2)),
        ("@midnight", at(2024, 1, 1, 0, 30), at(2024, 1, 2)),
        ("@weekly", at(2024, 1, 1, 0, 30), at(2024, 1, 7)),  # Sundays
        ("@monthly", at(2024, 1, 1, 0, 30), at(2024, 2, 1)),
        ("@yearly", at(2024, 1, 1, 0, 30), at(2025, 1, 1)),
        ("@annually", at(2024, 1, 1, 0, 30), at(2025, 1, 1)),
    ],
)
def test_descriptors_fire_as_robfig_cron_defines_them(descriptor: str, after: datetime, expected: datetime) -> None:
    assert cadence_of(cron(descriptor), zone=UTC_ZONE, anchor=after).next_after(after) == expected


def test_day_of_month_and_day_of_week_together_mean_either() -> None:
    cadence = CronCadence("0 0 13 * 5", UTC_ZONE)  # the 13th, or any Friday
    assert list(times_between(cadence, at(2024, 9, 1), at(2024, 9, 14))) == [
        at(2024, 9, 6),
        at(2024, 9, 13),
    ]


def test_a_cron_schedule_runs_in_its_time_zone_across_daylight_saving_time() -> None:
    cadence = CronCadence("0 9 * * *", PARIS)
    assert cadence.next_after(at(2024, 3, 29, 12)) == at(2024, 3, 30, 8, 0)  # CET, UTC+1
    assert cadence.next_after(at(2024, 3, 30, 12)) == at(2024, 3, 31, 7, 0)  # CEST, UTC+2 from that night


def test_a_cron_time_skipped_by_the_spring_change_fires_at_the_first_valid_moment() -> None:
    cadence = CronCadence("30 2 * * *", PARIS)
    assert cadence.next_after(at(2024, 3, 30, 12)) == at(2024, 3, 31, 1, 0)  # 03:00 CEST


def test_cron_times_are_whole_minutes_in_utc() -> None:
    moment = CronCadence("* * * * *", PARIS).next_after(at(2024, 1, 1, 0, 0, 1, 5))
    assert moment == at(2024, 1, 1, 0, 1) and moment.tzinfo is UTC


def test_both_cron_fields_count_as_cron_and_get_the_kickoff_time() -> None:
    assert is_cron(cron("@hourly"))
    assert is_cron(schedule_pb2.Schedule(cron_expression="0 * * * *"))
    assert not is_cron(rate(1, schedule_pb2.MINUTE))
    assert not is_cron(schedule_pb2.Schedule())


def test_the_deprecated_cron_expression_runs_as_standard_cron() -> None:
    schedule = schedule_pb2.Schedule(cron_expression="0 3 * * *")
    assert cadence_of(schedule, zone=UTC_ZONE, anchor=at(2024, 1, 1)).next_after(at(2024, 1, 1)) == at(2024, 1, 1, 3)


def test_an_unparsable_cron_is_reported_like_at_registration() -> None:
    with pytest.raises(InvalidArgument, match="Invalid cron expression"):
        cadence_of(cron("61 * * * *"), zone=UTC_ZONE, anchor=at(2024, 1, 1))


# -- fixed rates and @every -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "interval"),
    [
        (1, schedule_pb2.MINUTE, timedelta(minutes=1)),
        (90, schedule_pb2.MINUTE, timedelta(minutes=90)),
        (2, schedule_pb2.HOUR, timedelta(hours=2)),
        (3, schedule_pb2.DAY, timedelta(days=3)),
    ],
)
def test_a_fixed_rate_is_value_times_unit(value: int, unit: int, interval: timedelta) -> None:
    assert fixed_rate_interval(schedule_pb2.FixedRate(value=value, unit=unit)) == interval


def test_a_fixed_rate_counts_constant_intervals_from_its_anchor() -> None:
    cadence = cadence_of(rate(1, schedule_pb2.MINUTE), zone=PARIS, anchor=at(2024, 1, 1, 0, 0, 20, 700))
    assert cadence.next_after(at(2024, 1, 1)) == at(2024, 1, 1, 0, 1, 20), "anchored at whole seconds"
    assert cadence.next_after(at(2024, 1, 1, 0, 1, 20)) == at(2024, 1, 1, 0, 2, 20)
    assert cadence.latest_until(at(2024, 1, 1, 0, 1, 19)) is None
    assert cadence.latest_until(at(2024, 1, 1, 3, 0)) == at(2024, 1, 1, 2, 59, 20)


def test_every_is_a_constant_delay_in_whole_seconds_of_at_least_one() -> None:
    anchor = at(2024, 1, 1)
    every = cadence_of(cron("@every 1h30m"), zone=UTC_ZONE, anchor=anchor)
    assert every == IntervalCadence(timedelta(minutes=90), anchor)
    assert cadence_of(cron("@every 2.7s"), zone=UTC_ZONE, anchor=anchor) == IntervalCadence(
        timedelta(seconds=2), anchor
    )
    assert cadence_of(cron("@every 300ms"), zone=UTC_ZONE, anchor=anchor) == IntervalCadence(
        timedelta(seconds=1), anchor
    )


def test_times_between_excludes_the_start_includes_the_end_and_stops_at_the_limit() -> None:
    cadence = CronCadence("0 * * * *", UTC_ZONE)
    assert list(times_between(cadence, at(2024, 1, 1, 0), at(2024, 1, 1, 3))) == [
        at(2024, 1, 1, 1),
        at(2024, 1, 1, 2),
        at(2024, 1, 1, 3),
    ]
    assert list(times_between(cadence, at(2024, 1, 1, 0), at(2024, 1, 2), limit=2)) == [
        at(2024, 1, 1, 1),
        at(2024, 1, 1, 2),
    ]


def test_a_launch_plan_without_schedule_has_no_cadence() -> None:
    with pytest.raises(InvalidArgument, match="no schedule"):
        cadence_of(schedule_pb2.Schedule(), zone=UTC_ZONE, anchor=at(2024, 1, 1))
