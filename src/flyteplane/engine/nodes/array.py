"""Array nodes (map tasks): one sub-task attempt per item, bounded parallelism, a success threshold (§8.7).

Each item runs the sub-node's task with its index in `FLYTE_K8S_ARRAY_INDEX`, as `pyflyte-map-execute` expects;
each writes scalar outputs, which are gathered into lists in index order. A container task gets the whole inputs,
as on Flyte. A flytekit map task gets inputs of its own, where each mapped list holds only its element, and the
index into those (0) through `BATCH_JOB_ARRAY_INDEX_VAR_NAME`: flytekit converts every element of the inputs it is
given, so with the whole inputs a 1,000-item map task would convert a million literals.
"""

from __future__ import annotations

import math
from typing import Any

from flyteidl.core import execution_pb2, literals_pb2, tasks_pb2
from flyteidl.event import event_pb2

from flyteplane.engine.context import RoundContext
from flyteplane.engine.errors import NodeFailure
from flyteplane.engine.events import TaskPhase
from flyteplane.engine.nodes import common
from flyteplane.engine.nodes.attempts import CHECK_INTERVAL, build_attempt, read_outcome
from flyteplane.engine.place import NodePlace
from flyteplane.engine.state import ArrayItemState, NodeState

__all__ = ["ArrayNodeHandler"]

INDEX_VARIABLE = "FLYTE_K8S_ARRAY_INDEX"
ITEM_INPUT_INDEX_VARIABLE = "FLYTEPLANE_ITEM_INPUT_INDEX"  # the item's place in the lists of its own inputs: 0
FLYTEKIT_MAP_RESOLVER = "flytekit.core.array_node_map_task.ArrayNodeMapTaskResolver"
_PHASE_OF_ITEM = {
    "NOT_STARTED": TaskPhase.UNDEFINED,
    "RUNNING": TaskPhase.RUNNING,
    "SUCCEEDED": TaskPhase.SUCCEEDED,
    "FAILED": TaskPhase.FAILED,
    "ABORTED": TaskPhase.ABORTED,
}


def _size(place: NodePlace, inputs: literals_pb2.LiteralMap) -> int:
    bound = set(place.node.array_node.bound_inputs)
    sizes = {
        name: len(literal.collection.literals)
        for name, literal in inputs.literals.items()
        if name not in bound and literal.HasField("collection")
    }
    if not sizes:
        raise NodeFailure("InvalidArrayLength", "no input array provided")
    if len(set(sizes.values())) > 1:
        raise NodeFailure("InvalidArrayLength", f"input arrays have different lengths: {sizes}")
    return next(iter(sizes.values()))


def _item_inputs(place: NodePlace, inputs: literals_pb2.LiteralMap, index: int) -> literals_pb2.LiteralMap:
    """The array's inputs with each mapped list cut down to the item's own element; bound inputs as they are."""
    bound = set(place.node.array_node.bound_inputs)
    own = literals_pb2.LiteralMap()
    for name, literal in inputs.literals.items():
        if name not in bound and literal.HasField("collection"):
            own.literals[name].collection.literals.append(literal.collection.literals[index])
        else:
            own.literals[name].CopyFrom(literal)
    return own


def _required(array: Any, size: int) -> int:
    if array.min_successes:
        return int(array.min_successes)
    if array.min_success_ratio:
        ratio: float = array.min_success_ratio
        return math.ceil(ratio * size)
    return size


