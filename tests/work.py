"""Complexity checks that do not depend on how busy the machine is: count the Python calls a piece of work makes
(tests never assert on wall time; benchmarks in bench/ measure time)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any


def python_calls(work: Callable[[], Any]) -> int:
    """How many Python-level function calls `work()` makes (C calls excluded)."""
    calls = 0

    def count(_frame: Any, event: str, _arg: Any) -> None:
        nonlocal calls
        if event == "call":
            calls += 1

    sys.setprofile(count)
    try:
        work()
    finally:
        sys.setprofile(None)
    return calls


def grows_linearly(work: Callable[[int], Any], size: int) -> bool:
    """True when doubling the input size at most about doubles the calls made (quadratic work would quadruple)."""
    small = python_calls(lambda: work(size))
    large = python_calls(lambda: work(2 * size))
    return large <= 2.5 * small


def finishes(work: Callable[[], Any], within: float = 30.0) -> bool:
    """A hang guard for work done in C (where calls cannot be counted): True when `work()` returns within a
    bound generous enough for any machine load, but far below what a super-linear algorithm would need."""
    import threading

    done = threading.Event()

    def run() -> None:
        work()
        done.set()

    threading.Thread(target=run, daemon=True).start()
    return done.wait(within)
