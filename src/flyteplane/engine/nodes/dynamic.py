"""Dynamic tasks: the task's futures.pb becomes a workflow, compiled and run under the node (§8.7)."""

from __future__ import annotations

from flyteidl.core import compiler_pb2, dynamic_job_pb2, execution_pb2, identifier_pb2, tasks_pb2, workflow_pb2
from flyteidl.event import event_pb2

from flyteplane.compiler import CompileErrors, compile_workflow
from flyteplane.engine.context import RoundContext, identifier_key
from flyteplane.engine.errors import NodeFailure
from flyteplane.engine.events import NodePhase
from flyteplane.engine.nodes import common
from flyteplane.engine.place import NodePlace
from flyteplane.engine.scopes import Scope, ScopeRunner
from flyteplane.engine.state import NodeState

__all__ = ["DynamicHandler"]


class DynamicHandler:
    """How a task node continues once its task returned futures (see TaskNodeHandler): not a node kind of its
    own, so it is not in the handler table."""

    def __init__(self, scopes: ScopeRunner) -> None:
        self.scopes = scopes

    def _compiled(
        self, ctx: RoundContext, place: NodePlace, st: NodeState, task: tasks_pb2.TaskTemplate
    ) -> compiler_pb2.CompiledWorkflowClosure:
        compiled_key = f"{st.output_dir}/dynamic_compiled.pb"
        if ctx.blobs.exists(compiled_key):
            return compiler_pb2.CompiledWorkflowClosure.FromString(ctx.blobs.get_bytes(compiled_key))
        futures_key = f"{st.output_dir}/futures.pb"
        spec = dynamic_job_pb2.DynamicJobSpec.FromString(ctx.blobs.get_bytes(futures_key))
        template = workflow_pb2.WorkflowTemplate(
            id=identifier_pb2.Identifier(
                resource_type=identifier_pb2.WORKFLOW,
                project=task.id.project,
                domain=task.id.domain,
                name=f"dynamic_{place.unique_id}",
                version=task.id.version,
            ),
            interface=task.interface,
            nodes=spec.nodes,
            outputs=spec.outputs,
        )
        try:
            compiled = compile_workflow(template, list(spec.subworkflows), list(spec.tasks), [])
        except CompileErrors as exc:
            raise NodeFailure("DynamicWorkflowBuildFailed", str(exc)) from exc
        ctx.blobs.put_bytes(compiled_key, compiled.SerializeToString())
        ctx.emit.node(
            place.ref,
            NodePhase.DYNAMIC_RUNNING,
            ctx.now,
            input_uri=common.input_uri(ctx, place),
            is_parent=True,
            is_dynamic=True,
            task_node_metadata=event_pb2.TaskNodeMetadata(
                dynamic_workflow=event_pb2.DynamicWorkflowNodeMetadata(
                    id=template.id,
                    compiled_workflow=compiled,
                    dynamic_job_spec_uri=ctx.blobs.native_url(futures_key),
                )
            ),
        )
        return compiled

    def _scope(
        self, ctx: RoundContext, place: NodePlace, st: NodeState, compiled: compiler_pb2.CompiledWorkflowClosure
    ) -> Scope:
        # The dynamic workflow brings its own tasks and sub-workflows: make them visible for this round.
        ctx.execution.tasks.update({identifier_key(t.template.id): t.template for t in compiled.tasks})
        ctx.execution.sub_workflows.update({identifier_key(w.template.id): w for w in compiled.sub_workflows})
        return Scope(
            workflow=compiled.primary,
            inputs=common.inputs_of(ctx, place),
            parent_unique_id=place.unique_id,
            parent_attempt=st.attempt,
            base_dir=st.output_dir,
            top_level=False,
        )

    def step(self, ctx: RoundContext, place: NodePlace, st: NodeState, task: tasks_pb2.TaskTemplate) -> None:
        try:
            compiled = self._compiled(ctx, place, st, task)
        except NodeFailure as failure:
            common.fail(ctx, place, st, failure, is_dynamic=True)
            return
        scope = self._scope(ctx, place, st, compiled)
        self.scopes.start_scope(ctx, scope)
        outcome = self.scopes.step_scope(ctx, scope)
        if outcome.phase == "SUCCEEDED":
            common.succeed(ctx, place, st, outcome.output_dir, is_parent=True, is_dynamic=True)
        elif outcome.phase == "FAILED":
            error = outcome.error or execution_pb2.ExecutionError()
            child_failure = NodeFailure(error.code or "DynamicWorkflowFailed", error.message)
            common.fail(ctx, place, st, child_failure, is_parent=True, is_dynamic=True)

    def abort(self, ctx: RoundContext, place: NodePlace, st: NodeState, reason: str) -> None:
        if ctx.blobs.exists(f"{st.output_dir}/dynamic_compiled.pb"):
            compiled = compiler_pb2.CompiledWorkflowClosure.FromString(
                ctx.blobs.get_bytes(f"{st.output_dir}/dynamic_compiled.pb")
            )
            self.scopes.abort_scope(ctx, self._scope(ctx, place, st, compiled), reason)
