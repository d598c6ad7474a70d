"""Lifecycle steps every node kind shares: queue with resolved inputs, succeed, fail, skip, retry accounting."""

from __future__ import annotations

from typing import Protocol, TypedDict, Unpack

from flyteidl.core import execution_pb2, literals_pb2
from flyteidl.event import event_pb2

from flyteplane.engine.context import RoundContext
from flyteplane.engine.errors import NodeFailure, encode_error
from flyteplane.engine.events import NodePhase
from flyteplane.engine.place import NodePlace
from flyteplane.engine.state import NodeState

__all__ = [
    "MAX_SYSTEM_FAILURES",
    "NodeFlags",
    "RetryCounters",
    "abort",
    "exhausted",
    "fail",
    "input_uri",
    "inputs_of",
    "max_attempts",
    "next_attempt_allowed",
    "queue",
    "running",
    "skip",
    "succeed",
    "time_out",
]

MAX_SYSTEM_FAILURES = 3


class RetryCounters(Protocol):
    """A node's or an array item's attempt counters, which Flyte's retry rule reads and advances."""

    attempt: int
    system_failures: int


class NodeFlags(TypedDict, total=False):
    is_parent: bool
    is_dynamic: bool
    is_array: bool


def queue(ctx: RoundContext, place: NodePlace, st: NodeState, **flags: Unpack[NodeFlags]) -> literals_pb2.LiteralMap:
    """Resolves the node's inputs, stores them as inputs.pb and reports QUEUED."""
    inputs = place.resolve_inputs()
    input_uri = ctx.write_literal_map(place.inputs_key, inputs)
    st.phase = "QUEUED"
    st.queued_at = ctx.now
    ctx.emit.node(place.ref, NodePhase.QUEUED, st.queued_at, input_uri=input_uri, **flags)
    return inputs


def inputs_of(ctx: RoundContext, place: NodePlace) -> literals_pb2.LiteralMap:
    return ctx.read_literal_map(place.inputs_key)


def input_uri(ctx: RoundContext, place: NodePlace) -> str:
    return ctx.blobs.native_url(place.inputs_key)


def running(ctx: RoundContext, place: NodePlace, st: NodeState, **flags: Unpack[NodeFlags]) -> None:
    if st.phase != "RUNNING":
        st.phase = "RUNNING"
        st.started_at = st.started_at or ctx.now
        ctx.emit.node(place.ref, NodePhase.RUNNING, ctx.now, input_uri=input_uri(ctx, place), **flags)


def succeed(
    ctx: RoundContext,
    place: NodePlace,
    st: NodeState,
    output_dir: str,
    task_node_metadata: event_pb2.TaskNodeMetadata | None = None,
    **flags: Unpack[NodeFlags],
) -> None:
    """Marks the node SUCCEEDED; its outputs are `<output_dir>/outputs.pb` (absent when it has none), and the
    deck a task rendered, `<output_dir>/deck.html`, is reported with it as propeller does (§8.4)."""
    st.phase = "SUCCEEDED"
    st.output_dir = output_dir
    outputs_key = f"{output_dir}/outputs.pb"
    output_uri = ctx.blobs.native_url(outputs_key) if ctx.blobs.exists(outputs_key) else ""
    deck_key = f"{output_dir}/deck.html"
    deck_uri = ""
    if place.node.WhichOneof("target") == "task_node" and ctx.blobs.exists(deck_key):
        deck_uri = ctx.blobs.native_url(deck_key)  # a branch that took this task copies outputs, not the deck
    ctx.emit.node(
        place.ref,
        NodePhase.SUCCEEDED,
        ctx.now,
        input_uri=input_uri(ctx, place),
        output_uri=output_uri,
        deck_uri=deck_uri,
        task_node_metadata=task_node_metadata,
        **flags,
    )


def fail(ctx: RoundContext, place: NodePlace, st: NodeState, failure: NodeFailure, **flags: Unpack[NodeFlags]) -> None:
    error = failure.to_error()
    st.phase = "FAILED"
    st.error = encode_error(error)
    ctx.emit.node(place.ref, NodePhase.FAILED, ctx.now, input_uri=input_uri(ctx, place), error=error, **flags)


def time_out(ctx: RoundContext, place: NodePlace, st: NodeState, failure: NodeFailure) -> None:
    error = failure.to_error()
    st.phase = "TIMED_OUT"
    st.error = encode_error(error)
    ctx.emit.node(place.ref, NodePhase.TIMED_OUT, ctx.now, input_uri=input_uri(ctx, place), error=error)


def skip(ctx: RoundContext, place: NodePlace, st: NodeState) -> None:
    st.phase = "SKIPPED"
    ctx.emit.node(place.ref, NodePhase.SKIPPED, ctx.now)


def abort(ctx: RoundContext, place: NodePlace, st: NodeState, reason: str) -> None:
    st.phase = "ABORTED"
    error = execution_pb2.ExecutionError(code="NodeAborted", message=reason, kind=execution_pb2.ExecutionError.USER)
    ctx.emit.node(place.ref, NodePhase.ABORTED, ctx.now, error=error)


def max_attempts(place: NodePlace, task_retries: int | None) -> int:
    metadata = place.node.metadata
    if metadata.HasField("retries"):
        return int(metadata.retries.retries) + 1
    if task_retries is not None:
        return task_retries + 1
    return 1


def next_attempt_allowed(st: RetryCounters, failure: NodeFailure, attempts: int) -> bool:
    """Flyte's retry rule: system failures have their own budget; user failures consume the node's retries."""
    if not failure.retryable:
        return False
    if failure.kind == "SYSTEM" and st.system_failures < MAX_SYSTEM_FAILURES:
        st.system_failures += 1
        return True
    user_attempt = st.attempt + 1 - st.system_failures
    return user_attempt < attempts


def exhausted(st: NodeState, failure: NodeFailure, attempts: int) -> NodeFailure:
    if not failure.retryable:
        return failure
    done = st.attempt + 1 - st.system_failures
    return NodeFailure(
        f"RetriesExhausted|{failure.code}",
        f"[{done}/{attempts}] currentAttempt done. Last Error: {failure.kind}::{failure.message}",
        kind="USER",
    )
