"""Task nodes: one executor attempt at a time, Flyte's retry rules, the cache, the node's active deadline."""

from __future__ import annotations

from typing import Any

from flyteidl.core import catalog_pb2, execution_pb2, tasks_pb2
from flyteidl.event import event_pb2

from flyteplane.engine.cache import CacheKey, cache_key
from flyteplane.engine.context import RoundContext
from flyteplane.engine.errors import NodeFailure
from flyteplane.engine.events import TaskPhase
from flyteplane.engine.executors.base import AttemptPhase
from flyteplane.engine.nodes import common
from flyteplane.engine.nodes.attempts import CHECK_INTERVAL, build_attempt, is_interruptible, read_outcome, timeout_of
from flyteplane.engine.nodes.dynamic import DynamicHandler
from flyteplane.engine.place import NodePlace
from flyteplane.engine.state import NodeState

__all__ = ["TaskNodeHandler"]

ACTIVE_DEADLINE_FACTOR = 2  # propeller's node active deadline: twice the task's timeout


def _report(
    ctx: RoundContext,
    place: NodePlace,
    st: NodeState,
    task: tasks_pb2.TaskTemplate,
    phase: int,
    **details: Any,
) -> None:
    """The task execution event of the node's current attempt, now."""
    ctx.emit.task(
        place.ref, task.id, task.type, st.attempt, phase, ctx.now, input_uri=common.input_uri(ctx, place), **details
    )


