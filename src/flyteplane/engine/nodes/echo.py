"""Echo tasks (task type "echo"): no process runs; the node's outputs are its inputs, as flytepropeller's echo
plugin does. flytekit's `Echo` declares as many outputs as inputs; like the plugin, one input at most is mapped
(a protobuf map has no order to pair several by)."""

from __future__ import annotations

from flyteidl.core import literals_pb2, tasks_pb2

from flyteplane.engine.context import RoundContext
from flyteplane.engine.errors import NodeFailure
from flyteplane.engine.events import TaskPhase
from flyteplane.engine.nodes import common
from flyteplane.engine.place import NodePlace
from flyteplane.engine.state import NodeState

__all__ = ["ECHO_TASK_TYPE", "echo_outputs", "run_echo"]

ECHO_TASK_TYPE = "echo"


def echo_outputs(task: tasks_pb2.TaskTemplate, inputs: literals_pb2.LiteralMap) -> literals_pb2.LiteralMap:
    """The outputs an echo task produces from `inputs`; NodeFailure when its interface cannot echo."""
    names_in = list(task.interface.inputs.variables)
    names_out = list(task.interface.outputs.variables)
    if len(names_in) != len(names_out):
        raise NodeFailure(
            "EchoInterface",
            f"echo task [{task.id.name}]: the number of input [{len(names_in)}] and output [{len(names_out)}] "
            "variables does not match",
            retryable=False,
        )
    if len(names_in) > 1:
        raise NodeFailure(
            "EchoInterface",
            f"echo task [{task.id.name}]: more than one input variable is not supported",
            retryable=False,
        )
    outputs = literals_pb2.LiteralMap()
    for name_in, name_out in zip(names_in, names_out, strict=True):
        if name_in in inputs.literals:
            outputs.literals[name_out].CopyFrom(inputs.literals[name_in])
    return outputs


def run_echo(ctx: RoundContext, place: NodePlace, st: NodeState, task: tasks_pb2.TaskTemplate) -> None:
    """Runs a queued echo node to its end in one step: a task attempt that succeeds at once (or fails when the
    interface cannot echo), reported as propeller reports a plugin task."""
    common.running(ctx, place, st)
    st.output_dir = place.attempt_dir(st.attempt)
    input_uri = common.input_uri(ctx, place)
    ctx.emit.task(place.ref, task.id, task.type, st.attempt, TaskPhase.RUNNING, ctx.now, input_uri=input_uri)
    try:
        outputs = echo_outputs(task, common.inputs_of(ctx, place))
    except NodeFailure as failure:
        ctx.emit.task(
            place.ref,
            task.id,
            task.type,
            st.attempt,
            TaskPhase.FAILED,
            ctx.now,
            input_uri=input_uri,
            error=failure.to_error(),
        )
        st.task_phase = "FAILED"
        common.fail(ctx, place, st, failure)
        return
    output_uri = ""
    if outputs.literals:
        output_uri = ctx.write_literal_map(f"{st.output_dir}/outputs.pb", outputs)
    ctx.emit.task(
        place.ref,
        task.id,
        task.type,
        st.attempt,
        TaskPhase.SUCCEEDED,
        ctx.now,
        input_uri=input_uri,
        output_uri=output_uri,
    )
    st.task_phase = "SUCCEEDED"
    common.succeed(ctx, place, st, st.output_dir)
