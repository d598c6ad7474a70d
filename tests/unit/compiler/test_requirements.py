"""A workflow's requirements: every task and launch plan its nodes reference, wherever the node sits."""

from __future__ import annotations

import pytest
from flyteidl.core import workflow_pb2
from tests.unit.compiler.builders import (
    branch_node,
    compare,
    const_operand,
    launch_plan_id,
    launch_plan_node,
    sub_workflow_node,
    task_id,
    task_node,
    var_operand,
    workflow,
)

from flyteplane.compiler import CompileErrors, get_requirements


def names(identifiers: list[object]) -> list[str]:
    return [i.name for i in identifiers]  # type: ignore[attr-defined]


def test_collects_tasks_and_launch_plans_from_every_kind_of_node() -> None:
    array = workflow_pb2.Node(id="arr", array_node=workflow_pb2.ArrayNode(node=task_node("sub", "mapped")))
    branch = branch_node(
        "br",
        [(compare(var_operand("x"), 0, const_operand(1)), task_node("c0", "then")), (None, task_node("c1", "elif"))],
        else_node=launch_plan_node("c2", "else_lp"),
    )
    primary = workflow(
        "wf",
        [
            task_node("a", "t1"),
            task_node("b", "t1"),
            launch_plan_node("l", "lp"),
            array,
            branch,
            sub_workflow_node("s", "sub"),
        ],
        failure_node=task_node("fn", "handler"),
    )
    sub = workflow("sub", [task_node("x", "in_sub"), launch_plan_node("y", "lp")])
    requirements = get_requirements(primary, [sub])
    assert names(requirements.task_ids) == ["elif", "handler", "in_sub", "mapped", "t1", "then"]
    assert names(requirements.launch_plan_ids) == ["else_lp", "lp"]
    assert requirements.task_ids[0] == task_id("elif")
    assert requirements.launch_plan_ids[1] == launch_plan_id("lp")


def test_sub_workflows_reached_twice_or_recursively_are_walked_once() -> None:
    sub = workflow("sub", [task_node("x", "t"), sub_workflow_node("again", "sub")])
    primary = workflow("wf", [sub_workflow_node("s1", "sub"), sub_workflow_node("s2", "sub")])
    assert names(get_requirements(primary, [sub]).task_ids) == ["t"]


def test_a_missing_sub_workflow_is_a_compile_error() -> None:
    with pytest.raises(CompileErrors) as raised:
        get_requirements(workflow("wf", [sub_workflow_node("s", "missing")]), [])
    [error] = raised.value.errors
    assert error.code == "WorkflowReferenceNotFound"
    assert error.node_id == "s"
    assert 'name:"missing"' in error.description


def test_a_sub_workflow_given_twice_is_a_duplicate() -> None:
    sub = workflow("sub", [task_node("x", "t")])
    with pytest.raises(CompileErrors) as raised:
        get_requirements(workflow("wf", [sub_workflow_node("s", "sub")]), [sub, sub])
    assert [e.code for e in raised.value.errors] == ["DuplicateId"]


def test_returned_ids_are_copies() -> None:
    primary = workflow("wf", [task_node("a", "t")])
    requirements = get_requirements(primary, [])
    requirements.task_ids[0].name = "changed"
    assert primary.nodes[0].task_node.reference_id.name == "t"
