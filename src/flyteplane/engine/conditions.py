"""Branch conditions (§8.7): comparisons between primitives of the same kind, joined by AND / OR."""

from __future__ import annotations

from typing import Any

from flyteidl.core import condition_pb2, literals_pb2

from flyteplane.engine.errors import NodeFailure

__all__ = ["evaluate"]

Comparison = condition_pb2.ComparisonExpression


def evaluate(expression: condition_pb2.BooleanExpression, inputs: literals_pb2.LiteralMap) -> bool:
    if expression.HasField("conjunction"):
        conjunction = expression.conjunction
        left = evaluate(conjunction.left_expression, inputs)
        if conjunction.operator == condition_pb2.ConjunctionExpression.AND:
            return left and evaluate(conjunction.right_expression, inputs)
        return left or evaluate(conjunction.right_expression, inputs)
    comparison = expression.comparison
    return _compare(
        comparison.operator, _operand(comparison.left_value, inputs), _operand(comparison.right_value, inputs)
    )


def _operand(operand: condition_pb2.Operand, inputs: literals_pb2.LiteralMap) -> tuple[str, Any]:
    kind = operand.WhichOneof("val")
    if kind == "primitive":
        return _primitive(operand.primitive)
    if kind == "var":
        if operand.var not in inputs.literals:
            raise NodeFailure("MalformedBranchUserError", f"branch condition uses unbound variable [{operand.var}]")
        return _scalar(inputs.literals[operand.var].scalar)
    if kind == "scalar":
        return _scalar(operand.scalar)
    raise NodeFailure("MalformedBranchUserError", "branch condition has an empty operand")


def _scalar(scalar: literals_pb2.Scalar) -> tuple[str, Any]:
    if scalar.HasField("primitive"):
        return _primitive(scalar.primitive)
    if scalar.HasField("none_type"):
        return ("none", None)
    if scalar.HasField("union"):
        return _scalar(scalar.union.value.scalar)
    raise NodeFailure("MalformedBranchUserError", "branch conditions compare primitive values only")


def _primitive(primitive: literals_pb2.Primitive) -> tuple[str, Any]:
    kind = primitive.WhichOneof("value")
    if kind == "datetime":
        return ("datetime", primitive.datetime.seconds)
    if kind == "duration":
        return ("duration", primitive.duration.seconds)
    if kind is None:
        return ("none", None)
    return (kind, getattr(primitive, kind))


def _compare(operator: int, left: tuple[str, Any], right: tuple[str, Any]) -> bool:
    (left_kind, left_value), (right_kind, right_value) = left, right
    if operator in (Comparison.EQ, Comparison.NEQ) and "none" in (left_kind, right_kind):
        equal = left_kind == right_kind
        return equal if operator == Comparison.EQ else not equal
    if left_kind != right_kind:
        raise NodeFailure(
            "MalformedBranchUserError", f"cannot compare a {left_kind} with a {right_kind} in a branch condition"
        )
    if left_kind == "boolean" and operator not in (Comparison.EQ, Comparison.NEQ):
        raise NodeFailure("MalformedBranchUserError", "booleans only support == and != in branch conditions")
    if operator == Comparison.EQ:
        return bool(left_value == right_value)
    if operator == Comparison.NEQ:
        return bool(left_value != right_value)
    if operator == Comparison.GT:
        return bool(left_value > right_value)
    if operator == Comparison.GTE:
        return bool(left_value >= right_value)
    if operator == Comparison.LT:
        return bool(left_value < right_value)
    return bool(left_value <= right_value)
