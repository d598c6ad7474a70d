"""The engine's queue table, `engine_workflows`: the only module that reads or writes it.

One row per execution: what it runs (written once by CreateExecution through the RunQueue port), the engine's
state document, when it next needs a look, and the engine that holds it. An engine holds an execution from its
first round to its last, for as long as its heartbeat (table `engines`) is younger than the lease: so with several
engines on one database (replicas) each execution is evaluated by one of them at a time, and stays with the one
whose executor runs its task attempts. An engine that stops or dies leaves them to be taken over once its
heartbeat is older than the lease (or to itself, restarted with the same owner id before that).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flyteidl.admin import execution_pb2
from flyteidl.core import identifier_pb2
from sqlalchemy import ColumnElement, delete, func, or_, select, update
from sqlalchemy.orm import Session

from flyteplane.engine.ports import QueuedRun
from flyteplane.store.db import Database
from flyteplane.store.models import EngineHeartbeat, EngineWorkflow, utcnow

__all__ = ["ClaimedExecution", "ExecutionQueue"]


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

    def void_leases(self) -> None:
        """At the start of the only engine on this database: whatever a crashed predecessor held is free."""
        with self.db.transaction() as session:
            session.execute(update(EngineWorkflow).where(EngineWorkflow.lease_owner != "").values(lease_owner=""))
            session.execute(delete(EngineHeartbeat))

    def heartbeat(self, owner: str, now: datetime, *, host: str = "", pid: int = 0) -> None:
        """The engine `owner` is alive at `now`: the executions it holds stay its own for another lease."""
        with self.db.transaction() as session:
            beat = session.get(EngineHeartbeat, owner)
            if beat is None:
                session.add(EngineHeartbeat(id=owner, host=host, pid=pid, started_at=now, heartbeat_at=now))
            else:
                beat.heartbeat_at = now
                beat.host, beat.pid = host or beat.host, pid or beat.pid

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
        live_rows = select(func.count()).select_from(EngineWorkflow).where(EngineWorkflow.done.is_(False))
        with self.db.read() as session:
            live = session.scalar(live_rows) or 0
            due = session.scalar(live_rows.where(EngineWorkflow.next_evaluation_at <= now)) or 0
        return {"live": live, "due": due}

    def due(self, now: datetime, limit: int, owner: str, lease: timedelta) -> list[tuple[int, str]]:
        """(row, holder) of live executions whose next look is due and that `owner` may hold: its own, nobody's,
        or a dead engine's; the longest waiting first."""
        with self.db.read() as session:
            rows = session.execute(
                select(EngineWorkflow.execution_id, EngineWorkflow.lease_owner)
                .where(
                    EngineWorkflow.done.is_(False),
                    EngineWorkflow.next_evaluation_at <= now,
                    _claimable_by(owner, now, lease),
                )
                .order_by(EngineWorkflow.next_evaluation_at)
                .limit(limit)
            ).all()
        return [(row_id, holder) for row_id, holder in rows]

    def claim(self, row_id: int, owner: str, now: datetime, lease: timedelta) -> bool:
        """Makes `owner` the execution's holder unless another live engine holds it; False when it may not."""
        with self.db.transaction() as session:
            result = session.execute(
                update(EngineWorkflow)
                .where(
                    EngineWorkflow.execution_id == row_id,
                    EngineWorkflow.done.is_(False),
                    _claimable_by(owner, now, lease),
                )
                .values(lease_owner=owner)
                .execution_options(synchronize_session=False)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

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

    def name_of(self, row_id: int) -> str:
        """ "project:domain:name" of the execution a row runs ("" if there is no such row): for log lines."""
        with self.db.read() as session:
            found = session.execute(
                select(
                    EngineWorkflow.execution_project, EngineWorkflow.execution_domain, EngineWorkflow.execution_name
                ).where(EngineWorkflow.execution_id == row_id)
            ).first()
        return ":".join(found) if found is not None else ""

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
        """Keeps the state as it is (a round that failed); the execution is due again at `next_at`."""
        self._update_held(row_id, owner, next_evaluation_at=next_at)

    def finish(self, row_id: int, owner: str) -> None:
        """Takes the execution out of the queue for good (it ended without a round that could say so)."""
        self._update_held(row_id, owner, done=True, lease_owner="")

    def _update_held(self, row_id: int, owner: str, **values: object) -> None:
        """Updates the row if `owner` or nobody holds it."""
        with self.db.transaction() as session:
            session.execute(
                update(EngineWorkflow)
                .where(
                    EngineWorkflow.execution_id == row_id,
                    or_(EngineWorkflow.lease_owner == owner, EngineWorkflow.lease_owner == ""),
                )
                .values(**values)
            )

    def save(self, row_id: int, owner: str, state: bytes, *, done: bool, next_at: datetime) -> None:
        """Stores a round's state; an engine that no longer holds the execution writes nothing. A done execution
        is nobody's."""
        with self.db.transaction() as session:
            session.execute(
                update(EngineWorkflow)
                .where(EngineWorkflow.execution_id == row_id, EngineWorkflow.lease_owner == owner)
                .values(
                    state=state,
                    revision=EngineWorkflow.revision + 1,
                    done=done,
                    next_evaluation_at=next_at,
                    lease_owner="" if done else owner,
                )
            )


def _claimable_by(owner: str, now: datetime, lease: timedelta) -> ColumnElement[bool]:
    """Held by nobody, by `owner`, or by an engine whose heartbeat is older than `lease`."""
    alive = select(EngineHeartbeat.id).where(EngineHeartbeat.heartbeat_at >= now - lease)
    return or_(
        EngineWorkflow.lease_owner == "",
        EngineWorkflow.lease_owner == owner,
        EngineWorkflow.lease_owner.not_in(alive),
    )
