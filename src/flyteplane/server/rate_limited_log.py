"""A log line for a condition that can recur thousands of times a second: at most one line per interval.

A flood (of connections, of failed accepts) must not turn into a flood of log lines: issue 9 saw 169 MB of log in
15 seconds. The line written after a quiet interval says how many occurrences it stood for.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

DEFAULT_INTERVAL = 10.0


class RateLimitedLog:
    """Logs each message template at most once per `interval` seconds, counting the occurrences it left out."""

    def __init__(
        self,
        logger: logging.Logger,
        level: int,
        interval: float = DEFAULT_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.logger = logger
        self.level = level
        self.interval = interval
        self._clock = clock
        self._last: dict[str, float] = {}
        self._left_out: dict[str, int] = {}

    def emit(self, message: str, *args: object) -> bool:
        """Logs `message % args` unless the same template was logged less than `interval` ago; True if logged."""
        now = self._clock()
        last = self._last.get(message)
        if last is not None and now - last < self.interval:
            self._left_out[message] = self._left_out.get(message, 0) + 1
            return False
        left_out = self._left_out.pop(message, 0)
        suffix = f" (and {left_out} more times since the last such line)" if left_out else ""
        self.logger.log(self.level, message + suffix, *args)
        self._last[message] = now
        return True
