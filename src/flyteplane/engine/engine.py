"""The engine's threads: find executions that are due, evaluate each under a lease, persist the state.

State lives in `engine_workflows` (engine/queue.py). An engine holds each execution it evaluates until the
execution ends, for as long as its heartbeat stays younger than the lease: with several engines on one database,
an execution stays with the engine whose executor runs its attempts, and one that dies hands its executions to the
others a lease later. An engine that stops keeps them: restarted with the same owner id (server/engine_seat.py),
it carries on and adopts its attempts; a server killed at any moment restarts, re-reads the state and carries on;
events already recorded are re-sent harmlessly (the admin side answers ALREADY_EXISTS).
"""

from __future__ import annotations

import heapq
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flyteidl.admin import common_pb2
from flyteidl.admin import execution_pb2 as admin_execution_pb2
from flyteidl.core import compiler_pb2, identifier_pb2
from flyteidl.core import execution_pb2 as core_execution_pb2

from flyteplane.blobs.store import BlobStore
from flyteplane.engine.cache import TaskCache
from flyteplane.engine.context import Execution, RoundContext
from flyteplane.engine.events import Emitter, WorkflowPhase
from flyteplane.engine.executors.base import Executor
from flyteplane.engine.ports import (
    ChildExecutions,
    EngineCounters,
    EventSink,
    NoCounters,
    PreviousRuns,
    Signals,
    Workflows,
)
from flyteplane.engine.queue import ExecutionQueue
from flyteplane.engine.round import run_round
from flyteplane.engine.runner import Runner
from flyteplane.engine.state import WorkflowState
from flyteplane.observability.logs import execution_context
from flyteplane.store.db import Database

__all__ = ["MAX_EVALUATION_FAILURES", "ORPHAN_GRACE", "SCAN_INTERVAL", "Engine", "EnginePorts"]

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=20)  # an engine whose heartbeat is older than this has died: its executions are anyone's
HEARTBEATS_PER_LEASE = 4  # an engine says it is alive this often per lease, so one late beat loses nothing
IDLE_RECHECK = 5.0  # seconds: a look at every live execution at least this often
SCAN_INTERVAL = 0.5
DEFAULT_MAX_PARALLELISM = 25
ORPHAN_GRACE = 15.0  # seconds after start before unwanted attempts are terminated (see reconcile_orphans)
MAX_EVALUATION_FAILURES = 5  # evaluations in a row that raise before the execution is failed
FAILURE_BACKOFF_MAX = 60.0  # seconds: the longest wait before evaluating a failing execution again
CLOSURE_CACHE = 256  # compiled workflows kept parsed; registered workflows never change
PACING_FROM = 0.05  # seconds: an execution whose round took longer, and started no task attempt, rests twice as
# long before its next one ...
PACING_CAP = 1.0  # ... up to this long, so one big fan-out never keeps a worker (and a core) busy all the time


def _utc(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC).replace(tzinfo=None)


def _recovering_from(spec: admin_execution_pb2.ExecutionSpec) -> identifier_pb2.WorkflowExecutionIdentifier | None:
    metadata = spec.metadata
    if metadata.mode == admin_execution_pb2.ExecutionMetadata.RECOVERED and metadata.reference_execution.name:
        return metadata.reference_execution
    return None


@dataclass
class EnginePorts:
    events: EventSink
    signals: Signals
    children: ChildExecutions
    workflows: Workflows
    previous: PreviousRuns | None = None  # without it, a recovered execution runs every node again


