"""Launch-plan schedules: the scheduler that fires them, catch-up after downtime, and backfills.

- `cadence`: when a cron schedule (5 fields, descriptors, `@every`) or a fixed rate fires.
- `names`, `requests`: the deterministic execution name and the CreateExecution request of one scheduled time.
- `timezones`: the optional per-launch-plan zone, from the `flyteplane.io/timezone` label.
- `catchup`, `limiter`, `progress`, `loop`: the scheduler itself (`loop.Scheduler`), which `flyteplane serve`
  runs in-process and `flyteplane scheduler` runs alone.
- `backfill`: planning and driving the executions of a past date range (`flyteplane backfill`).

Importing this package loads no server code; `loop` and `progress` use the store.
"""

from flyteplane.scheduler.cadence import Cadence, CronCadence, IntervalCadence, cadence_of, times_between
from flyteplane.scheduler.catchup import CatchUp
from flyteplane.scheduler.names import scheduled_execution_name
from flyteplane.scheduler.requests import scheduled_execution_request
from flyteplane.scheduler.timezones import TIMEZONE_LABEL, schedule_zone, zone_named

__all__ = [
    "TIMEZONE_LABEL",
    "Cadence",
    "CatchUp",
    "CronCadence",
    "IntervalCadence",
    "cadence_of",
    "schedule_zone",
    "scheduled_execution_name",
    "scheduled_execution_request",
    "times_between",
    "zone_named",
]
