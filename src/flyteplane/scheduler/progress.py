"""The scheduler's view of the store: active scheduled launch plans and how far each schedule has got.

One cheap query per poll (the partial index on active launch plans serves it); progress rows are shared by every
scheduler on the database, and only ever move forward, so replicas and restarts agree on what is still due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flyteidl.admin import launch_plan_pb2
from flyteidl.core import identifier_pb2
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from flyteplane.store.db import Database
from flyteplane.store.models import LaunchPlan, ScheduleProgress

__all__ = ["ActiveSchedule", "Progress", "active_schedules", "advance", "begin_progress", "launch_plan_spec"]

ACTIVE = launch_plan_pb2.ACTIVE


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


def active_schedules(db: Database) -> list[ActiveSchedule]:
    stmt = (
        select(
            LaunchPlan.id,
            LaunchPlan.project,
            LaunchPlan.domain,
            LaunchPlan.name,
            LaunchPlan.version,
            LaunchPlan.updated_at,
            ScheduleProgress,
        )
        .outerjoin(ScheduleProgress, ScheduleProgress.launch_plan_id == LaunchPlan.id)
        .where(LaunchPlan.state == ACTIVE, LaunchPlan.schedule_type != "NONE")
        .order_by(LaunchPlan.id)
    )
    with db.read() as session:
        return [
            ActiveSchedule(
                launch_plan_id=row[0],
                identifier=identifier_pb2.Identifier(
                    resource_type=identifier_pb2.LAUNCH_PLAN, project=row[1], domain=row[2], name=row[3], version=row[4]
                ),
                activation=row[5],
                progress=_progress(row[6]),
            )
            for row in session.execute(stmt)
        ]


def launch_plan_spec(db: Database, launch_plan_id: int) -> launch_plan_pb2.LaunchPlanSpec:
    """A version's spec never changes, so the scheduler reads it once per version."""
    with db.read() as session:
        spec = session.scalar(select(LaunchPlan.spec).where(LaunchPlan.id == launch_plan_id))
    return launch_plan_pb2.LaunchPlanSpec.FromString(spec or b"")


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
