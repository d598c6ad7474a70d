"""Branch nodes (§3.3): candidates are renamed, outputs are those all candidates share, conditions are checked."""

from __future__ import annotations

from flyteidl.core import condition_pb2, literals_pb2, workflow_pb2
from tests.unit.compiler.builders import (
    FLOAT,
    INT,
    STR,
    branch_node,
    compare,
    compile_errors,
    const_operand,
    optional,
    promise,
    task,
    task_node,
    var_operand,
    workflow,
)

from flyteplane.compiler import compile_workflow

GT = condition_pb2.ComparisonExpression.GT
SQUARE = task("square", {"x": INT}, {"o0": INT, "extra": STR})
HALF = task("half", {"x": INT}, {"o0": INT})
AS_FLOAT = task("as_float", {"x": INT}, {"o0": FLOAT})
MAYBE = task("maybe", {}, {"o0": optional(INT)})
TASKS = [SQUARE, HALF, AS_FLOAT, MAYBE]


def branch(
    cases: list[tuple[condition_pb2.BooleanExpression | None, workflow_pb2.Node | None]],
    else_node: workflow_pb2.Node | None = None,
    error: str | None = None,
    inputs: dict[str, literals_pb2.BindingData] | None = None,
) -> workflow_pb2.WorkflowTemplate:
    """wf(x) -> branch on x (bound as `.x`) -> its o0 is the workflow output."""
    node = branch_node("b", cases, else_node, error, inputs if inputs is not None else {".x": promise("", "x")})
    return workflow("wf", [node], {"x": INT}, {"y": INT}, {"y": promise("b", "o0")})


X_POSITIVE = compare(var_operand(".x"), GT, const_operand(0))


def test_candidates_are_renamed_and_depend_on_their_own_inputs() -> None:
    primary = branch(
        [(X_POSITIVE, task_node("n0", "square", {"x": promise("", "x")}))],
        else_node=task_node("n1", "half", {"x": promise("", "x")}),
    )
    closure = compile_workflow(primary, [], TASKS, [])
    if_else = closure.primary.template.nodes[2].branch_node.if_else
    assert (if_else.case.then_node.id, if_else.else_node.id) == ("b-n0", "b-n1")
    assert if_else.case.then_node.inputs[0].binding.promise.node_id == "start-node"
    upstream = {k: list(v.ids) for k, v in closure.primary.connections.upstream.items()}
    assert upstream["b"] == ["start-node"]
    assert upstream["b-n0"] == upstream["b-n1"] == ["start-node"]
    assert "b-n0" not in closure.primary.connections.downstream


def test_the_branch_outputs_only_what_every_candidate_produces() -> None:
    primary = branch(
        [(X_POSITIVE, task_node("n0", "square", {"x": promise("", "x")}))],
        else_node=task_node("n1", "half", {"x": promise("", "x")}),
    )
    primary.interface.outputs.variables["z"].type.CopyFrom(STR)
    primary.outputs.add(var="z", binding=promise("b", "extra"))
    errors = compile_errors(primary, TASKS)
    assert [(e.code, e.node_id) for e in errors.errors] == [
        ("ParameterNotBound", "end-node"),
        ("VariableNameNotFound", "b"),
    ]


def test_candidates_must_agree_on_shared_output_types() -> None:
    primary = branch(
        [(X_POSITIVE, task_node("n0", "square", {"x": promise("", "x")}))],
        else_node=task_node("n1", "as_float", {"x": promise("", "x")}),
    )
    errors = compile_errors(primary, TASKS)
    assert next(str(e) for e in errors.errors) == (
        "Code: MismatchingTypes, Node Id: b-n1, Description: Variable [o0] (type [simple:INTEGER]) "
        "doesn't match expected type [simple:FLOAT]."
    )


