"""The engine's threads: a wake-up evaluates an execution at once (not at its next scheduled look), and a
restarted engine terminates the task attempts no live execution wants — but only after a grace period, so that
an attempt submitted just before a crash (before its round's state was saved) is adopted by the next round of its
execution instead of being killed and retried."""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flyteidl.admin import execution_pb2
from flyteidl.core import execution_pb2 as execution_pb2_core
from flyteidl.core import identifier_pb2
from tests.unit.engine.harness import HandFinishedExecutor, NoChildren, NoSignals, RecordedEvents

from flyteplane.blobs.store import BlobStore
from flyteplane.engine.engine import MAX_EVALUATION_FAILURES, ORPHAN_GRACE, SCAN_INTERVAL, Engine, EnginePorts
from flyteplane.engine.events import WorkflowPhase
from flyteplane.engine.executors.base import AttemptPhase
from flyteplane.engine.ports import QueuedRun
from flyteplane.engine.queue import ExecutionQueue
from flyteplane.observability.logs import ExecutionFilter, JsonFormatter
from flyteplane.store.db import Database, migrate
from flyteplane.store.models import Execution, Workflow


class NoWorkflows:
    """No execution is queued here, so the engine never asks for a workflow."""

    def get_workflow(self, request: object) -> object:
        raise AssertionError(f"unexpected GetWorkflow {request}")


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'flyteplane.db'}")
    migrate(database.engine)
    yield database
    database.close()


def test_attempts_no_execution_wants_are_terminated_after_the_grace_period(db: Database, tmp_path: Path) -> None:
    blobs = BlobStore(str(tmp_path / "blobs"))
    executor = HandFinishedExecutor(blobs)
    executor.phases["left-behind-1"] = AttemptPhase.RUNNING
    clock = Clock()
    ports = EnginePorts(events=RecordedEvents(), signals=NoSignals(), children=NoChildren(), workflows=NoWorkflows())  # type: ignore[arg-type]
    engine = Engine(db, blobs, executor, ports, public_url="http://localhost", workers=1, clock=clock)  # type: ignore[arg-type]
    engine.start()
    try:
        time.sleep(3 * SCAN_INTERVAL)
        assert executor.terminated == [], "not at start: a live execution's next round may still claim it"
        clock.now += ORPHAN_GRACE
        deadline = time.monotonic() + 10 * SCAN_INTERVAL
        while not executor.terminated and time.monotonic() < deadline:
            time.sleep(0.05)
        assert executor.terminated == ["left-behind-1"]
        time.sleep(3 * SCAN_INTERVAL)
        assert executor.terminated == ["left-behind-1"], "once"
    finally:
        engine.stop()


def test_a_wakeup_evaluates_the_execution_now_not_at_its_next_look(db: Database, tmp_path: Path) -> None:
    """With the clock frozen the scan never finds the execution due again; only the wake-up (a set signal, a
    terminate, a finished child) can bring it back."""
    blobs = BlobStore(str(tmp_path / "blobs"))
    clock = Clock()
    ports = EnginePorts(events=RecordedEvents(), signals=NoSignals(), children=NoChildren(), workflows=NoWorkflows())  # type: ignore[arg-type]
    engine = Engine(
        db, blobs, HandFinishedExecutor(blobs), ports, public_url="http://localhost", workers=1, clock=clock
    )  # type: ignore[arg-type]
    execution = identifier_pb2.WorkflowExecutionIdentifier(project="p", domain="d", name="waiting")
    row = queued_execution(
        db, execution, due=datetime.fromtimestamp(clock.now, UTC).replace(tzinfo=None) + timedelta(hours=1)
    )
    evaluated: list[int] = []
    engine.evaluate = evaluated.append  # type: ignore[method-assign]
    engine.start()
    try:
        time.sleep(3 * SCAN_INTERVAL)
        assert evaluated == [], "not due: the scan leaves it alone"
        engine.wake(execution)
        deadline = time.monotonic() + 30
        while not evaluated and time.monotonic() < deadline:
            time.sleep(0.01)
        assert evaluated == [row]
    finally:
        engine.stop()


