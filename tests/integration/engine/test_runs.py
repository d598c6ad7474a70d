"""Executions of a task, a workflow and a launch plan with the real flytekit, and what they leave behind:
node and task executions with phases, inputs and outputs; relaunch; conditionals, sub-workflows and child
launch plans."""

from __future__ import annotations

from typing import Any

import pytest
from flows import basics
from flyteidl.admin.execution_pb2 import ExecutionMetadata
from flytekit.remote import FlyteLaunchPlan, FlyteTask, FlyteWorkflow
from tests.integration.engine.support import DOMAIN, assert_succeeded, finish, phase_name, register, run, start


@pytest.fixture(scope="module")
def entities(flyte: Any, project: str) -> dict[str, Any]:
    return {
        "add": register(flyte, project, basics.add),
        "arithmetic": register(flyte, project, basics.arithmetic),
        "arithmetic_fixed": register(flyte, project, basics.arithmetic_fixed),
        "sign": register(flyte, project, basics.sign),
        "outer": register(flyte, project, basics.outer),
        "parent": register(flyte, project, basics.parent),
    }


def test_a_task_executed_with_wait_returns_its_outputs(flyte: Any, project: str, entities: dict[str, Any]) -> None:
    task = entities["add"]
    assert isinstance(task, FlyteTask)
    execution = flyte.execute(task, inputs={"a": 2, "b": 40}, project=project, domain=DOMAIN, wait=True)
    assert_succeeded(execution)
    assert execution.outputs["o0"] == 42
    (node,) = [n for n in execution.node_executions.values() if n.id.node_id not in ("start-node", "end-node")]
    assert phase_name(node.closure.phase, "node") == "SUCCEEDED"
    (attempt,) = node.task_executions
    assert attempt.id.task_id.name == "flows.basics.add"
    assert dict(attempt.outputs) == {"o0": 42}


def test_a_workflow_executed_with_wait_returns_its_outputs(flyte: Any, project: str, entities: dict[str, Any]) -> None:
    workflow = entities["arithmetic"]
    assert isinstance(workflow, FlyteWorkflow)
    execution = flyte.execute(workflow, inputs={"a": 1, "b": 2}, project=project, domain=DOMAIN, wait=True)
    assert_succeeded(execution)
    assert execution.outputs["o0"] == 6
    assert execution.outputs["o1"] == "value=6"


def test_a_launch_plan_executed_with_wait_merges_defaults_and_fixed_inputs(
    flyte: Any, project: str, entities: dict[str, Any]
) -> None:
    plan = entities["arithmetic_fixed"]
    assert isinstance(plan, FlyteLaunchPlan)
    execution = flyte.execute(plan, inputs={}, project=project, domain=DOMAIN, wait=True)
    assert_succeeded(execution)
    assert execution.outputs["o0"] == (5 + 7) * 2
    assert execution.inputs["a"] == 5 and execution.inputs["b"] == 7


def test_synced_nodes_show_phases_inputs_outputs_and_task_executions(
    flyte: Any, project: str, entities: dict[str, Any]
) -> None:
    execution = run(flyte, project, entities["arithmetic"], a=3, b=4)
    assert_succeeded(execution)
    synced = flyte.sync_execution(execution, sync_nodes=True)
    nodes = synced.node_executions
    assert {"start-node", "n0", "n1", "n2", "end-node"} <= set(nodes)
    expected = {
        "n0": ({"a": 3, "b": 4}, {"o0": 7}),
        "n1": ({"x": 7}, {"o0": 14}),
        "n2": ({"x": 14}, {"o0": "value=14"}),
    }
    for node_id, (inputs, outputs) in expected.items():
        node = nodes[node_id]
        assert phase_name(node.closure.phase, "node") == "SUCCEEDED", node_id
        assert dict(node.inputs) == inputs, node_id
        assert dict(node.outputs) == outputs, node_id
        assert len(node.task_executions) == 1, node_id
        attempt = node.task_executions[0]
        assert phase_name(attempt.closure.phase, "task") == "SUCCEEDED", node_id
        assert attempt.id.retry_attempt == 0
        assert dict(attempt.inputs) == inputs and dict(attempt.outputs) == outputs, node_id
        assert attempt.closure.logs, "each attempt links its stdout/stderr"
    assert synced.outputs["o0"] == 14


def test_relaunch_runs_again_with_the_same_inputs(flyte: Any, project: str, entities: dict[str, Any]) -> None:
    original = run(flyte, project, entities["arithmetic"], a=10, b=1)
    assert_succeeded(original)
    relaunched = flyte.client.relaunch_execution(original.id)
    again = finish(flyte, flyte.fetch_execution(project=project, domain=DOMAIN, name=relaunched.name))
    assert_succeeded(again)
    assert again.id.name != original.id.name
    assert again.outputs["o0"] == 22
    assert again.spec.metadata.mode == ExecutionMetadata.RELAUNCH
    assert again.spec.metadata.reference_execution.name == original.id.name


def test_a_conditional_takes_the_matching_branch(flyte: Any, project: str, entities: dict[str, Any]) -> None:
    positive = start(flyte, project, entities["sign"], x=5)
    negative = start(flyte, project, entities["sign"], x=-5)
    positive, negative = finish(flyte, positive), finish(flyte, negative)
    assert_succeeded(positive)
    assert_succeeded(negative)
    assert positive.outputs["o0"] == "5 is positive"
    assert negative.outputs["o0"] == "-5 is not positive"
    branch = flyte.sync_execution(positive, sync_nodes=True).node_executions["n0"]
    assert phase_name(branch.closure.phase, "node") == "SUCCEEDED"
    assert branch.metadata.is_parent_node


def test_a_subworkflow_runs_its_nodes_under_its_node(flyte: Any, project: str, entities: dict[str, Any]) -> None:
    execution = run(flyte, project, entities["outer"], x=4)
    assert_succeeded(execution)
    assert execution.outputs["o0"] == (4 + 1) * 2 + 100
    sub = flyte.sync_execution(execution, sync_nodes=True).node_executions["n0"]
    assert sub.metadata.is_parent_node
    assert {"n0-0-n0", "n0-0-n1"} <= set(sub.subworkflow_node_executions)


def test_a_child_launch_plan_runs_as_its_own_execution(flyte: Any, project: str, entities: dict[str, Any]) -> None:
    execution = run(flyte, project, entities["parent"], x=2)
    assert_succeeded(execution)
    assert execution.outputs["o0"] == (2 + 1) * 2 + 1000
    node = flyte.sync_execution(execution, sync_nodes=True).node_executions["n0"]
    child_id = node.closure.workflow_node_metadata.execution_id
    child = flyte.fetch_execution(project=child_id.project, domain=child_id.domain, name=child_id.name)
    assert_succeeded(child)
    assert child.spec.metadata.mode == ExecutionMetadata.CHILD_WORKFLOW
    assert child.outputs["o0"] == 6
