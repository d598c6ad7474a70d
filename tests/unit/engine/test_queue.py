"""The engine's queue table: what CreateExecution enqueues is what an engine loads; an execution stays with the
engine that holds it while that engine's heartbeat is fresh; an engine that lost it writes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flyteidl.admin import execution_pb2
from flyteidl.core import identifier_pb2

from flyteplane.engine.ports import QueuedRun
from flyteplane.engine.queue import ExecutionQueue
from flyteplane.store.db import Database, migrate
from flyteplane.store.models import Execution, Workflow

NOW = datetime(2026, 1, 1, 12, 0, 0)
LEASE = timedelta(seconds=20)


@pytest.fixture
def queue(tmp_path: Path) -> Iterator[ExecutionQueue]:
    database = Database(f"sqlite:///{tmp_path / 'queue.db'}")
    migrate(database.engine)
    yield ExecutionQueue(database)
    database.close()


def run(name: str) -> QueuedRun:
    return QueuedRun(
        execution=identifier_pb2.WorkflowExecutionIdentifier(project="p", domain="d", name=name),
        spec=execution_pb2.ExecutionSpec(max_parallelism=3),
        workflow=identifier_pb2.Identifier(resource_type=identifier_pb2.WORKFLOW, project="p", domain="d", name="wf"),
        inputs_uri=f"blob://{name}/inputs.pb",
    )


def add_execution(queue: ExecutionQueue, name: str, at: datetime = NOW) -> int:
    """Records an execution and its queue entry in one transaction, as the launcher does."""
    with queue.db.transaction() as session:
        workflow = session.query(Workflow).first()
        if workflow is None:
            workflow = Workflow(
                project="p", domain="d", name="wf", version="v", typed_interface=b"", closure=b"", digest="x"
            )
            session.add(workflow)
            session.flush()
        row = Execution(
            execution_project="p",
            execution_domain="d",
            execution_name=name,
            workflow_id=workflow.id,
            spec=b"",
            closure=b"",
            execution_created_at=at,
            execution_updated_at=at,
        )
        session.add(row)
        session.flush()
        queue.enqueue(session, row.id, run(name), at)
        return row.id


def test_a_worker_loads_what_was_enqueued(queue: ExecutionQueue) -> None:
    row = add_execution(queue, "e1")
    assert queue.find(run("e1").execution) == row
    claimed = queue.load(row)
    assert claimed is not None
    assert claimed.run == run("e1")
    assert (claimed.state, claimed.abort_requested) == (b"", False)


def due(queue: ExecutionQueue, at: datetime, owner: str = "w") -> list[int]:
    return [row for row, _ in queue.due(at, 10, owner, LEASE)]


def test_depth_counts_live_and_due_executions(queue: ExecutionQueue) -> None:
    assert queue.depth(NOW) == {"live": 0, "due": 0}
    add_execution(queue, "now", at=NOW)
    later = add_execution(queue, "later", at=NOW + timedelta(minutes=1))
    done = add_execution(queue, "done", at=NOW)
    assert queue.claim(done, "w", NOW, LEASE)
    queue.save(done, "w", b"", done=True, next_at=NOW)
    assert queue.depth(NOW) == {"live": 2, "due": 1}
    assert queue.claim(later, "w", NOW, LEASE)
    queue.save(later, "w", b"", done=False, next_at=NOW)
    assert queue.depth(NOW) == {"live": 2, "due": 2}


def test_an_execution_stays_with_a_live_engine_and_goes_to_another_when_it_dies(queue: ExecutionQueue) -> None:
    row = add_execution(queue, "e1")
    queue.heartbeat("engine-a", NOW)
    assert queue.claim(row, "engine-a", NOW, LEASE)
    queue.save(row, "engine-a", b"round 1", done=False, next_at=NOW)
    assert queue.claim(row, "engine-a", NOW, LEASE), "its holder claims it again for each round"
    queue.heartbeat("engine-a", NOW + LEASE)
    at = NOW + LEASE * 3 / 2  # older than a lease since the first beat, not since the second
    assert not queue.claim(row, "engine-b", at, LEASE)
    assert due(queue, at, "engine-b") == [], "another live engine's execution is not handed out"
    assert queue.due(at, 10, "engine-a", LEASE) == [(row, "engine-a")], "its own is"
    later = NOW + LEASE * 5 / 2
    assert queue.due(later, 10, "engine-b", LEASE) == [(row, "engine-a")], "a dead engine's is anyone's"
    queue.heartbeat("engine-b", later)
    assert queue.claim(row, "engine-b", later, LEASE)
    queue.heartbeat("engine-a", later)  # back from a long stall: too late
    assert not queue.claim(row, "engine-a", later, LEASE)


def test_an_engine_that_lost_an_execution_writes_nothing(queue: ExecutionQueue) -> None:
    row = add_execution(queue, "e1")
    assert queue.claim(row, "engine-a", NOW, LEASE)  # engine-a never beat: dead to the others
    queue.heartbeat("engine-b", NOW)
    assert queue.claim(row, "engine-b", NOW, LEASE)
    queue.save(row, "engine-a", b"stale", done=False, next_at=NOW)
    claimed = queue.load(row)
    assert claimed is not None and claimed.state == b""
    queue.save(row, "engine-b", b"fresh", done=False, next_at=NOW)
    claimed = queue.load(row)
    assert claimed is not None and claimed.state == b"fresh"
    assert not queue.claim(row, "engine-c", NOW, LEASE), "saving keeps the execution with its engine"
    queue.save(row, "engine-b", b"done", done=True, next_at=NOW)
    assert not queue.claim(row, "engine-c", NOW, LEASE), "a done execution is nobody's to claim"


def test_due_executions_come_longest_waiting_first_and_done_ones_never(queue: ExecutionQueue) -> None:
    late = add_execution(queue, "late", at=NOW)
    early = add_execution(queue, "early", at=NOW - timedelta(minutes=1))
    future = add_execution(queue, "future", at=NOW + timedelta(minutes=1))
    assert due(queue, NOW) == [early, late]
    assert queue.claim(early, "w", NOW, LEASE)
    queue.save(early, "w", b"{}", done=True, next_at=NOW)
    assert due(queue, NOW + timedelta(minutes=2)) == [late, future]
    assert [row for row, _ in queue.live_states()] == [late, future]


def test_an_abort_request_makes_the_execution_due_at_once(queue: ExecutionQueue) -> None:
    row = add_execution(queue, "e1", at=NOW + timedelta(hours=1))
    with queue.db.transaction() as session:
        queue.request_abort(session, row, NOW)
    assert due(queue, NOW) == [row]
    claimed = queue.load(row)
    assert claimed is not None and claimed.abort_requested


def test_void_leases_frees_what_a_crashed_process_held(queue: ExecutionQueue) -> None:
    row = add_execution(queue, "e1")
    queue.heartbeat("crashed", NOW)
    assert queue.claim(row, "crashed", NOW, LEASE)
    assert due(queue, NOW, "restarted") == []
    queue.void_leases()
    assert due(queue, NOW, "restarted") == [row]
