"""A node's kind, the key of the handler table, comes from its target (and a workflow node's reference)."""

from __future__ import annotations

from flyteidl.core import identifier_pb2, workflow_pb2

from flyteplane.engine.nodes.handler import NodeKind, kind_of

PLAN = identifier_pb2.Identifier(resource_type=identifier_pb2.LAUNCH_PLAN, name="lp")
WORKFLOW = identifier_pb2.Identifier(resource_type=identifier_pb2.WORKFLOW, name="wf")


def test_each_target_has_its_kind() -> None:
    assert kind_of(workflow_pb2.Node(id="n", task_node=workflow_pb2.TaskNode())) == NodeKind.TASK
    assert kind_of(workflow_pb2.Node(id="n", branch_node=workflow_pb2.BranchNode())) == NodeKind.BRANCH
    assert kind_of(workflow_pb2.Node(id="n", gate_node=workflow_pb2.GateNode())) == NodeKind.GATE
    assert kind_of(workflow_pb2.Node(id="n", array_node=workflow_pb2.ArrayNode())) == NodeKind.ARRAY


def test_a_workflow_node_is_a_sub_workflow_or_a_launch_plan_by_what_it_references() -> None:
    sub = workflow_pb2.Node(id="n", workflow_node=workflow_pb2.WorkflowNode(sub_workflow_ref=WORKFLOW))
    plan = workflow_pb2.Node(id="n", workflow_node=workflow_pb2.WorkflowNode(launchplan_ref=PLAN))
    assert kind_of(sub) == NodeKind.SUB_WORKFLOW
    assert kind_of(plan) == NodeKind.LAUNCH_PLAN


def test_a_node_without_a_target_has_no_kind() -> None:
    assert kind_of(workflow_pb2.Node(id="start-node")) is None
