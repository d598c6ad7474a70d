"""Branch nodes: evaluate the conditions once, then run the taken node under the branch node (§8.7)."""

from __future__ import annotations

from flyteidl.core import literals_pb2, workflow_pb2

from flyteplane.engine.conditions import evaluate
from flyteplane.engine.context import RoundContext
from flyteplane.engine.errors import NodeFailure, decode_error, error_kind
from flyteplane.engine.nodes import common
from flyteplane.engine.place import NodePlace
from flyteplane.engine.scopes import ScopeRunner
from flyteplane.engine.state import BLOCKING_PHASES, NodeState

__all__ = ["BranchNodeHandler", "choose", "taken_node"]


def choose(if_else: workflow_pb2.IfElseBlock, inputs: literals_pb2.LiteralMap) -> str:
    """The spec id of the first case whose condition holds, else of the else node; an error block fails."""
    for block in [if_else.case, *if_else.other]:
        if evaluate(block.condition, inputs):
            return str(block.then_node.id)
    if if_else.HasField("else_node"):
        return str(if_else.else_node.id)
    if if_else.HasField("error"):
        raise NodeFailure("UserProvidedError", if_else.error.message)
    raise NodeFailure("MalformedBranchUserError", "No branch satisfied")


def taken_node(place: NodePlace, node_id: str) -> workflow_pb2.Node:
    if_else = place.node.branch_node.if_else
    candidates = [if_else.case.then_node, *(block.then_node for block in if_else.other)]
    if if_else.HasField("else_node"):
        candidates.append(if_else.else_node)
    for candidate in candidates:
        if candidate.id == node_id:
            return candidate
    raise NodeFailure("BranchNodeIdNotFound", f"branch node [{place.node.id}] has no node [{node_id}]")


class BranchNodeHandler:
    """The taken node is stepped through the runner, so it may be of any kind (and is recovered like any node)."""

    def __init__(self, scopes: ScopeRunner) -> None:
        self.scopes = scopes

    def step(self, ctx: RoundContext, place: NodePlace, st: NodeState) -> None:
        if st.phase == "NOT_STARTED":
            inputs = common.queue(ctx, place, st)
            st.branch_taken = choose(place.node.branch_node.if_else, inputs)
            common.running(ctx, place, st, is_parent=True)
        if st.phase != "RUNNING":
            return
        child = taken_node(place, st.branch_taken)
        child_place = place.child(child, st.attempt)
        child_state = ctx.state.node(child_place.unique_id)
        if child_state.phase == "NOT_STARTED" and place.upstream_of is not None:
            # The taken node may bind to nodes the branch node itself does not: it waits for them (§8.7).
            parents = [p for p in place.upstream_of(child.id) if p is not st]
            if any(p.phase in BLOCKING_PHASES for p in parents):
                common.skip(ctx, child_place, child_state)
                common.skip(ctx, place, st)
                return
            if not all(p.ok for p in parents):
                return
        if not child_state.terminal:
            self.scopes.step_node(ctx, child_place, child_state)
        if child_state.ok:
            common.succeed(ctx, place, st, child_state.output_dir, is_parent=True)
        elif child_state.terminal:
            failure = decode_error(child_state.error)
            common.fail(
                ctx, place, st, NodeFailure(failure.code or "BranchFailed", failure.message, kind=error_kind(failure))
            )

    def abort(self, ctx: RoundContext, place: NodePlace, st: NodeState, reason: str) -> None:
        if not st.branch_taken:
            return
        child_place = place.child(taken_node(place, st.branch_taken), st.attempt)
        child_state = ctx.state.node(child_place.unique_id)
        if not child_state.terminal and child_state.phase != "NOT_STARTED":
            self.scopes.abort_node(ctx, child_place, child_state, reason)
