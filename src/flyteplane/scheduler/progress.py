"""How far each schedule has got: the scheduler's own table, `schedule_progress`.

Progress rows are shared by every scheduler on the database, and only ever move forward, so replicas and
restarts agree on what is still due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flyteidl.core import identifier_pb2
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from flyteplane.scheduler.ports import ScheduledLaunchPlan
from flyteplane.store.db import Database
from flyteplane.store.models import ScheduleProgress

__all__ = ["ActiveSchedule", "Progress", "active_schedules", "advance", "begin_progress"]


@dataclass(frozen=True)
class Progress:
    activation: datetime  # naive UTC, as stored
    anchor: datetime  # aware UTC
    last_execution_time: datetime | None  # aware UTC

    @property
    def handled_through(self) -> datetime:
        """Every firing at or before this time has been handled."""
        return self.last_execution_time or self.anchor


@dataclass(frozen=True)
class ActiveSchedule:
    launch_plan_id: int
    identifier: identifier_pb2.Identifier
    activation: datetime  # the launch plan row's updated_at: changes when it is activated again
    progress: Progress | None  # None until a scheduler has seen this activation

    @property
    def current_progress(self) -> Progress | None:
        """The progress of this activation; progress left by an earlier activation does not count."""
        if self.progress is None or self.progress.activation != self.activation:
            return None
        return self.progress


def _aware(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.replace(tzinfo=UTC)


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def _progress(row: ScheduleProgress | None) -> Progress | None:
    if row is None:
        return None
    anchor = _aware(row.anchor)
    assert anchor is not None
    return Progress(row.activation, anchor, _aware(row.last_execution_time))


def active_schedules(db: Database, plans: list[ScheduledLaunchPlan]) -> list[ActiveSchedule]:
    """The active scheduled launch plans with the progress this database keeps for each."""
    if not plans:
        return []
    with db.read() as session:
        rows = session.scalars(
            select(ScheduleProgress).where(ScheduleProgress.launch_plan_id.in_([plan.key for plan in plans]))
        ).all()
        progress = {row.launch_plan_id: _progress(row) for row in rows}
    return [
        ActiveSchedule(
            launch_plan_id=plan.key,
            identifier=plan.identifier,
            activation=plan.activation,
            progress=progress.get(plan.key),
        )
        for plan in plans
    ]


def begin_progress(db: Database, schedule: ActiveSchedule, anchor: datetime) -> Progress:
    """Starts progress for this activation at `anchor`, unless another scheduler already did: then its start
    stands, so every scheduler counts fixed rates from the same moment."""
    anchor = anchor.replace(microsecond=0)
    for _ in range(3):
        try:
            with db.transaction() as session:
                row = session.get(ScheduleProgress, schedule.launch_plan_id)
                if row is None:
                    session.add(
                        ScheduleProgress(
                            launch_plan_id=schedule.launch_plan_id,
                            activation=schedule.activation,
                            anchor=_naive(anchor),
                            last_execution_time=None,
                        )
                    )
                elif row.activation != schedule.activation:
                    session.execute(
                        update(ScheduleProgress)
                        .where(
                            ScheduleProgress.launch_plan_id == schedule.launch_plan_id,
                            ScheduleProgress.activation == row.activation,
                        )
                        .values(activation=schedule.activation, anchor=_naive(anchor), last_execution_time=None)
                    )
        except IntegrityError:
            pass  # another scheduler inserted it first: read theirs
        with db.read() as session:
            stored = _progress(session.get(ScheduleProgress, schedule.launch_plan_id))
        if stored is not None and stored.activation == schedule.activation:
            return stored
    raise RuntimeError(f"could not record the schedule progress of launch plan {schedule.launch_plan_id}")


def advance(db: Database, launch_plan_id: int, activation: datetime, through: datetime) -> None:
    """Records that every firing up to `through` is handled; never moves progress back."""
    moment = _naive(through)
    with db.transaction() as session:
        session.execute(
            update(ScheduleProgress)
            .where(
                ScheduleProgress.launch_plan_id == launch_plan_id,
                ScheduleProgress.activation == activation,
                or_(
                    ScheduleProgress.last_execution_time.is_(None),
                    ScheduleProgress.last_execution_time < moment,
                ),
            )
            .values(last_execution_time=moment)
        )
