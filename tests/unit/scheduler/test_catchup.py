from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flyteplane.scheduler.cadence import CronCadence, IntervalCadence
from flyteplane.scheduler.catchup import ON_TIME, CatchUp, caught_up_mark

MINUTELY = CronCadence("* * * * *", ZoneInfo("UTC"))
LAST = datetime(2024, 1, 1, 0, 10, tzinfo=UTC)  # the last firing before the downtime
NOW = datetime(2024, 1, 1, 0, 40, 30, tzinfo=UTC)  # 30 missed, the last one 30 s ago


def test_all_passes_over_nothing() -> None:
    assert caught_up_mark(CatchUp.ALL, MINUTELY, LAST, NOW) == LAST


def test_latest_passes_over_everything_but_the_most_recent_firing() -> None:
    assert caught_up_mark(CatchUp.LATEST, MINUTELY, LAST, NOW) == datetime(2024, 1, 1, 0, 39, tzinfo=UTC)


def test_none_passes_over_everything_no_longer_on_time() -> None:
    assert caught_up_mark(CatchUp.NONE, MINUTELY, LAST, NOW) == datetime(2024, 1, 1, 0, 39, tzinfo=UTC)
    later = NOW + ON_TIME  # 00:41:30: 00:41 is on time, 00:40 is not
    assert caught_up_mark(CatchUp.NONE, MINUTELY, LAST, later) == datetime(2024, 1, 1, 0, 40, tzinfo=UTC)


def test_nothing_missed_changes_nothing_under_any_policy() -> None:
    now = LAST + timedelta(seconds=30)
    for policy in CatchUp:
        assert caught_up_mark(policy, MINUTELY, LAST, now) == LAST


def test_a_fixed_rate_catches_up_on_its_own_interval() -> None:
    rate = IntervalCadence(timedelta(hours=1), datetime(2024, 1, 1, 0, 0, 7, tzinfo=UTC))
    handled = datetime(2024, 1, 1, 1, 0, 7, tzinfo=UTC)
    now = datetime(2024, 1, 1, 9, 30, tzinfo=UTC)
    assert caught_up_mark(CatchUp.LATEST, rate, handled, now) == datetime(2024, 1, 1, 8, 0, 7, tzinfo=UTC)
    assert caught_up_mark(CatchUp.NONE, rate, handled, now) == datetime(2024, 1, 1, 9, 0, 7, tzinfo=UTC)
