"""Launch-plan nodes: start a child execution, follow it, take its outputs or its error (§6.6)."""

from __future__ import annotations

import contextlib

from flyteidl.admin import execution_pb2 as admin_execution_pb2
from flyteidl.core import execution_pb2, identifier_pb2

from flyteplane.engine.context import RoundContext
from flyteplane.engine.errors import NodeFailure, error_kind
from flyteplane.engine.events import NodePhase
from flyteplane.engine.ids import child_execution_name
from flyteplane.engine.nodes import common
from flyteplane.engine.place import NodePlace
from flyteplane.engine.recovery import recovered_child
from flyteplane.engine.state import NodeState
from flyteplane.errors import AlreadyExists, FlyteplaneError

__all__ = ["LaunchPlanNodeHandler"]

Phase = execution_pb2.WorkflowExecution.Phase
CHILD_POLL = 1.0


class LaunchPlanNodeHandler:
    def _child_id(self, ctx: RoundContext, st: NodeState) -> identifier_pb2.WorkflowExecutionIdentifier:
        parent = ctx.execution.id
        return identifier_pb2.WorkflowExecutionIdentifier(
            project=parent.project, domain=parent.domain, name=st.child_execution
        )

    def step(self, ctx: RoundContext, place: NodePlace, st: NodeState) -> None:
        if st.phase == "NOT_STARTED":
            common.queue(ctx, place, st)
        if st.phase == "QUEUED":
            if not ctx.has_slot():
                return
            self._launch(ctx, place, st)
        if st.phase == "RUNNING":
            ctx.running_slots += 1
            self._follow(ctx, place, st)

    def _launch(self, ctx: RoundContext, place: NodePlace, st: NodeState) -> None:
        parent = ctx.execution
        st.child_execution = child_execution_name(parent.id.name, place.unique_id, st.attempt)
        spec = admin_execution_pb2.ExecutionSpec(
            launch_plan=place.node.workflow_node.launchplan_ref,
            metadata=admin_execution_pb2.ExecutionMetadata(
                mode=admin_execution_pb2.ExecutionMetadata.CHILD_WORKFLOW,
                nesting=parent.nesting + 1,
                parent_node_execution=identifier_pb2.NodeExecutionIdentifier(
                    node_id=place.unique_id, execution_id=parent.id
                ),
            ),
            labels=parent.spec.labels,
            annotations=parent.spec.annotations,
            security_context=parent.spec.security_context,
            raw_output_data_config=parent.spec.raw_output_data_config,
            max_parallelism=parent.spec.max_parallelism,
            envs=parent.spec.envs,
        )
        if parent.spec.HasField("interruptible"):
            spec.interruptible.CopyFrom(parent.spec.interruptible)
        spec.overwrite_cache = parent.spec.overwrite_cache
        request = admin_execution_pb2.ExecutionCreateRequest(
            project=parent.id.project,
            domain=parent.id.domain,
            name=st.child_execution,
            spec=spec,
            inputs=common.inputs_of(ctx, place),
        )
        original_child = recovered_child(ctx, place.unique_id) if parent.recovering_from is not None else None
        with contextlib.suppress(AlreadyExists):  # launched before a crash: follow the one that exists
            if original_child is not None:
                # The original run launched a child that did not succeed: recover it, so what succeeded in
                # it is reused too (§6.7).
                ctx.children.recover_execution(
                    admin_execution_pb2.ExecutionRecoverRequest(
                        id=original_child,
                        name=st.child_execution,
                        metadata=admin_execution_pb2.ExecutionMetadata(
                            parent_node_execution=spec.metadata.parent_node_execution
                        ),
                    )
                )
            else:
                ctx.children.create_execution(request)
        st.phase = "RUNNING"
        st.started_at = ctx.now
        ctx.emit.node(
            place.ref,
            NodePhase.RUNNING,
            ctx.now,
            input_uri=common.input_uri(ctx, place),
            child_execution=self._child_id(ctx, st),
        )

    def _follow(self, ctx: RoundContext, place: NodePlace, st: NodeState) -> None:
        child_id = self._child_id(ctx, st)
        child = ctx.children.get_execution(admin_execution_pb2.WorkflowExecutionGetRequest(id=child_id))
        phase = child.closure.phase
        if phase == Phase.SUCCEEDED:
            data = ctx.children.get_execution_data(admin_execution_pb2.WorkflowExecutionGetDataRequest(id=child_id))
            output_dir = place.attempt_dir(st.attempt)
            ctx.write_literal_map(f"{output_dir}/outputs.pb", data.full_outputs)
            common.succeed(ctx, place, st, output_dir)
        elif phase in (Phase.FAILED, Phase.TIMED_OUT):
            error = child.closure.error
            common.fail(
                ctx,
                place,
                st,
                NodeFailure(
                    error.code or "LaunchPlanExecutionFailed",
                    error.message or f"child execution [{child_id.name}] failed",
                    kind=error_kind(error),
                ),
            )
        elif phase == Phase.ABORTED:
            common.fail(
                ctx,
                place,
                st,
                NodeFailure("RemoteChildWorkflowExecutionFailed", f"child execution [{child_id.name}] was aborted"),
            )
        else:
            ctx.wants_check_in(CHILD_POLL)

    def abort(self, ctx: RoundContext, place: NodePlace, st: NodeState, reason: str) -> None:
        if not st.child_execution:
            return
        cause = f"cascading abort as parent execution id [{ctx.execution.id.name}] aborted, reason [{reason}]"
        with contextlib.suppress(FlyteplaneError):  # a child that already ended (or is gone) needs no abort
            ctx.children.terminate_execution(
                admin_execution_pb2.ExecutionTerminateRequest(id=self._child_id(ctx, st), cause=cause)
            )
