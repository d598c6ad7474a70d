"""Recovery (§6.7): a node of a recovered execution first looks up its namesake in the original execution.

A node that SUCCEEDED (or was itself RECOVERED) there is not run again: its inputs and outputs are copied to this
execution's layout and it ends RECOVERED, with no task execution. Every other node — failed, aborted, skipped,
never reached — runs normally, so what did not succeed before runs again (Flyte's propeller also reuses some
SKIPPED nodes; that is a bug we do not copy).
"""

from __future__ import annotations

from flyteidl.admin import node_execution_pb2
from flyteidl.core import identifier_pb2, literals_pb2
from flyteidl.event import event_pb2

from flyteplane.engine.context import RoundContext
from flyteplane.engine.events import NodePhase
from flyteplane.engine.place import NodePlace
from flyteplane.engine.state import NodeState
from flyteplane.errors import FlyteplaneError, NotFound

__all__ = ["recover", "recovered_child"]

REUSABLE = frozenset({NodePhase.SUCCEEDED, NodePhase.RECOVERED})


def previous_node_execution(ctx: RoundContext, unique_id: str) -> node_execution_pb2.NodeExecution | None:
    """The node execution with this unique id in the execution being recovered (None when not recovering, or
    when the original never reached the node)."""
    original = ctx.execution.recovering_from
    if original is None or ctx.previous is None:
        return None
    request = node_execution_pb2.NodeExecutionGetRequest(
        id=identifier_pb2.NodeExecutionIdentifier(node_id=unique_id, execution_id=original)
    )
    try:
        return ctx.previous.get_node_execution(request)
    except NotFound:
        return None


def recover(ctx: RoundContext, place: NodePlace, st: NodeState) -> bool:
    """Finishes a not yet started node as RECOVERED when it succeeded in the original execution."""
    previous = previous_node_execution(ctx, place.unique_id)
    if previous is None or previous.closure.phase not in REUSABLE:
        return False
    inputs, outputs = _data_of(ctx, previous)
    input_uri = ctx.write_literal_map(place.inputs_key, inputs)
    output_dir = place.attempt_dir(st.attempt)
    output_uri = ""
    if outputs is not None:
        output_uri = ctx.write_literal_map(f"{output_dir}/outputs.pb", outputs)
    st.phase = "RECOVERED"
    st.output_dir = output_dir
    st.queued_at = st.started_at = ctx.now
    closure = previous.closure
    task_metadata = None
    if closure.HasField("task_node_metadata") and closure.task_node_metadata.HasField("catalog_key"):
        task_metadata = event_pb2.TaskNodeMetadata(
            cache_status=closure.task_node_metadata.cache_status, catalog_key=closure.task_node_metadata.catalog_key
        )
    child = None
    if closure.HasField("workflow_node_metadata") and closure.workflow_node_metadata.executionId.name:
        child = closure.workflow_node_metadata.executionId
    ctx.emit.node(
        place.ref,
        NodePhase.RECOVERED,
        ctx.now,
        input_uri=input_uri,
        output_uri=output_uri,
        task_node_metadata=task_metadata,
        child_execution=child,
    )
    return True


def _data_of(
    ctx: RoundContext, previous: node_execution_pb2.NodeExecution
) -> tuple[literals_pb2.LiteralMap, literals_pb2.LiteralMap | None]:
    """The original node's inputs and outputs (None: it had none), read where they are stored."""
    closure = previous.closure
    inputs = _read(ctx, previous.input_uri)
    outputs: literals_pb2.LiteralMap | None = None
    if closure.output_uri:
        outputs = _read(ctx, closure.output_uri)
    elif closure.HasField("output_data"):
        outputs = closure.output_data
    needs_data = (previous.input_uri and inputs is None) or (closure.output_uri and outputs is None)
    if needs_data and ctx.previous is not None:  # not in our blob store: ask for the data itself
        data = ctx.previous.get_node_execution_data(node_execution_pb2.NodeExecutionGetDataRequest(id=previous.id))
        if inputs is None:
            inputs = data.full_inputs
        if outputs is None:
            outputs = data.full_outputs
    return inputs or literals_pb2.LiteralMap(), outputs


def _read(ctx: RoundContext, uri: str) -> literals_pb2.LiteralMap | None:
    if not uri:
        return None
    try:
        return literals_pb2.LiteralMap.FromString(ctx.blobs.get_bytes(ctx.blobs.key_of(uri)))
    except FlyteplaneError:
        return None


def recovered_child(ctx: RoundContext, unique_id: str) -> identifier_pb2.WorkflowExecutionIdentifier | None:
    """The child execution a launch-plan node started in the original execution, to recover instead of
    launching afresh (so the child's own successful nodes are reused too)."""
    previous = previous_node_execution(ctx, unique_id)
    if previous is None or not previous.closure.workflow_node_metadata.executionId.name:
        return None
    child = identifier_pb2.WorkflowExecutionIdentifier()
    child.CopyFrom(previous.closure.workflow_node_metadata.executionId)
    return child
