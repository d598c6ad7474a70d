"""Runs a (sub)workflow graph one step: which nodes may go, dispatch by node kind, failure policy, outputs.

Node kinds that contain graphs (branches, sub-workflows, dynamic workflows) call back into `step_scope` for
their children, so one piece of code runs every level.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flyteidl.core import compiler_pb2, execution_pb2, literals_pb2, workflow_pb2

from flyteplane.engine.bindings import resolve_inputs
from flyteplane.engine.conditions import evaluate
from flyteplane.engine.context import END_NODE, START_NODE, RoundContext, Scope
from flyteplane.engine.errors import NodeFailure, decode_error
from flyteplane.engine.events import NodePhase
from flyteplane.engine.ids import unique_node_id
from flyteplane.engine.nodes import common
from flyteplane.engine.nodes.gate import GateNodeHandler
from flyteplane.engine.nodes.task import TaskNodeHandler
from flyteplane.engine.place import NodePlace
from flyteplane.engine.recovery import recover
from flyteplane.engine.state import NodeState

FAILED_PHASES = frozenset({"FAILED", "TIMED_OUT"})
BLOCKING_PHASES = frozenset({"FAILED", "TIMED_OUT", "SKIPPED", "ABORTED"})


@dataclass
class ScopeOutcome:
    phase: str  # RUNNING, SUCCEEDED, FAILED
    error: execution_pb2.ExecutionError | None = None
    output_dir: str = ""  # blob key of the end node's outputs folder once SUCCEEDED


def aliases_of(workflow: compiler_pb2.CompiledWorkflow) -> dict[str, dict[str, str]]:
    return {
        node.id: {alias.alias: alias.var for alias in node.output_aliases}
        for node in workflow.template.nodes
        if node.output_aliases
    }


class Runner:
    """Holds one handler per node kind; stateless between rounds (all state is in RoundContext.state)."""

    def __init__(self) -> None:
        from flyteplane.engine.nodes.array import ArrayNodeHandler
        from flyteplane.engine.nodes.dynamic import DynamicHandler
        from flyteplane.engine.nodes.launch_plan import LaunchPlanNodeHandler

        self.dynamic = DynamicHandler(self)
        self.tasks = TaskNodeHandler(on_futures=self.dynamic)
        self.gates = GateNodeHandler()
        self.launch_plans = LaunchPlanNodeHandler()
        self.arrays = ArrayNodeHandler()

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
        target = place.node.WhichOneof("target")
        try:
            if st.phase == "NOT_STARTED" and ctx.execution.recovering_from is not None and recover(ctx, place, st):
                return
            if target == "task_node":
                self.tasks.step(ctx, place, st)
            elif target == "branch_node":
                self._step_branch(ctx, place, st)
            elif target == "workflow_node":
                if place.node.workflow_node.WhichOneof("reference") == "sub_workflow_ref":
                    self._step_subworkflow(ctx, place, st)
                else:
                    self.launch_plans.step(ctx, place, st)
            elif target == "gate_node":
                self.gates.step(ctx, place, st)
            elif target == "array_node":
                self.arrays.step(ctx, place, st)
            else:
                raise NodeFailure("UnsupportedNode", f"node [{place.node.id}] has no target", kind="SYSTEM")
        except NodeFailure as failure:
            if st.phase == "NOT_STARTED":
                st.phase = "QUEUED"
                ctx.emit.node(place.ref, NodePhase.QUEUED, ctx.now)
            common.fail(ctx, place, st, failure)

    def abort_node(self, ctx: RoundContext, place: NodePlace, st: NodeState, reason: str) -> None:
        target = place.node.WhichOneof("target")
        if target == "task_node":
            self.tasks.abort(ctx, place, st, reason)
            if st.dynamic:
                self.dynamic.abort(ctx, place, st, reason)
        elif target == "branch_node" and st.branch_taken:
            child = self._branch_child(place, st.branch_taken)
            child_place = self._child_place(ctx, place, child, st)
            child_state = ctx.state.node(child_place.unique_id)
            if not child_state.terminal and child_state.phase != "NOT_STARTED":
                self.abort_node(ctx, child_place, child_state, reason)
        elif target == "workflow_node":
            if place.node.workflow_node.WhichOneof("reference") == "sub_workflow_ref":
                self.abort_scope(ctx, self._sub_scope(ctx, place, st), reason)
            else:
                self.launch_plans.abort(ctx, place, st, reason)
        elif target == "array_node":
            self.arrays.abort(ctx, place, st, reason)
        common.abort(ctx, place, st, reason)

    # -- branches ------------------------------------------------------------------------------------------

    @staticmethod
    def _branch_child(place: NodePlace, node_id: str) -> workflow_pb2.Node:
        if_else = place.node.branch_node.if_else
        candidates = [if_else.case.then_node, *(block.then_node for block in if_else.other)]
        if if_else.HasField("else_node"):
            candidates.append(if_else.else_node)
        for candidate in candidates:
            if candidate.id == node_id:
                return candidate
        raise NodeFailure("BranchNodeIdNotFound", f"branch node [{place.node.id}] has no node [{node_id}]")

    def _child_place(self, ctx: RoundContext, place: NodePlace, child: workflow_pb2.Node, st: NodeState) -> NodePlace:
        """The taken node runs under the branch node (unique id `<branch>-<attempt>-<child>`), reading the same
        upstream outputs the branch node can see."""
        output_dir = place.attempt_dir(st.attempt)
        return NodePlace(
            node=child,
            ref=_child_ref(place, child, st.attempt),
            data_dir=f"{output_dir}/{child.id}",
            outputs_of=place.outputs_of,
            aliases=place.aliases,
            upstream_of=place.upstream_of,
        )

    def _step_branch(self, ctx: RoundContext, place: NodePlace, st: NodeState) -> None:
        if st.phase == "NOT_STARTED":
            inputs = common.queue(ctx, place, st)
            st.branch_taken = self._choose(place.node.branch_node.if_else, inputs)
            common.running(ctx, place, st, is_parent=True)
        if st.phase != "RUNNING":
            return
        child = self._branch_child(place, st.branch_taken)
        child_place = self._child_place(ctx, place, child, st)
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
            self.step_node(ctx, child_place, child_state)
        if child_state.ok:
            common.succeed(ctx, place, st, child_state.output_dir, is_parent=True)
        elif child_state.terminal:
            failure = decode_error(child_state.error)
            common.fail(
                ctx, place, st, NodeFailure(failure.code or "BranchFailed", failure.message, kind=_kind(failure))
            )

    @staticmethod
    def _choose(if_else: workflow_pb2.IfElseBlock, inputs: literals_pb2.LiteralMap) -> str:
        for block in [if_else.case, *if_else.other]:
            if evaluate(block.condition, inputs):
                return str(block.then_node.id)
        if if_else.HasField("else_node"):
            return str(if_else.else_node.id)
        if if_else.HasField("error"):
            raise NodeFailure("UserProvidedError", if_else.error.message)
        raise NodeFailure("MalformedBranchUserError", "No branch satisfied")

    # -- sub-workflows -------------------------------------------------------------------------------------

    def _sub_scope(self, ctx: RoundContext, place: NodePlace, st: NodeState) -> Scope:
        workflow = ctx.execution.sub_workflow(place.node.workflow_node.sub_workflow_ref)
        return Scope(
            workflow=workflow,
            inputs=common.inputs_of(ctx, place),
            parent_unique_id=place.unique_id,
            parent_attempt=st.attempt,
            base_dir=place.attempt_dir(st.attempt),
            top_level=False,
        )

    def _step_subworkflow(self, ctx: RoundContext, place: NodePlace, st: NodeState) -> None:
        if st.phase == "NOT_STARTED":
            common.queue(ctx, place, st, is_parent=True)
            common.running(ctx, place, st, is_parent=True)
        if st.phase != "RUNNING":
            return
        scope = self._sub_scope(ctx, place, st)
        self.start_scope(ctx, scope)
        outcome = self.step_scope(ctx, scope)
        if outcome.phase == "SUCCEEDED":
            common.succeed(ctx, place, st, outcome.output_dir, is_parent=True)
        elif outcome.phase == "FAILED":
            error = outcome.error or execution_pb2.ExecutionError()
            common.fail(
                ctx,
                place,
                st,
                NodeFailure(error.code or "SubWorkflowFailed", error.message, kind=_kind(error)),
                is_parent=True,
            )


def _kind(error: execution_pb2.ExecutionError) -> str:
    return "SYSTEM" if error.kind == execution_pb2.ExecutionError.SYSTEM else "USER"


def _bare_node(node_id: str) -> workflow_pb2.Node:
    return workflow_pb2.Node(id=node_id)


def _child_ref(place: NodePlace, child: workflow_pb2.Node, attempt: int):  # type: ignore[no-untyped-def]
    from flyteplane.engine.events import NodeRef

    return NodeRef(
        unique_id=unique_node_id(place.unique_id, attempt, child.id),
        spec_node_id=child.id,
        name=child.metadata.name or child.id,
        parent_unique_id=place.unique_id,
        retry_group=str(attempt),
    )