def queued_execution(db: Database, execution: identifier_pb2.WorkflowExecutionIdentifier, due: datetime) -> int:
    """An execution and its queue entry, as CreateExecution records them."""
    with db.transaction() as session:
        workflow = Workflow(
            project="p", domain="d", name="wf", version="v", typed_interface=b"", closure=b"", digest="x"
        )
        session.add(workflow)
        session.flush()
        row = Execution(
            execution_project=execution.project,
            execution_domain=execution.domain,
            execution_name=execution.name,
            workflow_id=workflow.id,
            spec=b"",
            closure=b"",
            execution_created_at=due,
            execution_updated_at=due,
        )
        session.add(row)
        session.flush()
        run = QueuedRun(
            execution=execution,
            spec=execution_pb2.ExecutionSpec(),
            workflow=identifier_pb2.Identifier(name="wf"),
            inputs_uri="",
        )
        ExecutionQueue(db).enqueue(session, row.id, run, due)
        return row.id


class BrokenWorkflows:
    """GetWorkflow fails every time: an execution the engine can never evaluate."""

    def __init__(self) -> None:
        self.calls = 0

    def get_workflow(self, request: object) -> object:
        self.calls += 1
        raise RuntimeError("the workflow cannot be read")


def test_an_execution_that_can_never_be_evaluated_fails_after_a_few_tries(db: Database, tmp_path: Path) -> None:
    """Not a traceback every few seconds for ever: later and later tries, then FAILED with a system error."""
    blobs = BlobStore(str(tmp_path / "blobs"))
    clock = Clock()
    events = RecordedEvents()
    workflows = BrokenWorkflows()
    ports = EnginePorts(events=events, signals=NoSignals(), children=NoChildren(), workflows=workflows)  # type: ignore[arg-type]
    engine = Engine(db, blobs, HandFinishedExecutor(blobs), ports, public_url="http://localhost", clock=clock)  # type: ignore[arg-type]
    execution = identifier_pb2.WorkflowExecutionIdentifier(project="p", domain="d", name="broken")
    row = queued_execution(db, execution, due=datetime.fromtimestamp(clock.now, UTC).replace(tzinfo=None))
    queue = ExecutionQueue(db)
    for _ in range(MAX_EVALUATION_FAILURES - 1):
        engine.evaluate(row)
        assert events.workflow == []
        now = datetime.fromtimestamp(clock.now, UTC).replace(tzinfo=None)
        assert queue.due(now, 10, engine.owner, engine.lease) == [], "backed off"
        clock.now += 3600
    engine.evaluate(row)
    (failed,) = events.workflow
    assert failed.phase == WorkflowPhase.FAILED
    assert failed.error.kind == execution_pb2_core.ExecutionError.SYSTEM
    assert failed.error.code == "EvaluationFailure"
    assert "RuntimeError: the workflow cannot be read" in failed.error.message
    assert queue.live_ids() == [], "out of the queue"
    engine.evaluate(row)
    assert workflows.calls == MAX_EVALUATION_FAILURES, "never evaluated again"


class Counted:
    """The EngineCounters port, remembering what it was told."""

    def __init__(self) -> None:
        self.attempts = 0
        self.takeovers = 0

    def attempt_started(self, count: int = 1) -> None:
        self.attempts += count

    def lease_taken_over(self) -> None:
        self.takeovers += 1


def test_a_rounds_log_lines_name_its_execution(db: Database, tmp_path: Path) -> None:
    blobs = BlobStore(str(tmp_path / "blobs"))
    clock = Clock()
    ports = EnginePorts(
        events=RecordedEvents(), signals=NoSignals(), children=NoChildren(), workflows=BrokenWorkflows()
    )  # type: ignore[arg-type]
    engine = Engine(db, blobs, HandFinishedExecutor(blobs), ports, public_url="http://localhost", clock=clock)  # type: ignore[arg-type]
    execution = identifier_pb2.WorkflowExecutionIdentifier(project="p", domain="d", name="logged")
    row = queued_execution(db, execution, due=datetime.fromtimestamp(clock.now, UTC).replace(tzinfo=None))
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ExecutionFilter())
    handler.setFormatter(JsonFormatter())
    engine_log = logging.getLogger("flyteplane.engine")
    engine_log.addHandler(handler)
    try:
        engine.evaluate(row)  # the round raises: the workflow cannot be read
    finally:
        engine_log.removeHandler(handler)
    (line,) = [json.loads(text) for text in stream.getvalue().splitlines()]
    assert line["message"] == f"evaluating execution {row} failed (1 in a row); next try in 2s"
    assert line["execution_id"] == "p:d:logged"
    assert "the workflow cannot be read" in line["exception"]


