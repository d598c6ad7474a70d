"""Runs a (sub)workflow graph one step: which nodes may go, dispatch by node kind, failure policy, outputs.

Node kinds that contain graphs (branches, sub-workflows, dynamic workflows) call back into `step_scope` for
their children through the `ScopeRunner` protocol, so one piece of code runs every level.
"""

from __future__ import annotations

from collections.abc import Callable

from flyteidl.core import compiler_pb2, literals_pb2, workflow_pb2

from flyteplane.engine.bindings import resolve_inputs
from flyteplane.engine.context import END_NODE, START_NODE, RoundContext
from flyteplane.engine.errors import NodeFailure, decode_error
from flyteplane.engine.events import NodePhase
from flyteplane.engine.nodes import common
from flyteplane.engine.nodes.handler import NodeHandler, kind_of
from flyteplane.engine.nodes.table import node_handlers
from flyteplane.engine.place import NodePlace
from flyteplane.engine.recovery import recover
from flyteplane.engine.scopes import Scope, ScopeOutcome
from flyteplane.engine.state import BLOCKING_PHASES, FAILED_PHASES, NodeState

__all__ = ["Runner"]


def aliases_of(workflow: compiler_pb2.CompiledWorkflow) -> dict[str, dict[str, str]]:
    return {
        node.id: {alias.alias: alias.var for alias in node.output_aliases}
        for node in workflow.template.nodes
        if node.output_aliases
    }


