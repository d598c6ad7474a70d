"""Catch-up after downtime: which missed firings a scheduler still starts when it (re)starts.

`all` starts every missed firing, in order; `latest` only the most recent one; `none` only those still on time
(scheduled at most ON_TIME ago, so a quick restart across a firing does not lose it). Firings passed over are
recorded as handled, never started later. flyteadmin's native scheduler always catches up everything.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from flyteplane.scheduler.cadence import Cadence

__all__ = ["ON_TIME", "CatchUp", "caught_up_mark"]

ON_TIME = timedelta(seconds=60)
_TICK = timedelta(microseconds=1)


class CatchUp(enum.Enum):
    ALL = "all"
    LATEST = "latest"
    NONE = "none"


def caught_up_mark(
    policy: CatchUp, cadence: Cadence, handled_through: datetime, now: datetime, on_time: timedelta = ON_TIME
) -> datetime:
    """The new 'handled through' time once the policy has passed over the firings it does not start; firings
    after it (up to `now`) are then started in order."""
    if policy is CatchUp.ALL:
        return handled_through
    if policy is CatchUp.LATEST:
        latest = cadence.latest_until(now)
        if latest is None or latest <= handled_through:
            return handled_through
        before = cadence.latest_until(latest - _TICK)
    else:
        before = cadence.latest_until(now - on_time)
    return before if before is not None and before > handled_through else handled_through