def test_taking_over_a_dead_engines_execution_is_counted(db: Database, tmp_path: Path) -> None:
    blobs = BlobStore(str(tmp_path / "blobs"))
    counted = Counted()
    ports = EnginePorts(
        events=RecordedEvents(), signals=NoSignals(), children=NoChildren(), workflows=BrokenWorkflows()
    )  # type: ignore[arg-type]
    now = datetime.now(UTC).replace(tzinfo=None)
    row = queued_execution(db, identifier_pb2.WorkflowExecutionIdentifier(project="p", domain="d", name="t"), now)
    queue = ExecutionQueue(db)
    long_ago = now - timedelta(hours=1)
    queue.heartbeat("a-dead-engine", long_ago)
    assert queue.claim(row, "a-dead-engine", long_ago, timedelta(seconds=20))
    engine = Engine(
        db, blobs, HandFinishedExecutor(blobs), ports, public_url="http://localhost", exclusive=False, counters=counted
    )  # type: ignore[arg-type]
    engine.start()
    try:
        deadline = time.monotonic() + 60
        while counted.takeovers == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        engine.stop()
    assert counted.takeovers >= 1
    assert engine.takeovers == counted.takeovers
    assert counted.attempts == 0


def test_orphans_wait_until_every_execution_live_at_start_was_evaluated_again(db: Database, tmp_path: Path) -> None:
    """After a crash with a backlog, an attempt submitted just before the crash (not yet in the saved state) is
    adopted by its execution's next round, however late that round comes: no reaping before it."""
    blobs = BlobStore(str(tmp_path / "blobs"))
    executor = HandFinishedExecutor(blobs)
    executor.phases["submitted-before-the-crash"] = AttemptPhase.RUNNING
    clock = Clock()
    ports = EnginePorts(events=RecordedEvents(), signals=NoSignals(), children=NoChildren(), workflows=NoWorkflows())  # type: ignore[arg-type]
    engine = Engine(db, blobs, executor, ports, public_url="http://localhost", workers=1, clock=clock)  # type: ignore[arg-type]
    execution = identifier_pb2.WorkflowExecutionIdentifier(project="p", domain="d", name="backlogged")
    in_an_hour = datetime.fromtimestamp(clock.now, UTC).replace(tzinfo=None) + timedelta(hours=1)
    row = queued_execution(db, execution, due=in_an_hour)  # the backlog: its round has not come yet
    engine.start()
    try:
        clock.now += ORPHAN_GRACE
        time.sleep(4 * SCAN_INTERVAL)
        assert executor.terminated == [], "its execution has not been evaluated since the restart"
        ExecutionQueue(db).finish(row, "")  # evaluated and done (here: taken out of the queue)
        deadline = time.monotonic() + 30
        while not executor.terminated and time.monotonic() < deadline:
            time.sleep(0.05)
        assert executor.terminated == ["submitted-before-the-crash"]
    finally:
        engine.stop()


def test_attempts_submitted_since_the_start_are_never_taken_for_orphans(db: Database, tmp_path: Path) -> None:
    """A round that has submitted attempts but not yet saved its state must not lose them to the reconciliation."""
    blobs = BlobStore(str(tmp_path / "blobs"))
    executor = HandFinishedExecutor(blobs)
    executor.phases["left-behind-1"] = AttemptPhase.RUNNING
    clock = Clock()
    ports = EnginePorts(events=RecordedEvents(), signals=NoSignals(), children=NoChildren(), workflows=NoWorkflows())  # type: ignore[arg-type]
    engine = Engine(db, blobs, executor, ports, public_url="http://localhost", workers=1, clock=clock)  # type: ignore[arg-type]
    engine.start()
    try:
        executor.phases["submitted-mid-round-1"] = AttemptPhase.RUNNING  # in no saved state yet
        clock.now += ORPHAN_GRACE
        deadline = time.monotonic() + 10 * SCAN_INTERVAL
        while not executor.terminated and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(2 * SCAN_INTERVAL)
        assert executor.terminated == ["left-behind-1"]
    finally:
        engine.stop()