def test_nested_branches_compound_candidate_names() -> None:
    inner = branch_node(
        "n1",
        [(X_POSITIVE, task_node("n0", "half", {"x": promise("", "x")}))],
        else_node=task_node("n1", "half", {"x": promise("", "x")}),
        inputs={".x": promise("", "x")},
    )
    primary = branch([(X_POSITIVE, inner)], error="no luck")
    closure = compile_workflow(primary, [], TASKS, [])
    nested = closure.primary.template.nodes[2].branch_node.if_else.case.then_node
    assert nested.id == "b-n1"
    assert [nested.branch_node.if_else.case.then_node.id, nested.branch_node.if_else.else_node.id] == [
        "b-n1-n0",
        "b-n1-n1",
    ]


def test_a_branch_needs_a_default() -> None:
    errors = compile_errors(branch([(X_POSITIVE, task_node("n0", "half", {"x": promise("", "x")}))]), TASKS)
    assert [(e.code, e.node_id, e.description) for e in errors.errors] == [
        ("BranchNodeHasNoDefault", "b", "Branch Node must have either the else case set or a default error.")
    ]


def test_every_case_needs_a_condition_and_a_node() -> None:
    half = task_node("n0", "half", {"x": promise("", "x")})
    other = task_node("n1", "half", {"x": promise("", "x")})
    errors = compile_errors(branch([(X_POSITIVE, half), (None, other), (X_POSITIVE, None)], error="e"), TASKS)
    reported = [(e.code, e.node_id, e.description) for e in errors.errors]
    assert ("BranchNodeHasNoCondition", "b", "One of the branches on the node doesn't have a condition.") in reported
    assert ("BranchNodeIdNotFound", "b", "BranchNode not assigned") in reported
    assert ("ValueRequired", "b", "Value required [IfElse.Case.ThenNode].") in reported


def test_conditions_may_only_use_variables_the_branch_binds() -> None:
    unbound = compare(var_operand("n9.o0"), GT, const_operand(0))
    errors = compile_errors(branch([(unbound, task_node("n0", "half", {"x": promise("", "x")}))], error="e"), TASKS)
    assert [(e.code, e.description) for e in errors.errors] == [
        ("VariableNameNotFound", "Variable [n9.o0] not found on node [b].")
    ]


def test_compared_operands_must_have_the_same_type() -> None:
    mismatched = compare(var_operand(".x"), GT, const_operand(0.5))
    errors = compile_errors(branch([(mismatched, task_node("n0", "half", {"x": promise("", "x")}))], error="e"), TASKS)
    assert [(e.code, e.description) for e in errors.errors] == [
        (
            "MismatchingTypes",
            "Variable [RightValue] (type [simple:FLOAT]) doesn't match expected type [simple:INTEGER].",
        )
    ]


def test_conjunctions_check_both_sides() -> None:
    both = condition_pb2.BooleanExpression(
        conjunction=condition_pb2.ConjunctionExpression(
            left_expression=X_POSITIVE, right_expression=compare(var_operand(".x"), GT, const_operand("a"))
        )
    )
    errors = compile_errors(branch([(both, task_node("n0", "half", {"x": promise("", "x")}))], error="e"), TASKS)
    assert [e.code for e in errors.errors] == ["MismatchingTypes"]


def test_a_none_literal_operand_only_has_to_fit_the_other_side() -> None:
    is_none = compare(
        var_operand("m.o0"),
        condition_pb2.ComparisonExpression.EQ,
        condition_pb2.Operand(scalar=literals_pb2.Scalar(none_type=literals_pb2.Void())),
    )
    node = branch_node(
        "b",
        [(is_none, task_node("n0", "half", {"x": promise("", "x")}))],
        else_node=task_node("n1", "half", {"x": promise("", "x")}),
        inputs={"m.o0": promise("m", "o0")},
    )
    primary = workflow("wf", [task_node("m", "maybe"), node], {"x": INT}, {"y": INT}, {"y": promise("b", "o0")})
    closure = compile_workflow(primary, [], TASKS, [])
    assert list(closure.primary.connections.upstream["b"].ids) == ["m"]
