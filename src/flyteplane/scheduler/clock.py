"""The scheduler's sense of time: the wall clock, or a clock that starts at a chosen moment and runs faster.

The fast clock is a testing aid (settings `scheduler_clock_start` / `scheduler_clock_speed`): a test sees an hour of
minutely firings in a minute of real time without sleeping for hours or patching the server.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

__all__ = ["Clock", "ScaledClock", "SystemClock", "clock_from_settings"]


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...

    def real_seconds(self, clock_seconds: float) -> float:
        """How many seconds of real time pass while this clock advances `clock_seconds`."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def real_seconds(self, clock_seconds: float) -> float:
        return clock_seconds


class ScaledClock:
    """Starts at `start` when created and runs `speed` times as fast as real time."""

    def __init__(self, start: datetime, speed: float = 1.0, real: Callable[[], float] = time.monotonic) -> None:
        if speed <= 0:
            raise ValueError(f"clock speed must be positive, got {speed}")
        self.start = start if start.tzinfo else start.replace(tzinfo=UTC)
        self.speed = speed
        self._real = real
        self._origin = real()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=(self._real() - self._origin) * self.speed)

    def real_seconds(self, clock_seconds: float) -> float:
        return clock_seconds / self.speed


def clock_from_settings(start: str, speed: float) -> Clock:
    """The wall clock unless a start time or a speed other than 1 is configured."""
    if not start and speed == 1.0:
        return SystemClock()
    begin = datetime.fromisoformat(start) if start else datetime.now(UTC)
    return ScaledClock(begin, speed)
