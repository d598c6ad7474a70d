from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tests.unit.scheduler.fakes import FakeMonotonic

from flyteplane.scheduler.clock import ScaledClock, SystemClock, clock_from_settings
from flyteplane.scheduler.limiter import RateLimiter


def test_the_limiter_allows_a_burst_then_the_rate() -> None:
    monotonic = FakeMonotonic()
    limiter = RateLimiter(rate=10, burst=3, monotonic=monotonic)
    assert [limiter.try_acquire() for _ in range(4)] == [True, True, True, False]
    assert limiter.delay() == pytest.approx(0.1)
    monotonic.value += 0.25
    assert limiter.available() == 2
    monotonic.value += 100
    assert limiter.available() == 3, "never more than the burst"


def test_a_scaled_clock_starts_where_told_and_runs_faster() -> None:
    real = FakeMonotonic()
    clock = ScaledClock(datetime(2024, 1, 1), speed=60, real=real)
    assert clock.now() == datetime(2024, 1, 1, tzinfo=UTC)
    real.value += 2
    assert clock.now() == datetime(2024, 1, 1, 0, 2, tzinfo=UTC)
    assert clock.real_seconds(60) == 1


def test_settings_choose_the_wall_clock_unless_a_start_or_speed_is_given() -> None:
    assert isinstance(clock_from_settings("", 1.0), SystemClock)
    scaled = clock_from_settings("2030-05-01T00:00:00+02:00", 1.0)
    assert abs(scaled.now() - datetime(2030, 4, 30, 22, tzinfo=UTC)) < timedelta(seconds=5)
    fast = clock_from_settings("", 10.0)
    assert isinstance(fast, ScaledClock) and abs(fast.now() - datetime.now(UTC)) < timedelta(seconds=5)
