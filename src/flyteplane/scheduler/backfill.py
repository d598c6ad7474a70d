"""Backfills: the executions a launch plan's schedule would have started for a past range of time.

Each scheduled time gets the very request the scheduler would send — mode SCHEDULED, `scheduled_at`, the kickoff
input of a cron schedule and the deterministic name — plus a `flyteplane.io/backfill` label naming the range.
So a backfill never duplicates a time the scheduler (or an earlier backfill) already started: that execution
exists, and the backfill just follows it. Serial backfills start each time after the previous one finished;
parallel ones start them all, optionally at most `concurrency` at a time.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from flyteidl.admin import execution_pb2, launch_plan_pb2
from flyteidl.core import execution_pb2 as core_execution_pb2
from flyteidl.core import identifier_pb2

from flyteplane.errors import InvalidArgument
from flyteplane.scheduler.cadence import Cadence, IntervalCadence, cadence_of, times_between
from flyteplane.scheduler.requests import scheduled_execution_request
from flyteplane.scheduler.timezones import schedule_zone

__all__ = [
    "BACKFILL_LABEL",
    "BackfillClient",
    "BackfillItem",
    "BackfillPlan",
    "BackfillRunner",
    "ItemState",
    "plan_backfill",
]

BACKFILL_LABEL = "flyteplane.io/backfill"
MAX_TIMES = 10_000
_MAX_LABELS = 16
Phase = core_execution_pb2.WorkflowExecution.Phase
TERMINAL = frozenset({Phase.SUCCEEDED, Phase.FAILED, Phase.ABORTED, Phase.TIMED_OUT})


@dataclass(frozen=True)
class BackfillPlan:
    launch_plan: identifier_pb2.Identifier
    zone: ZoneInfo
    start: datetime
    end: datetime
    requests: tuple[execution_pb2.ExecutionCreateRequest, ...]

    @property
    def times(self) -> list[datetime]:
        return [request.spec.metadata.scheduled_at.ToDatetime(UTC) for request in self.requests]


def _aware(moment: datetime, zone: ZoneInfo) -> datetime:
    """A time without an offset is read in the schedule's zone."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=zone)).astimezone(UTC)


def _range_label(start: datetime, end: datetime) -> str:
    return f"{start:%Y%m%dT%H%M%SZ}-{end:%Y%m%dT%H%M%SZ}"


def plan_backfill(
    launch_plan: launch_plan_pb2.LaunchPlan,
    start: datetime,
    end: datetime,
    *,
    zone: ZoneInfo | None = None,
    default_zone: ZoneInfo | None = None,
    limit: int = MAX_TIMES,
) -> BackfillPlan:
    """The scheduled times of `launch_plan` in [start, end) and their requests. `zone` overrides the launch
    plan's `flyteplane.io/timezone` label, which overrides `default_zone` (UTC)."""
    ident = launch_plan.id
    schedule = launch_plan.spec.entity_metadata.schedule
    if schedule.WhichOneof("ScheduleExpression") is None:
        raise InvalidArgument(f"launch plan [{ident.name}] has no schedule; only scheduled launch plans backfill")
    labels = dict(launch_plan.spec.labels.values)
    zone = zone or schedule_zone(labels, default_zone or ZoneInfo("UTC"))
    first, last = _aware(start, zone), _aware(end, zone)
    if first >= last:
        raise InvalidArgument(f"the backfill range is empty: {start.isoformat()} is not before {end.isoformat()}")
    cadence: Cadence = cadence_of(schedule, zone=zone, anchor=first)
    if isinstance(cadence, IntervalCadence):  # a fixed rate counts from the start of the range, which it includes
        cadence = IntervalCadence(cadence.interval, first - cadence.interval)
    times = [t for t in times_between(cadence, first - timedelta(microseconds=1), last, limit + 1) if t < last]
    if not times:
        raise InvalidArgument(
            f"no scheduled time of launch plan [{ident.name}] falls in [{start.isoformat()}, {end.isoformat()})"
        )
    if len(times) > limit:
        raise InvalidArgument(f"the backfill would start more than {limit} executions; choose a shorter range")
    if len(labels) < _MAX_LABELS:
        labels[BACKFILL_LABEL] = _range_label(_aware(start, zone), last)
    requests = tuple(scheduled_execution_request(ident, schedule, t, labels) for t in times)
    return BackfillPlan(ident, zone, _aware(start, zone), last, requests)