class Runner:
    """The ScopeRunner: holds one handler per node kind; stateless between rounds (all state is in
    RoundContext.state)."""

    def __init__(self) -> None:
        self.handlers = node_handlers(self)

    # -- graphs --------------------------------------------------------------------------------------------

    def outputs_reader(self, ctx: RoundContext, scope: Scope) -> Callable[[str], literals_pb2.LiteralMap]:
        def outputs_of(spec_node_id: str) -> literals_pb2.LiteralMap:
            if spec_node_id == START_NODE:
                return scope.inputs
            st = ctx.state.nodes.get(scope.unique_id(spec_node_id))
            if st is None or not st.ok:
                raise NodeFailure(
                    "BindingResolutionFailure", f"upstream node [{spec_node_id}] has no outputs yet", kind="SYSTEM"
                )
            return ctx.read_literal_map(f"{st.output_dir}/outputs.pb")

        return outputs_of

    @staticmethod
    def upstream_reader(ctx: RoundContext, scope: Scope) -> Callable[[str], list[NodeState]]:
        upstream = scope.workflow.connections.upstream

        def upstream_of(spec_node_id: str) -> list[NodeState]:
            ids = upstream[spec_node_id].ids if spec_node_id in upstream else []
            return [ctx.state.node(scope.unique_id(p)) for p in ids if p != START_NODE]

        return upstream_of

    def place(self, ctx: RoundContext, scope: Scope, node: workflow_pb2.Node) -> NodePlace:
        return NodePlace(
            node=node,
            ref=scope.ref(node),
            data_dir=scope.data_dir(node.id),
            outputs_of=self.outputs_reader(ctx, scope),
            aliases=aliases_of(scope.workflow),
            upstream_of=self.upstream_reader(ctx, scope),
        )

    def step_scope(self, ctx: RoundContext, scope: Scope) -> ScopeOutcome:
        template = scope.workflow.template
        nodes = [node for node in template.nodes if node.id not in (START_NODE, END_NODE)]
        upstream = scope.workflow.connections.upstream
        fail_fast = template.metadata.on_failure == workflow_pb2.WorkflowMetadata.FAIL_IMMEDIATELY
        progressed = True
        while progressed:
            progressed = False
            for node in nodes:
                place = self.place(ctx, scope, node)
                st = ctx.state.node(place.unique_id)
                if st.terminal:
                    continue
                parents = [p for p in upstream[node.id].ids if p != START_NODE] if node.id in upstream else []
                parent_states = [ctx.state.node(scope.unique_id(p)) for p in parents]
                before = st.phase
                if any(p.phase in BLOCKING_PHASES for p in parent_states):
                    if fail_fast and any(p.phase in FAILED_PHASES for p in parent_states):
                        continue  # the scope is failing; leave it to the abort below
                    common.skip(ctx, place, st)
                elif all(p.ok for p in parent_states):
                    self.step_node(ctx, place, st)
                if st.phase != before and st.terminal:
                    progressed = True
            if fail_fast and any(ctx.state.node(scope.unique_id(n.id)).phase in FAILED_PHASES for n in nodes):
                break
        return self._outcome(ctx, scope, nodes, fail_fast)

    def _outcome(
        self, ctx: RoundContext, scope: Scope, nodes: list[workflow_pb2.Node], fail_fast: bool
    ) -> ScopeOutcome:
        states = [ctx.state.node(scope.unique_id(node.id)) for node in nodes]
        failed = [st for st in states if st.phase in FAILED_PHASES]
        if failed and fail_fast:
            self.abort_scope(ctx, scope, "Workflow failed: another node failed")
            return ScopeOutcome("FAILED", decode_error(failed[0].error))
        if not all(st.terminal for st in states):
            return ScopeOutcome("RUNNING")
        if failed:
            return ScopeOutcome("FAILED", decode_error(failed[-1].error))
        return self._finish(ctx, scope)

    def _finish(self, ctx: RoundContext, scope: Scope) -> ScopeOutcome:
        """Resolves the workflow outputs (the end node's inputs) and records the end node."""
        end_place = self.place(ctx, scope, _bare_node(END_NODE))
        try:
            outputs = resolve_inputs(scope.workflow.template.outputs, end_place.outputs_of, end_place.aliases)
        except NodeFailure as failure:
            return ScopeOutcome("FAILED", failure.to_error())
        output_dir = f"{end_place.data_dir}/0"
        end_state = ctx.state.node(end_place.unique_id)
        if not end_state.terminal:
            ctx.write_literal_map(end_place.inputs_key, outputs)
            ctx.write_literal_map(f"{output_dir}/outputs.pb", outputs)
            end_state.phase = "SUCCEEDED"
            end_state.output_dir = output_dir
            ctx.emit.node(
                end_place.ref,
                NodePhase.SUCCEEDED,
                ctx.now,
                input_uri=ctx.blobs.native_url(end_place.inputs_key),
                output_uri=ctx.blobs.native_url(f"{output_dir}/outputs.pb"),
            )
        return ScopeOutcome("SUCCEEDED", output_dir=output_dir)

    def start_scope(self, ctx: RoundContext, scope: Scope) -> None:
        """Records the start node, whose outputs are the scope's inputs."""
        place = self.place(ctx, scope, _bare_node(START_NODE))
        st = ctx.state.node(place.unique_id)
        if st.terminal:
            return
        output_dir = f"{place.data_dir}/0"
        uri = ctx.write_literal_map(f"{output_dir}/outputs.pb", scope.inputs)
        st.phase = "SUCCEEDED"
        st.output_dir = output_dir
        ctx.emit.node(place.ref, NodePhase.SUCCEEDED, ctx.now, output_uri=uri)

    def abort_scope(self, ctx: RoundContext, scope: Scope, reason: str) -> None:
        for node in scope.workflow.template.nodes:
            if node.id in (START_NODE, END_NODE):
                continue
            place = self.place(ctx, scope, node)
            st = ctx.state.nodes.get(place.unique_id)
            if st is None or st.terminal or st.phase == "NOT_STARTED":
                continue
            self.abort_node(ctx, place, st, reason)

    # -- nodes ---------------------------------------------------------------------------------------------

    def step_node(self, ctx: RoundContext, place: NodePlace, st: NodeState) -> None:
        try:
            if st.phase == "NOT_STARTED" and ctx.execution.recovering_from is not None and recover(ctx, place, st):
                return
            self._handler(place).step(ctx, place, st)
        except NodeFailure as failure:
            if st.phase == "NOT_STARTED":
                st.phase = "QUEUED"
                ctx.emit.node(place.ref, NodePhase.QUEUED, ctx.now)
            common.fail(ctx, place, st, failure)

    def abort_node(self, ctx: RoundContext, place: NodePlace, st: NodeState, reason: str) -> None:
        kind = kind_of(place.node)
        if kind is not None:
            self.handlers[kind].abort(ctx, place, st, reason)
        common.abort(ctx, place, st, reason)

    def _handler(self, place: NodePlace) -> NodeHandler:
        kind = kind_of(place.node)
        if kind is None:
            raise NodeFailure("UnsupportedNode", f"node [{place.node.id}] has no target", kind="SYSTEM")
        return self.handlers[kind]


def _bare_node(node_id: str) -> workflow_pb2.Node:
    return workflow_pb2.Node(id=node_id)