class ArrayNodeHandler:
    def step(self, ctx: RoundContext, place: NodePlace, st: NodeState) -> None:
        sub = place.node.array_node.node
        if sub.WhichOneof("target") != "task_node":
            raise NodeFailure("UnsupportedNode", "array nodes over launch plans or sub-workflows are not supported yet")
        task = ctx.execution.task(sub.task_node.reference_id)
        if st.phase == "NOT_STARTED":
            inputs = common.queue(ctx, place, st, is_array=True)
            st.items = [ArrayItemState() for _ in range(_size(place, inputs))]
        if st.phase == "QUEUED":
            if not ctx.has_slot():
                return
            common.running(ctx, place, st, is_array=True)
            ctx.emit.task(
                place.ref, task.id, task.type, 0, TaskPhase.RUNNING, ctx.now, input_uri=common.input_uri(ctx, place)
            )
        if st.phase != "RUNNING":
            return
        ctx.running_slots += 1
        changed = self._advance(ctx, place, st, task)
        self._settle(ctx, place, st, task, changed)

    def _advance(self, ctx: RoundContext, place: NodePlace, st: NodeState, task: tasks_pb2.TaskTemplate) -> set[int]:
        """Collects ended items, retries or fails them, submits items while parallelism allows; returns the
        indices of the items whose phase changed."""
        array = place.node.array_node
        parallelism = array.parallelism or len(st.items)
        running = sum(1 for item in st.items if item.phase == "RUNNING")
        attempts = common.max_attempts(
            NodePlace(node=array.node, ref=place.ref, data_dir="", outputs_of=place.outputs_of),
            task.metadata.retries.retries,
        )
        changed: set[int] = set()
        for index, item in enumerate(st.items):
            if item.phase == "RUNNING":
                status = ctx.executor.status(item.attempt_id)
                if not status.phase.terminal:
                    continue
                ctx.executor.release(item.attempt_id)
                outcome, failure = read_outcome(ctx, task, status, item.output_dir)
                changed.add(index)
                running -= 1
                if outcome == "outputs":
                    item.phase = "SUCCEEDED"
                    continue
                assert failure is not None
                if common.next_attempt_allowed(item, failure, attempts):
                    item.attempt += 1
                    item.phase = "NOT_STARTED"
                else:
                    item.phase = "FAILED"
                    item.error = failure.message
            if item.phase == "NOT_STARTED" and running < parallelism:
                self._submit(ctx, place, st, task, index, item)
                running += 1
                changed.add(index)
        if running:
            ctx.wants_check_in(CHECK_INTERVAL)
        return changed

    def _submit(
        self,
        ctx: RoundContext,
        place: NodePlace,
        st: NodeState,
        task: tasks_pb2.TaskTemplate,
        index: int,
        item: ArrayItemState,
    ) -> None:
        item_dir = f"{place.attempt_dir(st.attempt)}/{index}"
        output_dir = f"{item_dir}/{item.attempt}"
        env = {"BATCH_JOB_ARRAY_INDEX_VAR_NAME": INDEX_VARIABLE, INDEX_VARIABLE: str(index)}
        input_key = place.inputs_key
        if FLYTEKIT_MAP_RESOLVER in task.container.args:
            input_key = f"{item_dir}/inputs.pb"
            # Written for every attempt, without a flush to disk: they can always be made again from the array's.
            item_inputs = _item_inputs(place, ctx.read_literal_map(place.inputs_key), index)
            ctx.write_literal_map(input_key, item_inputs, durable=False)
            env.update({"BATCH_JOB_ARRAY_INDEX_VAR_NAME": ITEM_INPUT_INDEX_VARIABLE, ITEM_INPUT_INDEX_VARIABLE: "0"})
        attempt = build_attempt(
            ctx,
            place,
            task,
            item.attempt,
            output_dir=output_dir,
            input_key=input_key,
            suffix=f"-{index}",
            extra_env=env,
        )
        ctx.executor.submit(attempt)
        item.phase = "RUNNING"
        item.attempt_id = attempt.attempt_id
        item.output_dir = output_dir

    def _settle(
        self, ctx: RoundContext, place: NodePlace, st: NodeState, task: tasks_pb2.TaskTemplate, changed: set[int]
    ) -> None:
        size = len(st.items)
        required = _required(place.node.array_node, size)
        succeeded = sum(1 for item in st.items if item.phase == "SUCCEEDED")
        failed = sum(1 for item in st.items if item.phase == "FAILED")
        running = sum(1 for item in st.items if item.phase in ("RUNNING", "NOT_STARTED"))
        if changed:  # only what changed: the admin side merges sub-task reports by index and retry
            self._report(ctx, place, st, task, TaskPhase.RUNNING, indices=sorted(changed))
        if size - failed < required:
            self.abort(ctx, place, st, "array node cannot reach its success threshold")
            message = f"{failed} of {size} items failed; at least {required} had to succeed"
            self._report(ctx, place, st, task, TaskPhase.FAILED, error=message)
            common.fail(ctx, place, st, NodeFailure("ArrayNodeFailed", message), is_array=True)
            return
        if running or succeeded < required:
            return
        outputs = self._gather(ctx, st, task)
        output_dir = place.attempt_dir(st.attempt)
        uri = ctx.write_literal_map(f"{output_dir}/outputs.pb", outputs)
        self._report(ctx, place, st, task, TaskPhase.SUCCEEDED, output_uri=uri)
        common.succeed(ctx, place, st, output_dir, is_array=True)

    def _gather(self, ctx: RoundContext, st: NodeState, task: tasks_pb2.TaskTemplate) -> literals_pb2.LiteralMap:
        outputs = literals_pb2.LiteralMap()
        for name in task.interface.outputs.variables:
            collection = outputs.literals[name].collection
            for item in st.items:
                if item.phase == "SUCCEEDED":
                    collection.literals.append(ctx.read_literal_map(f"{item.output_dir}/outputs.pb").literals[name])
                else:
                    collection.literals.append(
                        literals_pb2.Literal(scalar=literals_pb2.Scalar(none_type=literals_pb2.Void()))
                    )
        return outputs

    def _report(
        self,
        ctx: RoundContext,
        place: NodePlace,
        st: NodeState,
        task: tasks_pb2.TaskTemplate,
        phase: int,
        *,
        output_uri: str = "",
        error: str = "",
        indices: list[int] | None = None,
    ) -> None:
        """The array node's task execution carries one external resource per item (ArrayNode event version 0);
        `indices` limits a report to those items (the rest stand as last reported)."""
        chosen = range(len(st.items)) if indices is None else indices
        resources = [
            event_pb2.ExternalResourceInfo(
                external_id=st.items[index].attempt_id,
                index=index,
                retry_attempt=st.items[index].attempt,
                phase=_PHASE_OF_ITEM.get(st.items[index].phase, TaskPhase.UNDEFINED),
            )
            for index in chosen
        ]
        version = sum(
            item.attempt + (item.phase != "NOT_STARTED") + (item.phase in ("SUCCEEDED", "FAILED")) for item in st.items
        )
        ctx.emit.task(
            place.ref,
            task.id,
            task.type,
            0,
            phase,
            ctx.now,
            phase_version=version,
            input_uri=common.input_uri(ctx, place),
            output_uri=output_uri,
            error=execution_pb2.ExecutionError(code="ArrayNodeFailed", message=error) if error else None,
            external_resources=resources,
        )

    def abort(self, ctx: RoundContext, place: NodePlace, st: NodeState, reason: str) -> None:
        for item in st.items:
            if item.phase == "RUNNING":
                ctx.executor.terminate(item.attempt_id)
                item.phase = "ABORTED"
