"""Sub-workflow nodes: the referenced workflow runs as a child scope under the node, in this execution."""

from __future__ import annotations

from flyteidl.core import execution_pb2

from flyteplane.engine.context import RoundContext
from flyteplane.engine.errors import NodeFailure, error_kind
from flyteplane.engine.nodes import common
from flyteplane.engine.place import NodePlace
from flyteplane.engine.scopes import Scope, ScopeRunner
from flyteplane.engine.state import NodeState

__all__ = ["SubWorkflowNodeHandler"]


class SubWorkflowNodeHandler:
    def __init__(self, scopes: ScopeRunner) -> None:
        self.scopes = scopes

    def step(self, ctx: RoundContext, place: NodePlace, st: NodeState) -> None:
        if st.phase == "NOT_STARTED":
            common.queue(ctx, place, st, is_parent=True)
            common.running(ctx, place, st, is_parent=True)
        if st.phase != "RUNNING":
            return
        scope = self._scope(ctx, place, st)
        self.scopes.start_scope(ctx, scope)
        outcome = self.scopes.step_scope(ctx, scope)
        if outcome.phase == "SUCCEEDED":
            common.succeed(ctx, place, st, outcome.output_dir, is_parent=True)
        elif outcome.phase == "FAILED":
            error = outcome.error or execution_pb2.ExecutionError()
            common.fail(
                ctx,
                place,
                st,
                NodeFailure(error.code or "SubWorkflowFailed", error.message, kind=error_kind(error)),
                is_parent=True,
            )

    def abort(self, ctx: RoundContext, place: NodePlace, st: NodeState, reason: str) -> None:
        self.scopes.abort_scope(ctx, self._scope(ctx, place, st), reason)

    @staticmethod
    def _scope(ctx: RoundContext, place: NodePlace, st: NodeState) -> Scope:
        """The sub-workflow's graph, its nodes under this node's attempt (`<node>-<attempt>-<child>`)."""
        return Scope(
            workflow=ctx.execution.sub_workflow(place.node.workflow_node.sub_workflow_ref),
            inputs=common.inputs_of(ctx, place),
            parent_unique_id=place.unique_id,
            parent_attempt=st.attempt,
            base_dir=place.attempt_dir(st.attempt),
            top_level=False,
        )
