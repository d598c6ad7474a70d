"""One evaluation round of one execution: the workflow's phase machine around the top-level graph (§6.8, §8.4)."""

from __future__ import annotations

from flyteidl.core import execution_pb2, literals_pb2, types_pb2, workflow_pb2

from flyteplane.engine.context import RoundContext
from flyteplane.engine.errors import decode_error, encode_error
from flyteplane.engine.events import WorkflowPhase
from flyteplane.engine.place import NodePlace
from flyteplane.engine.scopes import Scope, ScopeRunner
from flyteplane.engine.state import TERMINAL_WORKFLOW_PHASES

__all__ = ["run_round"]

ABORT_REASON = "Workflow aborted."


def top_scope(ctx: RoundContext) -> Scope:
    execution = ctx.execution
    inputs = (
        ctx.read_literal_map(ctx.blobs.key_of(execution.inputs_uri))
        if execution.inputs_uri
        else literals_pb2.LiteralMap()
    )
    return Scope(workflow=execution.closure.primary, inputs=inputs, base_dir=execution.workflow_dir, top_level=True)


def run_round(runner: ScopeRunner, ctx: RoundContext, *, abort_requested: bool = False) -> bool:
    """Advances the execution as far as it can go now; True once it has reached a terminal phase."""
    state = ctx.state
    if state.phase in TERMINAL_WORKFLOW_PHASES:
        return True
    scope = top_scope(ctx)
    if abort_requested:
        runner.abort_scope(ctx, scope, ABORT_REASON)
        if state.phase == "FAILING":
            _failure_place_abort(runner, ctx, scope)
        state.phase = "ABORTED"
        ctx.emit.workflow(WorkflowPhase.ABORTED, ctx.now)
        return True
    if state.phase == "NOT_STARTED":
        state.phase = "RUNNING"
        state.started_at = ctx.now
        ctx.emit.workflow(WorkflowPhase.RUNNING, state.started_at)
        runner.start_scope(ctx, scope)
    if state.phase == "RUNNING":
        outcome = runner.step_scope(ctx, scope)
        if outcome.phase == "SUCCEEDED":
            ctx.emit.workflow(WorkflowPhase.SUCCEEDING, ctx.now)
            output_uri = ""
            if scope.workflow.template.interface.outputs.variables:
                output_uri = ctx.blobs.native_url(f"{outcome.output_dir}/outputs.pb")
            state.phase = "SUCCEEDED"
            ctx.emit.workflow(WorkflowPhase.SUCCEEDED, ctx.now, output_uri=output_uri)
            return True
        if outcome.phase == "FAILED":
            error = outcome.error or execution_pb2.ExecutionError(code="Unknown", message="workflow failed")
            state.error = encode_error(error)
            ctx.emit.workflow(WorkflowPhase.FAILING, ctx.now, error=error)
            if scope.workflow.template.HasField("failure_node"):
                state.phase = "FAILING"
            else:
                state.phase = "FAILED"
                ctx.emit.workflow(WorkflowPhase.FAILED, ctx.now, error=error)
                return True
    if state.phase == "FAILING":
        return _run_failure_node(runner, ctx, scope)
    return False


def _failure_place(runner: ScopeRunner, ctx: RoundContext, scope: Scope) -> NodePlace:
    node = scope.workflow.template.failure_node
    place = runner.place(ctx, scope, node)
    error = decode_error(ctx.state.error)
    failed_node = _failed_node_id(ctx, scope)
    base_outputs_of = place.outputs_of

    def outputs_of(spec_node_id: str) -> literals_pb2.LiteralMap:
        return base_outputs_of(spec_node_id)

    node_with_err = workflow_pb2.Node()
    node_with_err.CopyFrom(node)
    names = {binding.var for binding in node.inputs}
    interface_inputs = _failure_inputs(runner, ctx, node)
    if "err" in interface_inputs and "err" not in names:
        binding = node_with_err.inputs.add(var="err")
        binding.binding.scalar.CopyFrom(_error_union(error, failed_node).scalar)
    return NodePlace(
        node=node_with_err, ref=place.ref, data_dir=place.data_dir, outputs_of=outputs_of, aliases=place.aliases
    )


def _failure_inputs(runner: ScopeRunner, ctx: RoundContext, node: workflow_pb2.Node) -> set[str]:
    if node.WhichOneof("target") == "task_node":
        return set(ctx.execution.task(node.task_node.reference_id).interface.inputs.variables)
    return set()


def _failed_node_id(ctx: RoundContext, scope: Scope) -> str:
    for node in scope.workflow.template.nodes:
        state = ctx.state.nodes.get(scope.unique_id(node.id))
        if state is not None and state.phase in ("FAILED", "TIMED_OUT"):
            return str(node.id)
    return ""


def _error_union(error: execution_pb2.ExecutionError, failed_node_id: str) -> literals_pb2.Literal:
    """The `err` input of a failure handler: Optional[FlyteError] holding the failure's message and node."""
    value = literals_pb2.Literal(
        scalar=literals_pb2.Scalar(error=literals_pb2.Error(failed_node_id=failed_node_id, message=error.message))
    )
    error_type = types_pb2.LiteralType(simple=types_pb2.ERROR, structure=types_pb2.TypeStructure(tag="FlyteError"))
    return literals_pb2.Literal(scalar=literals_pb2.Scalar(union=literals_pb2.Union(value=value, type=error_type)))


def _run_failure_node(runner: ScopeRunner, ctx: RoundContext, scope: Scope) -> bool:
    place = _failure_place(runner, ctx, scope)
    node_state = ctx.state.node(place.unique_id)
    if not node_state.terminal:
        runner.step_node(ctx, place, node_state)
    if not node_state.terminal:
        return False
    error = decode_error(ctx.state.error)
    if not node_state.ok and node_state.error:
        error = decode_error(node_state.error)
    ctx.state.phase = "FAILED"
    ctx.emit.workflow(WorkflowPhase.FAILED, ctx.now, error=error)
    return True


def _failure_place_abort(runner: ScopeRunner, ctx: RoundContext, scope: Scope) -> None:
    place = _failure_place(runner, ctx, scope)
    node_state = ctx.state.nodes.get(place.unique_id)
    if node_state is not None and not node_state.terminal and node_state.phase != "NOT_STARTED":
        runner.abort_node(ctx, place, node_state, ABORT_REASON)
