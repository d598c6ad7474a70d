"""Branch conditions compare primitives of one kind, joined by AND / OR."""

from __future__ import annotations

import pytest
from flyteidl.core import condition_pb2, literals_pb2

from flyteplane.engine.conditions import evaluate
from flyteplane.engine.errors import NodeFailure

C = condition_pb2.ComparisonExpression


def var(name: str) -> condition_pb2.Operand:
    return condition_pb2.Operand(var=name)


def const(**value: object) -> condition_pb2.Operand:
    return condition_pb2.Operand(primitive=literals_pb2.Primitive(**value))  # type: ignore[arg-type]


def compare(op: int, left: condition_pb2.Operand, right: condition_pb2.Operand) -> condition_pb2.BooleanExpression:
    return condition_pb2.BooleanExpression(comparison=C(operator=op, left_value=left, right_value=right))  # type: ignore[arg-type]


INPUTS = literals_pb2.LiteralMap(
    literals={
        "x": literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(integer=5))),
        "f": literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(float_value=0.5))),
        "b": literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(boolean=True))),
    }
)


@pytest.mark.parametrize(
    ("op", "right", "expected"),
    [(C.EQ, 5, True), (C.NEQ, 5, False), (C.GT, 4, True), (C.GTE, 5, True), (C.LT, 5, False), (C.LTE, 5, True)],
)
def test_integer_comparisons(op: int, right: int, expected: bool) -> None:
    assert evaluate(compare(op, var("x"), const(integer=right)), INPUTS) is expected


def test_conjunctions() -> None:
    yes = compare(C.GT, var("x"), const(integer=1))
    no = compare(C.LT, var("x"), const(integer=1))
    conj = condition_pb2.ConjunctionExpression
    both = condition_pb2.BooleanExpression(
        conjunction=conj(operator=conj.AND, left_expression=yes, right_expression=no)
    )
    either = condition_pb2.BooleanExpression(
        conjunction=conj(operator=conj.OR, left_expression=no, right_expression=yes)
    )
    assert evaluate(both, INPUTS) is False
    assert evaluate(either, INPUTS) is True


def test_mixed_kinds_are_a_user_error() -> None:
    with pytest.raises(NodeFailure, match="cannot compare a integer with a float_value"):
        evaluate(compare(C.GT, var("x"), var("f")), INPUTS)


def test_booleans_support_only_equality() -> None:
    assert evaluate(compare(C.EQ, var("b"), const(boolean=True)), INPUTS) is True
    with pytest.raises(NodeFailure, match="booleans only support"):
        evaluate(compare(C.GT, var("b"), const(boolean=False)), INPUTS)


def test_unbound_variable_is_reported() -> None:
    with pytest.raises(NodeFailure, match=r"unbound variable \[zz\]"):
        evaluate(compare(C.EQ, var("zz"), const(integer=1)), INPUTS)
