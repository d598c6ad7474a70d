"""The engine's queue table, `engine_workflows`: the only module that reads or writes it.

One row per execution: what it runs (written once by CreateExecution through the RunQueue port), the engine's
state document, when it next needs a look, and a lease (owner + expiry) so that two workers — in this process or
another — never evaluate the same execution at once.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from flyteidl.admin import execution_pb2
from flyteidl.core import identifier_pb2
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from flyteplane.engine.ports import QueuedRun
from flyteplane.store.db import Database
from flyteplane.store.models import EngineWorkflow, utcnow

__all__ = ["Claim", "ClaimedExecution", "ExecutionQueue"]


class Claim(enum.Enum):
    """How a claim went: MISSED (done, or another owner's lease is live) is falsy; TAKEN_OVER means another
    owner's lease had expired (a dead or stuck engine), which the operator wants to see counted."""

    MISSED = "missed"
    CLAIMED = "claimed"
    TAKEN_OVER = "taken over"

    def __bool__(self) -> bool:
        return self is not Claim.MISSED


@dataclass(frozen=True)
class ClaimedExecution:
    """A queue row as a worker that holds its lease reads it."""

    run: QueuedRun
    state: bytes
    abort_requested: bool


class ExecutionQueue:
    """Implements the RunQueue port for the admin side, and the engine's claim / load / save cycle."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- the admin side (RunQueue) -----------------------------------------------------------------------

    def enqueue(self, session: Session, execution_row: int, run: QueuedRun, at: datetime) -> None:
        session.add(
            EngineWorkflow(
                execution_id=execution_row,
                execution_project=run.execution.project,
                execution_domain=run.execution.domain,
                execution_name=run.execution.name,
                spec=run.spec.SerializeToString(),
                workflow=run.workflow.SerializeToString(),
                inputs_uri=run.inputs_uri,
                done=False,
                next_evaluation_at=at,
            )
        )

    def request_abort(self, session: Session, execution_row: int, at: datetime) -> None:
        session.execute(
            update(EngineWorkflow)
            .where(EngineWorkflow.execution_id == execution_row)
            .values(abort_requested=True, next_evaluation_at=at)
        )

    # -- the engine --------------------------------------------------------------------------------------

    def find(self, execution: identifier_pb2.WorkflowExecutionIdentifier) -> int | None:
        with self.db.read() as session:
            return session.scalar(
                select(EngineWorkflow.execution_id).where(
                    EngineWorkflow.execution_project == execution.project,
                    EngineWorkflow.execution_domain == execution.domain,
                    EngineWorkflow.execution_name == execution.name,
                )
            )

    def void_leases(self, owner: str | None = None) -> None:
        """At an engine's start: leases its previous incarnation (`owner`) left are void; with no owner (the only
        engine on this database), every lease is."""
        held = EngineWorkflow.lease_owner != "" if owner is None else EngineWorkflow.lease_owner == owner
        with self.db.transaction() as session:
            session.execute(update(EngineWorkflow).where(held).values(lease_owner="", lease_expires_at=None))

    def make_due(self, execution: identifier_pb2.WorkflowExecutionIdentifier) -> None:
        """A wake-up that crosses processes: the execution is due now, so an engine elsewhere sees it at its next
        scan (used where this process runs no engine)."""
        with self.db.transaction() as session:
            session.execute(
                update(EngineWorkflow)
                .where(
                    EngineWorkflow.execution_project == execution.project,
                    EngineWorkflow.execution_domain == execution.domain,
                    EngineWorkflow.execution_name == execution.name,
                    EngineWorkflow.done.is_(False),
                )
                .values(next_evaluation_at=utcnow())
            )

    def live_ids(self) -> list[int]:
        with self.db.read() as session:
            return list(session.scalars(select(EngineWorkflow.execution_id).where(EngineWorkflow.done.is_(False))))

    def live_states(self) -> list[tuple[int, bytes]]:
        """(row, state document) of every execution not done yet."""
        with self.db.read() as session:
            rows = session.execute(
                select(EngineWorkflow.execution_id, EngineWorkflow.state)
                .where(EngineWorkflow.done.is_(False))
                .order_by(EngineWorkflow.execution_id)
            ).all()
        return [(row_id, state) for row_id, state in rows]

    def depth(self, now: datetime) -> dict[str, int]:
        """For /metrics: executions not done ("live") and those of them due for a look now ("due"); both counts
        run on the (done, next_evaluation_at) index."""
        with self.db.read() as session:
            live = (
                session.scalar(select(func.count()).select_from(EngineWorkflow).where(EngineWorkflow.done.is_(False)))
                or 0
            )
            due = (
                session.scalar(
                    select(func.count())
                    .select_from(EngineWorkflow)
                    .where(EngineWorkflow.done.is_(False), EngineWorkflow.next_evaluation_at <= now)
                )
                or 0
            )
        return {"live": live, "due": due}

    def due(self, now: datetime, limit: int) -> list[int]:
        """Live executions whose next look is due and that no live lease holds, the longest waiting first."""
        with self.db.read() as session:
            return list(
                session.scalars(
                    select(EngineWorkflow.execution_id)
                    .where(
                        EngineWorkflow.done.is_(False),
                        EngineWorkflow.next_evaluation_at <= now,
                        or_(EngineWorkflow.lease_owner == "", EngineWorkflow.lease_expires_at < now),
                    )
                    .order_by(EngineWorkflow.next_evaluation_at)
                    .limit(limit)
                ).all()
            )

    def claim(self, row_id: int, owner: str, now: datetime, lease: timedelta) -> Claim:
        """Takes the execution's lease if it is free, ours, or expired (then it is a takeover)."""
        live = EngineWorkflow.execution_id == row_id, EngineWorkflow.done.is_(False)
        with self.db.transaction() as session:
            result = session.execute(
                update(EngineWorkflow)
                .where(*live, or_(EngineWorkflow.lease_owner == "", EngineWorkflow.lease_owner == owner))
                .values(lease_owner=owner, lease_expires_at=now + lease)
            )
            if result.rowcount:  # type: ignore[attr-defined]
                return Claim.CLAIMED
            result = session.execute(
                update(EngineWorkflow)
                .where(*live, EngineWorkflow.lease_expires_at < now)
                .values(lease_owner=owner, lease_expires_at=now + lease)
            )
            return Claim.TAKEN_OVER if result.rowcount else Claim.MISSED  # type: ignore[attr-defined]

    def load(self, row_id: int) -> ClaimedExecution | None:
        with self.db.read() as session:
            row = session.get(EngineWorkflow, row_id)
            if row is None:
                return None
            run = QueuedRun(
                execution=identifier_pb2.WorkflowExecutionIdentifier(
                    project=row.execution_project, domain=row.execution_domain, name=row.execution_name
                ),
                spec=execution_pb2.ExecutionSpec.FromString(row.spec),
                workflow=identifier_pb2.Identifier.FromString(row.workflow),
                inputs_uri=row.inputs_uri,
            )
            return ClaimedExecution(run=run, state=row.state, abort_requested=bool(row.abort_requested))

    def identity_and_state(self, row_id: int) -> tuple[identifier_pb2.WorkflowExecutionIdentifier, bytes]:
        """The execution a row runs and its state, read without parsing what it runs (which may be what fails)."""
        with self.db.read() as session:
            project, domain, name, state = session.execute(
                select(
                    EngineWorkflow.execution_project,
                    EngineWorkflow.execution_domain,
                    EngineWorkflow.execution_name,
                    EngineWorkflow.state,
                ).where(EngineWorkflow.execution_id == row_id)
            ).one()
        return identifier_pb2.WorkflowExecutionIdentifier(project=project, domain=domain, name=name), state

    def release(self, row_id: int, owner: str, next_at: datetime) -> None:
        """Gives up the lease without a new state; the execution is due again at `next_at`."""
        with self.db.transaction() as session:
            session.execute(
                update(EngineWorkflow)
                .where(
                    EngineWorkflow.execution_id == row_id,
                    or_(EngineWorkflow.lease_owner == owner, EngineWorkflow.lease_owner == ""),
                )
                .values(next_evaluation_at=next_at, lease_owner="", lease_expires_at=None)
            )

    def finish(self, row_id: int, owner: str) -> None:
        """Takes the execution out of the queue for good (it ended without a round that could say so)."""
        with self.db.transaction() as session:
            session.execute(
                update(EngineWorkflow)
                .where(
                    EngineWorkflow.execution_id == row_id,
                    or_(EngineWorkflow.lease_owner == owner, EngineWorkflow.lease_owner == ""),
                )
                .values(done=True, lease_owner="", lease_expires_at=None)
            )

    def save(self, row_id: int, owner: str, state: bytes, *, done: bool, next_at: datetime) -> None:
        """Stores a round's state and releases the lease; a worker that lost its lease writes nothing."""
        with self.db.transaction() as session:
            session.execute(
                update(EngineWorkflow)
                .where(EngineWorkflow.execution_id == row_id, EngineWorkflow.lease_owner == owner)
                .values(
                    state=state,
                    revision=EngineWorkflow.revision + 1,
                    done=done,
                    next_evaluation_at=next_at,
                    lease_owner="",
                    lease_expires_at=None,
                )
            )