class TaskNodeHandler:
    """Runs a task node. A task that returns futures instead of outputs is dynamic: its node continues, with the
    same state, as the workflow those futures describe (`dynamic`), and aborts it too."""

    def __init__(self, dynamic: DynamicHandler) -> None:
        self.dynamic = dynamic

    def step(self, ctx: RoundContext, place: NodePlace, st: NodeState) -> None:
        task = ctx.execution.task(place.node.task_node.reference_id)
        if st.phase == "NOT_STARTED":
            common.queue(ctx, place, st)
        if st.phase == "QUEUED":
            if (
                task.metadata.discoverable
                and ctx.cache is not None
                and not self._cache_allows_start(ctx, place, st, task)
            ):
                return
            if not ctx.has_slot():
                return
            self._start_attempt(ctx, place, st, task)
            common.running(ctx, place, st)
        if st.dynamic:
            self.dynamic.step(ctx, place, st, task)
            return
        if st.phase == "RUNNING":
            ctx.running_slots += 1
            if self._past_active_deadline(ctx, place, st, task):
                return
            if task.metadata.cache_serializable and ctx.cache is not None and st.task_phase != "SUCCEEDED":
                ctx.cache.reserve(cache_key(task, common.inputs_of(ctx, place)), self._owner(ctx, place))  # heartbeat
            self._poll(ctx, place, st, task)

    def _past_active_deadline(
        self, ctx: RoundContext, place: NodePlace, st: NodeState, task: tasks_pb2.TaskTemplate
    ) -> bool:
        """A node may run for twice its timeout, retries included, counted from when it was queued (propeller's
        active deadline); past it the node ends TIMED_OUT and its running attempt is stopped."""
        timeout = timeout_of(place, task)
        if timeout is None or not st.queued_at or st.dynamic:
            return False
        deadline = ACTIVE_DEADLINE_FACTOR * timeout.total_seconds()
        remaining = st.queued_at + deadline - ctx.now
        if remaining > 0:
            ctx.wants_check_in(remaining)
            return False
        failure = NodeFailure("Timeout", f"Timeout in node: it ran longer than its active deadline of {deadline:g}s")
        if st.attempt_id and st.task_phase not in ("SUCCEEDED", "FAILED", "ABORTED"):
            ctx.executor.terminate(st.attempt_id)
            _report(
                ctx,
                place,
                st,
                task,
                TaskPhase.FAILED,
                error=NodeFailure("TimeoutExpired", failure.message).to_error(),
            )
            st.task_phase = "FAILED"
        common.time_out(ctx, place, st, failure)
        return True

    def _cache_allows_start(
        self, ctx: RoundContext, place: NodePlace, st: NodeState, task: tasks_pb2.TaskTemplate
    ) -> bool:
        """A cache hit finishes the node without running the task; a serialized key held by another run waits."""
        assert ctx.cache is not None
        key = cache_key(task, common.inputs_of(ctx, place))
        if ctx.execution.spec.overwrite_cache:
            st.cache_status = "CACHE_SKIPPED"
        else:
            hit = ctx.cache.get(key)
            if hit is not None:
                output_dir = place.attempt_dir(st.attempt)
                ctx.write_literal_map(f"{output_dir}/outputs.pb", hit)
                st.cache_status = "CACHE_HIT"
                common.succeed(ctx, place, st, output_dir, task_node_metadata=_cache_metadata(st, key, task))
                return False
            st.cache_status = "CACHE_MISS"
        if task.metadata.cache_serializable and not ctx.cache.reserve(key, self._owner(ctx, place)):
            ctx.wants_check_in(1.0)  # another run computes this value; it will be a hit once done
            return False
        return True

    @staticmethod
    def _owner(ctx: RoundContext, place: NodePlace) -> str:
        return f"{ctx.execution.id.project}/{ctx.execution.id.domain}/{ctx.execution.id.name}/{place.unique_id}"

    def _populate_cache(
        self, ctx: RoundContext, place: NodePlace, st: NodeState, task: tasks_pb2.TaskTemplate
    ) -> event_pb2.TaskNodeMetadata | None:
        if not task.metadata.discoverable or ctx.cache is None:
            return None
        key = cache_key(task, common.inputs_of(ctx, place))
        if not task.interface.outputs.variables:
            st.cache_status = "CACHE_DISABLED"
            return _cache_metadata(st, key, task)
        outputs = ctx.read_literal_map(f"{st.output_dir}/outputs.pb")
        try:
            ctx.cache.put(key, outputs, task_version=task.id.version, source=(ctx.execution.id.name, place.unique_id))
            st.cache_status = "CACHE_POPULATED"
        except Exception:  # a cache that cannot be written must not fail the task (Flyte reports PUT_FAILURE)
            st.cache_status = "CACHE_PUT_FAILURE"
        return _cache_metadata(st, key, task)

    def _start_attempt(self, ctx: RoundContext, place: NodePlace, st: NodeState, task: tasks_pb2.TaskTemplate) -> None:
        st.output_dir = place.attempt_dir(st.attempt)
        attempt = build_attempt(
            ctx,
            place,
            task,
            st.attempt,
            output_dir=st.output_dir,
            input_key=place.inputs_key,
            attempt_system_failures=st.system_failures,
        )
        st.attempt_id = attempt.attempt_id
        st.attempt_started_at = ctx.now
        st.task_phase = "QUEUED"
        ctx.executor.submit(attempt)
        _report(
            ctx,
            place,
            st,
            task,
            TaskPhase.QUEUED,
            generated_name=attempt.attempt_id,
            interruptible=attempt.interruptible,
        )

    def _poll(self, ctx: RoundContext, place: NodePlace, st: NodeState, task: tasks_pb2.TaskTemplate) -> None:
        status = ctx.executor.status(st.attempt_id)
        interruptible = is_interruptible(ctx, place, st.system_failures)
        if not status.phase.terminal:
            if status.phase == AttemptPhase.RUNNING and st.task_phase != "RUNNING":
                st.task_phase = "RUNNING"
                _report(
                    ctx,
                    place,
                    st,
                    task,
                    TaskPhase.RUNNING,
                    phase_version=0,
                    logs=status.logs,
                    interruptible=interruptible,
                )
            ctx.wants_check_in(CHECK_INTERVAL)
            return
        outcome, failure = read_outcome(ctx, task, status, st.output_dir)
        ctx.executor.release(st.attempt_id)
        if outcome == "outputs":
            outputs_key = f"{st.output_dir}/outputs.pb"
            output_uri = ctx.blobs.native_url(outputs_key) if ctx.blobs.exists(outputs_key) else ""
            _report(
                ctx,
                place,
                st,
                task,
                TaskPhase.SUCCEEDED,
                output_uri=output_uri,
                logs=status.logs,
                interruptible=interruptible,
            )
            st.task_phase = "SUCCEEDED"
            common.succeed(ctx, place, st, st.output_dir, task_node_metadata=self._populate_cache(ctx, place, st, task))
            return
        if outcome == "futures":
            _report(
                ctx,
                place,
                st,
                task,
                TaskPhase.SUCCEEDED,
                logs=status.logs,
                interruptible=interruptible,
            )
            st.task_phase = "SUCCEEDED"
            st.dynamic = True
            self.dynamic.step(ctx, place, st, task)
            return
        assert failure is not None
        _report(
            ctx,
            place,
            st,
            task,
            TaskPhase.FAILED,
            error=failure.to_error(),
            logs=status.logs,
            interruptible=interruptible,
        )
        st.task_phase = "FAILED"
        attempts = common.max_attempts(place, task.metadata.retries.retries)
        if common.next_attempt_allowed(st, failure, attempts):
            st.attempt += 1
            self._start_attempt(ctx, place, st, task)
            ctx.wants_check_in(0.2)
            return
        common.fail(ctx, place, st, common.exhausted(st, failure, attempts))

    def abort(self, ctx: RoundContext, place: NodePlace, st: NodeState, reason: str) -> None:
        if st.attempt_id and st.task_phase not in ("SUCCEEDED", "FAILED", "ABORTED"):
            ctx.executor.terminate(st.attempt_id)
            task = ctx.execution.task(place.node.task_node.reference_id)
            _report(
                ctx,
                place,
                st,
                task,
                TaskPhase.ABORTED,
                error=execution_pb2.ExecutionError(code="NodeAborted", message=reason),
            )
            st.task_phase = "ABORTED"
        if st.dynamic:
            self.dynamic.abort(ctx, place, st, reason)


def _cache_metadata(st: NodeState, key: CacheKey, task: tasks_pb2.TaskTemplate) -> event_pb2.TaskNodeMetadata:
    return event_pb2.TaskNodeMetadata(
        cache_status=catalog_pb2.CatalogCacheStatus.Value(st.cache_status), catalog_key=key.catalog_metadata(task.id)
    )