class Engine:
    def __init__(
        self,
        db: Database,
        blobs: BlobStore,
        executor: Executor,
        ports: EnginePorts,
        *,
        public_url: str,
        workers: int = 4,
        exclusive: bool = True,
        owner: str | None = None,
        lease: timedelta = LEASE,
        clock: Callable[[], float] = time.time,
        counters: EngineCounters | None = None,
    ) -> None:
        self.queue = ExecutionQueue(db)
        self.blobs = blobs
        self.executor = executor
        self.ports = ports
        self.public_url = public_url
        self.clock = clock
        self.counters = counters or NoCounters()
        self.owner = owner or uuid.uuid4().hex[:16]  # stable across restarts when given (see server/engine_seat.py)
        self.exclusive = exclusive  # the only engine on this database: every lease left by a crash is void at start
        self.lease = lease
        self.takeovers = 0  # executions taken over from an engine that died
        self._lapsed: dict[int, str] = {}  # due executions a dead engine held -> that engine, until claimed
        self._beat_at = 0.0
        self.runner = Runner()
        self.cache = TaskCache(db)
        self._workers = workers
        self._queue: list[int] = []
        self._queued: set[int] = set()
        self._busy: set[int] = set()
        self._again: set[int] = set()
        self._resting: list[tuple[float, int]] = []  # (monotonic time it may go again, row id), a heap
        self._rest_until: dict[int, float] = {}
        self._attempts: dict[str, int] = {}  # executor attempt id -> execution row id, to wake on completion
        self._closures: dict[bytes, compiler_pb2.CompiledWorkflowClosure] = {}
        self._lock = threading.Condition()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._reconcile_at = 0.0
        self._unsettled: set[int] = set()  # live at start and not evaluated since: their attempts are not orphans
        self._failures: dict[int, int] = {}  # consecutive failed evaluations per execution
        self._inherited: set[str] = set()
        self._names: dict[int, str] = {}  # row id -> "project:domain:name", for log lines

    # -- lifecycle -----------------------------------------------------------------------------------------

    def start(self) -> None:
        if self.exclusive:
            self.queue.void_leases()
        self._heartbeat()
        self._unsettled = set(self.queue.live_ids())
        self._wanted_attempts()  # so that adopted attempts wake their execution when they end
        self._inherited = set(self.executor.live())  # only these can be a crash's leftovers
        self._reconcile_at = self.clock() + ORPHAN_GRACE
        self._threads = [threading.Thread(target=self._scan_loop, name="engine-scan", daemon=True)]
        self._threads += [
            threading.Thread(target=self._work_loop, name=f"engine-{i}", daemon=True) for i in range(self._workers)
        ]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stopping.set()
        with self._lock:
            self._lock.notify_all()
        for thread in self._threads:
            thread.join(timeout=10)

    def wake(self, execution: identifier_pb2.WorkflowExecutionIdentifier) -> None:
        """Look at this execution now (it was created, terminated, or a signal it waits for was set)."""
        row_id = self.queue.find(execution)
        if row_id is not None:
            self._enqueue(row_id)

    def attempt_changed(self, attempt_id: str) -> None:
        """The executor's callback: an attempt started or ended."""
        row_id = self._attempts.get(attempt_id)
        if row_id is not None:
            self._enqueue(row_id)

    def reconcile_orphans(self) -> None:
        """Terminates attempts the executor still runs that no live execution wants (a crash's leftovers).

        Runs only once every execution live at start has been evaluated again (and not before a grace period): a
        crash between submitting an attempt and saving the round's state leaves an attempt the saved state does
        not name yet; the execution's next round submits the same (stable) attempt id again and adopts it, which
        it could not do had it been killed. With a backlog after a restart that round may come late."""
        wanted = self._wanted_attempts()
        for attempt in self.executor.live():
            # An attempt submitted since the start is no leftover, even if its round's state is not saved yet.
            if attempt in self._inherited and attempt not in wanted:
                log.warning("terminating orphaned task attempt %s", attempt)
                self.executor.terminate(attempt)

    def _settled(self) -> bool:
        """Every execution live at start has been evaluated since, or is no longer live."""
        if self._unsettled:
            self._unsettled &= set(self.queue.live_ids())
        return not self._unsettled

    def _wanted_attempts(self) -> set[str]:
        """The attempts named in the saved state of live executions (remembered, to wake them on change)."""
        wanted: set[str] = set()
        for row_id, document in self.queue.live_states():
            for attempt in WorkflowState.from_bytes(document).attempt_ids():
                wanted.add(attempt)
                self._attempts[attempt] = row_id
        return wanted

    # -- scheduling ----------------------------------------------------------------------------------------

    def _enqueue(self, row_id: int) -> None:
        with self._lock:
            if row_id in self._busy:
                self._again.add(row_id)
            elif row_id not in self._queued:
                self._queued.add(row_id)
                rest_until = self._rest_until.get(row_id, 0.0)
                if rest_until > time.monotonic():
                    heapq.heappush(self._resting, (rest_until, row_id))
                else:
                    self._queue.append(row_id)
                self._lock.notify()

    def _wake_rested(self) -> float | None:
        """Under the lock: queues executions whose rest is over; seconds until the next one's is (None: none)."""
        now = time.monotonic()
        while self._resting and self._resting[0][0] <= now:
            self._queue.append(heapq.heappop(self._resting)[1])
        return self._resting[0][0] - now if self._resting else None

    def _scan_loop(self) -> None:
        while not self._stopping.is_set():
            if self._reconcile_at and self.clock() >= self._reconcile_at and self._settled():
                self._reconcile_at = 0.0
                try:
                    self.reconcile_orphans()
                except Exception:
                    log.exception("reconciling orphaned task attempts failed")
            try:
                if self.clock() >= self._beat_at + self.lease.total_seconds() / HEARTBEATS_PER_LEASE:
                    self._heartbeat()
                for row_id, holder in self.queue.due(_utc(self.clock()), 256, self.owner, self.lease):
                    if holder not in ("", self.owner):
                        self._lapsed[row_id] = holder  # counted once the claim succeeds
                    self._enqueue(row_id)
            except Exception:
                log.exception("engine scan failed")
            self._stopping.wait(SCAN_INTERVAL)

    def _heartbeat(self) -> None:
        self._beat_at = self.clock()
        self.queue.heartbeat(self.owner, _utc(self._beat_at), host=socket.gethostname(), pid=os.getpid())

    def _work_loop(self) -> None:
        while not self._stopping.is_set():
            with self._lock:
                while not self._stopping.is_set():
                    next_rested = self._wake_rested()
                    if self._queue:
                        break
                    self._lock.wait(min(1.0, next_rested) if next_rested is not None else 1.0)
                if self._stopping.is_set():
                    return
                row_id = self._queue.pop(0)
                self._queued.discard(row_id)
                self._busy.add(row_id)
            started = time.monotonic()
            submitted = False
            try:
                submitted = self.evaluate(row_id)
            finally:
                took = time.monotonic() - started
                with self._lock:
                    if took > PACING_FROM and not submitted:  # a round that started work may have more to start
                        if len(self._rest_until) > 1024:  # forget rests long over (of executions that ended)
                            now = time.monotonic()
                            self._rest_until = {k: v for k, v in self._rest_until.items() if v > now}
                        self._rest_until[row_id] = time.monotonic() + min(2 * took, PACING_CAP)
                    else:
                        self._rest_until.pop(row_id, None)
                    self._busy.discard(row_id)
                    again = row_id in self._again
                    self._again.discard(row_id)
                if again:
                    self._enqueue(row_id)

    # -- one evaluation ------------------------------------------------------------------------------------

    def _load(self, row_id: int) -> tuple[Execution, WorkflowState, bool] | None:
        claimed = self.queue.load(row_id)
        if claimed is None:
            return None
        run = claimed.run
        spec = run.spec
        execution = Execution(
            id=run.execution,
            spec=spec,
            closure=self._closure(run.workflow),
            inputs_uri=run.inputs_uri,
            raw_output_prefix=spec.raw_output_data_config.output_location_prefix or self.blobs.native_url("raw"),
            max_parallelism=spec.max_parallelism or DEFAULT_MAX_PARALLELISM,
            nesting=spec.metadata.nesting,
            recovering_from=_recovering_from(spec),
        )
        return execution, WorkflowState.from_bytes(claimed.state), claimed.abort_requested

    def _closure(self, workflow: identifier_pb2.Identifier) -> compiler_pb2.CompiledWorkflowClosure:
        """The compiled workflow, read once per version (registered versions never change)."""
        key = workflow.SerializeToString(deterministic=True)
        closure = self._closures.get(key)
        if closure is None:
            found = self.ports.workflows.get_workflow(common_pb2.ObjectGetRequest(id=workflow))
            closure = found.closure.compiled_workflow
            if len(self._closures) >= CLOSURE_CACHE:
                self._closures.pop(next(iter(self._closures)))
            self._closures[key] = closure
        return closure

    def evaluate(self, row_id: int) -> bool:
        """One round of one execution under its lease; True if it started task attempts (work it may have to
        follow up soon). An execution whose rounds keep raising is looked at again later and later, and failed
        once they have raised MAX_EVALUATION_FAILURES times in a row. Every log line of the round names the
        execution (see observability/logs.py)."""
        with execution_context(self._name(row_id)):
            return self._evaluate(row_id)

    def _evaluate(self, row_id: int) -> bool:
        lapsed = self._lapsed.pop(row_id, None)
        if not self.queue.claim(row_id, self.owner, _utc(self.clock()), self.lease):
            self._unsettled.discard(row_id)  # done, or another engine holds it: not ours to wait for
            return False
        if lapsed is not None:
            self.takeovers += 1
            self.counters.lease_taken_over()
            log.warning("engine %s has not been heard of for %s; taking the execution over", lapsed, self.lease)
        try:
            started = self._evaluate_claimed(row_id)
        except Exception as exc:
            self._evaluation_failed(row_id, exc)
            return False
        self._failures.pop(row_id, None)
        self._unsettled.discard(row_id)
        return started

    def _name(self, row_id: int) -> str:
        """The execution's "project:domain:name" for log lines, read once per execution ("" if it cannot be)."""
        name = self._names.get(row_id)
        if name is None:
            try:
                name = self.queue.name_of(row_id)
            except Exception:
                return ""
            if len(self._names) >= 4096:  # those of ended executions are dropped at their end; this is a backstop
                self._names.clear()
            self._names[row_id] = name
        return name

    def _evaluate_claimed(self, row_id: int) -> bool:
        loaded = self._load(row_id)
        if loaded is None:
            return False
        execution, state, abort_requested = loaded
        ctx = RoundContext(
            execution=execution,
            state=state,
            blobs=self.blobs,
            executor=self.executor,
            emit=Emitter(self.ports.events, execution.id),
            signals=self.ports.signals,
            children=self.ports.children,
            public_url=self.public_url,
            cache=self.cache,
            clock=self.clock,
            previous=self.ports.previous,
        )
        done = False
        started = False
        try:
            done = run_round(self.runner, ctx, abort_requested=abort_requested)
        finally:
            started = self._remember_attempts(row_id, state, done=done)
            self._save(row_id, ctx, done=done)
        return started

    def _evaluation_failed(self, row_id: int, exc: Exception) -> None:
        failures = self._failures[row_id] = self._failures.get(row_id, 0) + 1
        if failures < MAX_EVALUATION_FAILURES:
            delay = min(FAILURE_BACKOFF_MAX, SCAN_INTERVAL * 4**failures)
            log.exception("evaluating execution %s failed (%d in a row); next try in %.0fs", row_id, failures, delay)
            self.queue.release(row_id, self.owner, _utc(self.clock() + delay))
            return
        log.exception("evaluating execution %s failed %d times in a row; failing it", row_id, failures)
        self._failures.pop(row_id, None)
        self._unsettled.discard(row_id)
        self._fail(
            row_id, f"flyteplane could not evaluate this execution ({failures} tries): {type(exc).__name__}: {exc}"
        )

    def _fail(self, row_id: int, message: str) -> None:
        """Ends an execution the engine cannot evaluate: its attempts are stopped, it is reported FAILED with a
        system error, and it leaves the queue."""
        execution, document = self.queue.identity_and_state(row_id)
        for attempt in WorkflowState.from_bytes(document).attempt_ids():
            self.executor.terminate(attempt)
        error = core_execution_pb2.ExecutionError(
            code="EvaluationFailure", message=message, kind=core_execution_pb2.ExecutionError.SYSTEM
        )
        try:
            Emitter(self.ports.events, execution).workflow(WorkflowPhase.FAILED, self.clock(), error=error)
        except Exception:
            log.exception("reporting the failure of execution %s failed", row_id)
        self._remember_attempts(row_id, WorkflowState(), done=True)
        self.queue.finish(row_id, self.owner)

    def _remember_attempts(self, row_id: int, state: WorkflowState, *, done: bool = False) -> bool:
        """Maps the execution's attempts to it, so a finished attempt wakes it; a finished execution is forgotten.
        True if the state names attempts not seen before."""
        if done:
            for attempt in [key for key, owner in self._attempts.items() if owner == row_id]:
                self._attempts.pop(attempt, None)
            self._names.pop(row_id, None)
            return False
        known = len(self._attempts)
        for attempt in state.attempt_ids():
            self._attempts[attempt] = row_id
        started = len(self._attempts) - known
        if started:
            self.counters.attempt_started(started)
        return started > 0

    def _save(self, row_id: int, ctx: RoundContext, *, done: bool) -> None:
        next_at = ctx.next_check or (self.clock() + IDLE_RECHECK)
        self.queue.save(row_id, self.owner, ctx.state.to_bytes(), done=done, next_at=_utc(next_at))
