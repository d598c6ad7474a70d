"""A condition that recurs thousands of times a second logs one line per interval, counting what it left out."""

from __future__ import annotations

import logging

import pytest

from flyteplane.server.rate_limited_log import RateLimitedLog


def test_one_line_per_interval_and_the_next_counts_the_lines_left_out(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    limited = RateLimitedLog(logging.getLogger("t"), logging.WARNING, interval=10, clock=lambda: now[0])
    with caplog.at_level(logging.WARNING, logger="t"):
        logged = [limited.emit("shed at %d", 5) for _ in range(1000)]
        now[0] = 10.0
        logged.append(limited.emit("shed at %d", 5))
    assert logged.count(True) == 2
    assert [r.getMessage() for r in caplog.records] == [
        "shed at 5",
        "shed at 5 (and 999 more times since the last such line)",
    ]


def test_each_message_template_has_its_own_interval(caplog: pytest.LogCaptureFixture) -> None:
    limited = RateLimitedLog(logging.getLogger("t"), logging.WARNING, clock=lambda: 0.0)
    with caplog.at_level(logging.WARNING, logger="t"):
        assert limited.emit("one")
        assert limited.emit("two")
        assert not limited.emit("one")
