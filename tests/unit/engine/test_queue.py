"""The engine's queue table: what CreateExecution enqueues is what a worker loads; leases keep two workers from
evaluating one execution at once; a worker that lost its lease writes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flyteidl.admin import execution_pb2
from flyteidl.core import identifier_pb2

from flyteplane.engine.ports import QueuedRun
from flyteplane.engine.queue import Claim, ExecutionQueue
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


def test_a_lease_keeps_a_second_worker_out_until_it_lapses(queue: ExecutionQueue) -> None:
    row = add_execution(queue, "e1")
    assert queue.claim(row, "worker-a", NOW, LEASE) is Claim.CLAIMED
    assert queue.claim(row, "worker-a", NOW, LEASE) is Claim.CLAIMED, "the holder may renew"
    assert queue.claim(row, "worker-b", NOW + LEASE / 2, LEASE) is Claim.MISSED
    assert not Claim.MISSED
    assert queue.due(NOW + LEASE / 2, limit=10) == [], "a held execution is not handed out"
    assert queue.claim(row, "worker-b", NOW + LEASE * 2, LEASE) is Claim.TAKEN_OVER, "a lapsed lease is anyone's"
    queue.save(row, "worker-b", b"", done=False, next_at=NOW)
    assert queue.claim(row, "worker-a", NOW + LEASE * 2, LEASE) is Claim.CLAIMED, "a released lease is no takeover"


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


def test_saving_releases_the_lease_and_a_worker_that_lost_it_writes_nothing(queue: ExecutionQueue) -> None:
    row = add_execution(queue, "e1")
    assert queue.claim(row, "worker-a", NOW, LEASE)
    assert queue.claim(row, "worker-b", NOW + LEASE * 2, LEASE)
    queue.save(row, "worker-a", b"stale", done=False, next_at=NOW)
    claimed = queue.load(row)
    assert claimed is not None and claimed.state == b""
    queue.save(row, "worker-b", b"fresh", done=False, next_at=NOW + LEASE * 3)
    claimed = queue.load(row)
    assert claimed is not None and claimed.state == b"fresh"
    assert queue.claim(row, "worker-c", NOW + LEASE * 2, LEASE), "released"


def test_due_executions_come_longest_waiting_first_and_done_ones_never(queue: ExecutionQueue) -> None:
    late = add_execution(queue, "late", at=NOW)
    early = add_execution(queue, "early", at=NOW - timedelta(minutes=1))
    future = add_execution(queue, "future", at=NOW + timedelta(minutes=1))
    assert queue.due(NOW, limit=10) == [early, late]
    assert queue.claim(early, "w", NOW, LEASE)
    queue.save(early, "w", b"{}", done=True, next_at=NOW)
    assert queue.due(NOW + timedelta(minutes=2), limit=10) == [late, future]
    assert [row for row, _ in queue.live_states()] == [late, future]


def test_an_abort_request_makes_the_execution_due_at_once(queue: ExecutionQueue) -> None:
    row = add_execution(queue, "e1", at=NOW + timedelta(hours=1))
    with queue.db.transaction() as session:
        queue.request_abort(session, row, NOW)
    assert queue.due(NOW, limit=10) == [row]
    claimed = queue.load(row)
    assert claimed is not None and claimed.abort_requested


def test_void_leases_frees_what_a_crashed_process_held(queue: ExecutionQueue) -> None:
    row = add_execution(queue, "e1")
    assert queue.claim(row, "crashed", NOW, LEASE)
    queue.void_leases()
    assert queue.due(NOW, limit=10) == [row]