class BackfillClient(Protocol):
    """What a backfill needs from Flyte Admin (the CLI adapts flyteplane's client to it)."""

    def launch(self, request: execution_pb2.ExecutionCreateRequest) -> bool:
        """Creates the execution; False when it already existed."""
        ...

    def phase(self, execution: identifier_pb2.WorkflowExecutionIdentifier) -> int:
        """The execution's current phase (core WorkflowExecution.Phase)."""
        ...


class ItemState(enum.Enum):
    WAITING = "waiting"  # not started yet
    RUNNING = "running"
    DONE = "done"  # reached a terminal phase
    SKIPPED = "skipped"  # a serial backfill stopped before it


@dataclass
class BackfillItem:
    request: execution_pb2.ExecutionCreateRequest
    state: ItemState = ItemState.WAITING
    phase: int = Phase.UNDEFINED
    existed: bool = False  # started before this backfill (by the scheduler or an earlier run)

    @property
    def execution_id(self) -> identifier_pb2.WorkflowExecutionIdentifier:
        req = self.request
        return identifier_pb2.WorkflowExecutionIdentifier(project=req.project, domain=req.domain, name=req.name)

    @property
    def scheduled_at(self) -> datetime:
        moment: datetime = self.request.spec.metadata.scheduled_at.ToDatetime(UTC)
        return moment

    @property
    def succeeded(self) -> bool:
        return self.state is ItemState.DONE and self.phase == Phase.SUCCEEDED


class BackfillRunner:
    """Starts a plan's executions and follows them to the end, reporting every change to `on_change`."""

    def __init__(
        self,
        client: BackfillClient,
        plan: BackfillPlan,
        *,
        parallel: bool = False,
        concurrency: int = 0,
        keep_going: bool = False,
        wait: bool = True,
        poll_interval: float = 1.0,
        on_change: Callable[[BackfillItem], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not wait and not parallel:
            raise InvalidArgument("a serial backfill waits for each execution; not waiting needs parallel")
        self.client = client
        self.items = [BackfillItem(request) for request in plan.requests]
        self.parallel = parallel
        # Without waiting nothing ever finishes here, so everything starts at once.
        self.concurrency = concurrency if concurrency > 0 and wait else len(self.items)
        self.keep_going = keep_going
        self.wait = wait
        self.poll_interval = poll_interval
        self.on_change = on_change or (lambda _item: None)
        self.sleep = sleep

    def run(self) -> Sequence[BackfillItem]:
        if self.parallel:
            self._run_parallel()
        else:
            self._run_serial()
        return self.items

    def _start(self, item: BackfillItem) -> None:
        item.existed = not self.client.launch(item.request)
        item.state = ItemState.RUNNING
        self.on_change(item)
        self._check(item)

    def _check(self, item: BackfillItem) -> None:
        phase = self.client.phase(item.execution_id)
        if phase != item.phase or phase in TERMINAL:
            item.phase = phase
            if phase in TERMINAL:
                item.state = ItemState.DONE
            self.on_change(item)

    def _run_serial(self) -> None:
        for index, item in enumerate(self.items):
            self._start(item)
            while item.state is ItemState.RUNNING:
                self.sleep(self.poll_interval)
                self._check(item)
            if not item.succeeded and not self.keep_going:
                for rest in self.items[index + 1 :]:
                    rest.state = ItemState.SKIPPED
                    self.on_change(rest)
                return

    def _run_parallel(self) -> None:
        waiting = list(self.items)
        while True:
            running = [item for item in self.items if item.state is ItemState.RUNNING]
            while waiting and len(running) < self.concurrency:
                item = waiting.pop(0)
                self._start(item)
                if item.state is ItemState.RUNNING:
                    running.append(item)
            if not self.wait or (not running and not waiting):
                return
            self.sleep(self.poll_interval)
            for item in running:
                self._check(item)
