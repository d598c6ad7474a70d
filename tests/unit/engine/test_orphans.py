"""A restarted engine terminates the task attempts no live execution wants — but only after a grace period, so
that an attempt submitted just before a crash (before its round's state was saved) is adopted by the next round
of its execution instead of being killed and retried."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.unit.engine.harness import HandFinishedExecutor, NoChildren, NoSignals, RecordedEvents

from flyteplane.blobs.store import BlobStore
from flyteplane.engine.engine import ORPHAN_GRACE, SCAN_INTERVAL, Engine, EnginePorts
from flyteplane.engine.executors.base import AttemptPhase
from flyteplane.store.db import Database, migrate


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
    store = BlobStore(str(tmp_path / "blobs"))
    executor = HandFinishedExecutor(store)
    executor.phases["left-behind-1"] = AttemptPhase.RUNNING
    clock = Clock()
    ports = EnginePorts(events=RecordedEvents(), signals=NoSignals(), children=NoChildren(), workflows=NoWorkflows())  # type: ignore[arg-type]
    engine = Engine(db, store, executor, ports, public_url="http://localhost", workers=1, clock=clock)  # type: ignore[arg-type]
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


def test_attempts_submitted_since_the_start_are_never_taken_for_orphans(db: Database, tmp_path: Path) -> None:
    """A round that has submitted attempts but not yet saved its state must not lose them to the reconciliation."""
    store = BlobStore(str(tmp_path / "blobs"))
    executor = HandFinishedExecutor(store)
    executor.phases["left-behind-1"] = AttemptPhase.RUNNING
    clock = Clock()
    ports = EnginePorts(events=RecordedEvents(), signals=NoSignals(), children=NoChildren(), workflows=NoWorkflows())  # type: ignore[arg-type]
    engine = Engine(db, store, executor, ports, public_url="http://localhost", workers=1, clock=clock)  # type: ignore[arg-type]
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
