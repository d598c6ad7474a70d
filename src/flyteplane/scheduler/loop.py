"""The scheduler: a thread that starts executions of active launch plans when their schedules say so.

Each pass reads the active scheduled launch plans and their progress from the store (activation and deactivation
therefore take effect within a poll), catches up once per activation and process per the catch-up policy, then
starts every due firing in time order, at a bounded rate, and records how far each schedule got. A firing is an
ordinary CreateExecution with a deterministic name: ALREADY_EXISTS means another scheduler (a replica, or this
one before a restart) started it, which counts as success.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flyteidl.admin import common_pb2, execution_pb2, schedule_pb2

from flyteplane.config import Settings
from flyteplane.errors import AlreadyExists, FailedPrecondition, FlyteplaneError, InvalidArgument, NotFound
from flyteplane.scheduler.cadence import Cadence, cadence_of, times_between
from flyteplane.scheduler.catchup import CatchUp, caught_up_mark
from flyteplane.scheduler.clock import Clock, SystemClock, clock_from_settings
from flyteplane.scheduler.limiter import RateLimiter
from flyteplane.scheduler.ports import LaunchPlans
from flyteplane.scheduler.progress import (
    ActiveSchedule,
    Progress,
    active_schedules,
    advance,
    begin_progress,
)
from flyteplane.scheduler.requests import scheduled_execution_request
from flyteplane.scheduler.timezones import schedule_zone, zone_named
from flyteplane.store.db import Database

__all__ = ["Launch", "Scheduler"]

log = logging.getLogger(__name__)

Launch = Callable[[execution_pb2.ExecutionCreateRequest], Any]
"""Creates one execution (ExecutionService.create_execution in the server)."""

POLL_SECONDS = 0.5  # real seconds between looks at the store: (de)activation takes effect within this
BURST = 10
_RETRY_FIRST, _RETRY_MAX = 1.0, 60.0  # real seconds between attempts after an unexpected failure
_PERMANENT = (InvalidArgument, NotFound, FailedPrecondition)
_COUNT_SKIPPED = 10_000  # firings passed over are counted (for the log) up to this many


@dataclass
class _Known:
    """What this process keeps about one launch-plan version between passes."""

    schedule: schedule_pb2.Schedule
    labels: dict[str, str]
    caught_up: set[datetime] = field(default_factory=set)  # activations already caught up by this process
    cadences: dict[tuple[datetime, datetime], Cadence] = field(default_factory=dict)
    failures: int = 0
    retry_at: float = 0.0
    broken: str = ""  # why it cannot be scheduled (reported once)


@dataclass
class _Due:
    schedule: ActiveSchedule
    progress: Progress
    known: _Known
    cadence: Cadence


class Scheduler:
    def __init__(
        self,
        db: Database,
        launch: Launch,
        launch_plans: LaunchPlans,
        *,
        catch_up: CatchUp = CatchUp.ALL,
        rate: float = 100.0,
        default_zone: ZoneInfo | None = None,
        clock: Clock | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        self.db = db
        self.launch = launch
        self.launch_plans = launch_plans
        self.catch_up = catch_up
        self.default_zone = default_zone or ZoneInfo("UTC")
        self.clock: Clock = clock or SystemClock()
        self.poll_seconds = poll_seconds
        self._monotonic = monotonic
        self._limiter = RateLimiter(rate, BURST, monotonic)
        self._known: dict[int, _Known] = {}
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def from_settings(cls, settings: Settings, db: Database, launch: Launch, launch_plans: LaunchPlans) -> Scheduler:
        return cls(
            db,
            launch,
            launch_plans,
            catch_up=CatchUp(settings.scheduler_catchup),
            rate=settings.scheduler_catchup_rate,
            default_zone=zone_named(settings.scheduler_timezone),
            clock=clock_from_settings(settings.scheduler_clock_start, settings.scheduler_clock_speed),
        )

    # -- running ----------------------------------------------------------------------------------------

    def start(self) -> None:
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="flyteplane-scheduler", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def wake(self) -> None:
        """Look at the store now (e.g. right after a launch plan was activated)."""
        self._wake.set()

    def _run(self) -> None:
        log.info("scheduler started (catch-up %s)", self.catch_up.value)
        failures = 0
        while not self._stopping.is_set():
            try:
                delay = self.tick()
                failures = 0
            except Exception:  # e.g. the database is unreachable: keep trying, less and less often
                failures += 1
                delay = min(_RETRY_MAX, self.poll_seconds * 2**failures)
                log.exception("scheduler pass failed; trying again in %.1fs", delay)
            self._wake.wait(delay)
            self._wake.clear()

    # -- one pass ---------------------------------------------------------------------------------------

    def tick(self) -> float:
        """Starts what is due now; returns the real seconds until the next pass is needed."""
        now = self.clock.now()
        schedules = active_schedules(self.db, self.launch_plans.scheduled_launch_plans())
        self._forget_except({s.launch_plan_id for s in schedules})
        dues = [due for schedule in schedules if (due := self._prepare(schedule, now)) is not None]
        budget = self._limiter.available()
        queue: list[tuple[datetime, _Due]] = []
        backlog = False
        for due in dues:
            times = self._due_times(due, now, budget + 1)
            backlog = backlog or len(times) > budget
            queue.extend((moment, due) for moment in times[:budget])
        queue.sort(key=lambda item: (item[0], item[1].schedule.launch_plan_id))
        handled: dict[int, tuple[_Due, datetime]] = {}
        stalled: set[int] = set()
        for moment, due in queue:
            plan_id = due.schedule.launch_plan_id
            if plan_id in stalled:
                continue
            if not self._limiter.try_acquire():
                backlog = True
                break
            if self._fire(due, moment):
                handled[plan_id] = (due, moment)
            else:
                stalled.add(plan_id)  # its later times wait too, so firings stay in order
        for due, moment in handled.values():
            advance(self.db, due.schedule.launch_plan_id, due.progress.activation, moment)
        if backlog:
            return max(self._limiter.delay(), 0.01)
        return self._until_next(dues, now)

    def _prepare(self, schedule: ActiveSchedule, now: datetime) -> _Due | None:
        """Progress and cadence of one schedule, after catching up if this activation is new to this process."""
        known = self._known_for(schedule)
        if known is None or known.retry_at > self._monotonic():
            return None
        progress = schedule.current_progress
        if progress is None:  # a new activation: it starts now, with nothing to catch up
            progress = begin_progress(self.db, schedule, now)
            known.caught_up.add(progress.activation)
        cadence = self._cadence(known, progress)
        if cadence is None:
            return None
        if progress.activation not in known.caught_up:
            mark = caught_up_mark(self.catch_up, cadence, progress.handled_through, now)
            if mark > progress.handled_through:
                skipped = sum(1 for _ in times_between(cadence, progress.handled_through, mark, _COUNT_SKIPPED))
                log.info(
                    "schedule of %s: catch-up %s passes over %s missed firing(s) through %s",
                    _text(schedule),
                    self.catch_up.value,
                    f"{skipped}+" if skipped == _COUNT_SKIPPED else skipped,
                    mark.isoformat(),
                )
                advance(self.db, schedule.launch_plan_id, progress.activation, mark)
                progress = Progress(progress.activation, progress.anchor, mark)
            known.caught_up.add(progress.activation)
        return _Due(schedule, progress, known, cadence)

    def _known_for(self, schedule: ActiveSchedule) -> _Known | None:
        known = self._known.get(schedule.launch_plan_id)
        if known is None:
            spec = self.launch_plans.get_launch_plan(common_pb2.ObjectGetRequest(id=schedule.identifier)).spec
            known = _Known(schedule=spec.entity_metadata.schedule, labels=dict(spec.labels.values))
            self._known[schedule.launch_plan_id] = known
        return None if known.broken else known

    def _cadence(self, known: _Known, progress: Progress) -> Cadence | None:
        key = (progress.activation, progress.anchor)
        if key not in known.cadences:
            try:
                zone = schedule_zone(known.labels, self.default_zone)
                known.cadences = {key: cadence_of(known.schedule, zone=zone, anchor=progress.anchor)}
            except FlyteplaneError as exc:
                known.broken = exc.message
                log.error("launch plan schedule cannot run: %s", exc.message)
                return None
        return known.cadences[key]

    def _due_times(self, due: _Due, now: datetime, limit: int) -> list[datetime]:
        return list(times_between(due.cadence, due.progress.handled_through, now, limit))

    def _fire(self, due: _Due, moment: datetime) -> bool:
        """Starts the execution for `moment`; False when it should be tried again later."""
        request = scheduled_execution_request(due.schedule.identifier, due.known.schedule, moment)
        try:
            self.launch(request)
            log.info("schedule of %s fired for %s: %s", _text(due.schedule), moment.isoformat(), request.name)
        except AlreadyExists as exc:
            log.debug("schedule of %s for %s: %s", _text(due.schedule), moment.isoformat(), exc.message)
        except _PERMANENT as exc:  # the launch plan cannot run (e.g. an archived project): skip this time
            log.error(
                "schedule of %s could not start its execution for %s: %s",
                _text(due.schedule),
                moment.isoformat(),
                exc.message,
            )
        except Exception:
            due.known.failures += 1
            wait = min(_RETRY_MAX, _RETRY_FIRST * 2 ** (due.known.failures - 1))
            due.known.retry_at = self._monotonic() + wait
            log.exception("schedule of %s failed to fire for %s; retrying in %.0fs", _text(due.schedule), moment, wait)
            return False
        due.known.failures = 0
        return True

    def _until_next(self, dues: list[_Due], now: datetime) -> float:
        delay = self.poll_seconds
        for due in dues:
            upcoming = due.cadence.next_after(now)
            delay = min(delay, self.clock.real_seconds((upcoming - now).total_seconds()))
        return max(delay, 0.01)

    def _forget_except(self, active: set[int]) -> None:
        for plan_id in list(self._known):
            if plan_id not in active:
                del self._known[plan_id]


def _text(schedule: ActiveSchedule) -> str:
    ident = schedule.identifier
    return f"{ident.project}/{ident.domain}/{ident.name}@{ident.version}"
