"""Branch nodes (§3.3): the interface they expose, and the shape of their cases and conditions.

A branch runs one of its candidate nodes, so it can only promise the outputs every candidate produces (with
identical types); its inputs are whatever its bindings feed into the conditions.
"""

from __future__ import annotations

from flyteidl.core import condition_pb2, interface_pb2, types_pb2

from flyteplane.compiler.bindings import validate_bindings
from flyteplane.compiler.errors import (
    branch_node_has_no_condition,
    branch_node_has_no_default,
    branch_node_not_specified,
    mismatching_types,
    unrecognized_value,
    value_required,
    variable_name_not_found,
)
from flyteplane.compiler.scope import EdgeDirection, NodeBuilder, WorkflowScope
from flyteplane.compiler.types import (
    are_types_castable,
    literal_type_of_primitive,
    literal_type_of_scalar,
    type_key,
    type_to_str,
)

__all__ = ["branch_interface", "validate_branch"]


def branch_interface(scope: WorkflowScope, builder: NodeBuilder) -> interface_pb2.TypedInterface | None:
    """Outputs common to all candidates; inputs discovered from the branch node's bindings.

    Candidates are renamed `<branch id>-<candidate id>` here, so ids stay unique across the workflow.
    """
    errors = scope.errors
    before = errors.count
    node_id = builder.id
    if_else = builder.node.branch_node.if_else
    if not builder.node.branch_node.HasField("if_else"):
        errors.collect(value_required(node_id, "Branch.IfElse"))
        return None
    if not if_else.HasField("case"):
        errors.collect(value_required(node_id, "Branch.IfElse.Case"))
        return None
    if not if_else.case.HasField("then_node"):
        errors.collect(value_required(node_id, "Branch.IfElse.Case.ThenNode"))
        return None
    for block in if_else.other:
        if not block.HasField("then_node"):
            errors.collect(value_required(node_id, "IfElse.Case.ThenNode"))

    outputs: interface_pb2.VariableMap | None = None
    common: set[str] = set()
    for child in builder.branch_children():
        child.node.id = f"{node_id}-{child.id}"
        child_interface = scope.interface_of(child)
        if child_interface is None:
            continue
        if outputs is None:
            outputs = child_interface.outputs
            common = set(outputs.variables)
            continue
        candidate = child_interface.outputs.variables
        common &= set(candidate)
        for name in sorted(common):
            ours, theirs = outputs.variables[name].type, candidate[name].type
            if type_key(ours) != type_key(theirs):
                errors.collect(mismatching_types(child.id, name, type_to_str(ours), type_to_str(theirs)))

    inputs = validate_bindings(scope, builder, builder.node.inputs, None, False, EdgeDirection.UPSTREAM)
    if errors.count != before or outputs is None:
        return None
    interface = interface_pb2.TypedInterface(inputs=inputs)
    interface.outputs.SetInParent()
    for name in common:
        interface.outputs.variables[name].CopyFrom(outputs.variables[name])
    return interface


def validate_branch(scope: WorkflowScope, builder: NodeBuilder) -> None:
    """Every case has a condition and a node to run; there is an else node or an error to fail with."""
    errors = scope.errors
    node_id = builder.id
    if_else = builder.node.branch_node.if_else
    blocks = []
    if if_else.HasField("case"):
        blocks.append(if_else.case)
    else:
        errors.collect(branch_node_has_no_condition(node_id))
    blocks.extend(if_else.other)
    for block in blocks:
        condition = block.condition if block.HasField("condition") else None
        _validate_expression(scope, builder, condition)
        if not block.HasField("then_node"):
            errors.collect(branch_node_not_specified(node_id))
    if if_else.WhichOneof("default") is None:
        errors.collect(branch_node_has_no_default(node_id))


def _validate_expression(
    scope: WorkflowScope, builder: NodeBuilder, expression: condition_pb2.BooleanExpression | None
) -> None:
    errors = scope.errors
    if expression is None:
        errors.collect(branch_node_has_no_condition(builder.id))
        return
    kind = expression.WhichOneof("expr")
    if kind == "comparison":
        comparison = expression.comparison
        right = _operand(scope, builder, "RightValue", comparison, "right_value")
        left = _operand(scope, builder, "LeftValue", comparison, "left_value")
        if right is None or left is None or right[0] is None or left[0] is None:
            return
        (right_type, right_is_value), (left_type, left_is_value) = right, left
        if right_is_value or left_is_value:
            # A literal operand (e.g. `None` in `x.is_none()`) only has to fit the other side.
            value_type, other = (right_type, left_type) if right_is_value else (left_type, right_type)
            compatible = are_types_castable(value_type, other)
        else:
            compatible = type_key(right_type) == type_key(left_type)
        if not compatible:
            errors.collect(mismatching_types(builder.id, "RightValue", type_to_str(right_type), type_to_str(left_type)))
    elif kind == "conjunction":
        conjunction = expression.conjunction
        for side in ("left_expression", "right_expression"):
            _validate_expression(scope, builder, getattr(conjunction, side) if conjunction.HasField(side) else None)
    else:
        errors.collect(value_required(builder.id, "Expr"))


def _operand(
    scope: WorkflowScope,
    builder: NodeBuilder,
    param: str,
    comparison: condition_pb2.ComparisonExpression,
    field: str,
) -> tuple[types_pb2.LiteralType | None, bool] | None:
    """(type or None if unknown, whether it is a scalar literal); None when the operand is invalid."""
    errors = scope.errors
    node_id = builder.id
    if not comparison.HasField(field):
        errors.collect(value_required(node_id, param))
        return None
    operand = getattr(comparison, field)
    kind = operand.WhichOneof("val")
    if kind == "primitive":
        return literal_type_of_primitive(operand.primitive), False
    if kind == "scalar":
        scalar_type = literal_type_of_scalar(operand.scalar)
        if scalar_type is None:
            errors.collect(unrecognized_value(node_id, operand.scalar.WhichOneof("value") or "nil"))
            return None
        return scalar_type, True
    if kind == "var" and operand.var:
        interface = builder.interface
        if interface is None:
            errors.collect(value_required(node_id, operand.var))
            return None
        if operand.var in interface.inputs.variables:
            return interface.inputs.variables[operand.var].type, False
        if any(binding.var == operand.var for binding in builder.node.inputs):
            return None, False
        errors.collect(variable_name_not_found(node_id, node_id, operand.var))
        return None
    errors.collect(value_required(node_id, f"{param}.Val"))
    return None
