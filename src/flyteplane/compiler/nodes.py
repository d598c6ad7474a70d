"""Node validation (§3.3): infer each node's interface from what it runs, and check what it references."""

from __future__ import annotations

import re

from flyteidl.core import interface_pb2

from flyteplane.compiler.bindings import add_node_edges, outputs_of, validate_bindings
from flyteplane.compiler.branches import branch_interface, validate_branch
from flyteplane.compiler.errors import (
    invalid_node_id,
    no_condition_found,
    task_reference_not_found,
    value_required,
    workflow_reference_not_found,
)
from flyteplane.compiler.identifiers import id_key, id_text
from flyteplane.compiler.interfaces import (
    array_node_interface,
    empty_interface,
    launch_plan_node_interface,
    normalize_interface,
)
from flyteplane.compiler.scope import END_NODE_ID, START_NODE_ID, EdgeDirection, NodeBuilder, WorkflowScope

__all__ = ["NODE_ID", "infer_interface", "validate_node"]

# Node ids become blob keys and unique ids (`n0-0-n1`): letters, digits, '-' and '_', as flytekit writes them.
# (An array node's inner node is never addressed by its id, which flytekit fills with the mapped task's name.)
NODE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,62}")


def infer_interface(scope: WorkflowScope, builder: NodeBuilder) -> interface_pb2.TypedInterface | None:
    """The interface the node exposes to its bindings and to downstream nodes; None if it has errors."""
    errors = scope.errors
    before = errors.count
    interface = _underlying_interface(scope, builder)
    if interface is not None:
        normalize_interface(builder.id, interface, errors)
    return interface if errors.count == before else None


def _underlying_interface(scope: WorkflowScope, builder: NodeBuilder) -> interface_pb2.TypedInterface | None:
    node = builder.node
    target = node.WhichOneof("target")
    if target == "task_node":
        return _task_interface(scope, builder)
    if target == "workflow_node":
        return _workflow_interface(scope, builder)
    if target == "branch_node":
        return branch_interface(scope, builder)
    if target == "gate_node":
        return _gate_interface(scope, builder)
    if target == "array_node":
        child = builder.array_child()
        if child is None:
            scope.errors.collect(value_required(builder.id, "ArrayNode.Node"))
            return None
        child_interface = scope.interface_of(child)
        return None if child_interface is None else array_node_interface(node.array_node, child_interface)
    scope.errors.collect(value_required(builder.id, "Target"))
    return None


def _task_interface(scope: WorkflowScope, builder: NodeBuilder) -> interface_pb2.TypedInterface | None:
    task_node = builder.node.task_node
    if not task_node.HasField("reference_id"):
        scope.errors.collect(value_required(builder.id, "TaskNode.ReferenceId"))
        return None
    task = scope.context.tasks.get(id_key(task_node.reference_id))
    if task is None:
        scope.errors.collect(task_reference_not_found(builder.id, id_text(task_node.reference_id)))
        return None
    # Like flytepropeller, the task's own interface is normalised in place (absent maps become empty ones).
    return task.interface if task.HasField("interface") else empty_interface()


def _workflow_interface(scope: WorkflowScope, builder: NodeBuilder) -> interface_pb2.TypedInterface | None:
    workflow_node = builder.node.workflow_node
    reference = workflow_node.WhichOneof("reference")
    if reference == "launchplan_ref":
        ref = workflow_node.launchplan_ref
        if scope.template.HasField("id") and id_key(ref) == id_key(scope.template.id):
            interface: interface_pb2.TypedInterface = scope.template.interface  # the workflow calls itself
            return interface
        launch_plan = scope.context.launch_plans.get(id_key(ref))
        if launch_plan is None:
            scope.errors.collect(workflow_reference_not_found(builder.id, id_text(ref)))
            return None
        return launch_plan_node_interface(launch_plan, (binding.var for binding in builder.node.inputs))
    if reference == "sub_workflow_ref":
        ref = workflow_node.sub_workflow_ref
        sub_workflow = scope.context.sub_workflows.get(id_key(ref))
        if sub_workflow is None:
            scope.errors.collect(workflow_reference_not_found(builder.id, id_text(ref)))
            return None
        interface = sub_workflow.template.interface
        return interface
    scope.errors.collect(workflow_reference_not_found(builder.id, "<nil>/<nil>"))
    return None


def _gate_interface(scope: WorkflowScope, builder: NodeBuilder) -> interface_pb2.TypedInterface | None:
    gate = builder.node.gate_node
    condition = gate.WhichOneof("condition")
    if condition == "approve":
        # Approval passes its inputs through unchanged; both sides are what the node binds.
        bound = validate_bindings(scope, builder, builder.node.inputs, None, False, EdgeDirection.UPSTREAM)
        return interface_pb2.TypedInterface(inputs=bound, outputs=bound)
    if condition == "signal":
        signal = gate.signal
        if not signal.HasField("type"):
            scope.errors.collect(value_required(builder.id, "GateNode.Signal.Type"))
            return None
        if not signal.output_variable_name:
            scope.errors.collect(value_required(builder.id, "GateNode.Signal.OutputVariableName"))
            return None
        interface = empty_interface()
        interface.outputs.variables[signal.output_variable_name].type.CopyFrom(signal.type)
        return interface
    if condition == "sleep":
        return empty_interface()
    scope.errors.collect(no_condition_found(builder.id))
    return None


def validate_node(scope: WorkflowScope, builder: NodeBuilder) -> bool:
    """Validates one node (and, for branches, its candidates); True when it added no errors."""
    errors = scope.errors
    before = errors.count
    if not builder.id:
        errors.collect(value_required("<node>", "Id"))
    elif not NODE_ID.fullmatch(builder.id):
        errors.collect(invalid_node_id(builder.id))
        return False
    if builder.id in (START_NODE_ID, END_NODE_ID):
        return True
    if scope.interface_of(builder) is not None:
        outputs_of(scope, builder)  # reports invalid output aliases
    node = builder.node
    upstream_ids = sorted(node.upstream_node_ids)  # deterministic output whatever order the client used
    del node.upstream_node_ids[:]
    node.upstream_node_ids.extend(upstream_ids)

    target = node.WhichOneof("target")
    if target == "branch_node":
        branch_before = errors.count
        validate_branch(scope, builder)
        valid_children = [child for child in builder.branch_children() if validate_node(scope, child)]
        if errors.count == branch_before:
            for child in valid_children:
                add_node_edges(scope, child, EdgeDirection.UPSTREAM)
    elif target == "workflow_node":
        _compile_sub_workflow(scope, builder)
    elif target == "array_node":
        array_child = builder.array_child()
        if array_child is not None and array_child.node.WhichOneof("target") == "workflow_node":
            _compile_sub_workflow(scope, array_child)
    return errors.count == before


def _compile_sub_workflow(scope: WorkflowScope, builder: NodeBuilder) -> None:
    workflow_node = builder.node.workflow_node
    if workflow_node.WhichOneof("reference") == "sub_workflow_ref":
        key = id_key(workflow_node.sub_workflow_ref)
        if key in scope.context.sub_workflows:
            scope.context.compile_sub_workflow(key, builder.id)
