"""One level of an execution's graph: template nodes joined to their node executions, the template's edges, and
executions the template does not know (dynamic children) added without edges."""

from __future__ import annotations

from flyteidl.admin import node_execution_pb2
from flyteidl.core import compiler_pb2, identifier_pb2, workflow_pb2
from flyteidl.core import execution_pb2 as core_execution

from flyteplane.api.http.console.graph import level_of, node_kind


def task_node(node_id: str, upstream: list[str], task: str = "t") -> workflow_pb2.Node:
    return workflow_pb2.Node(
        id=node_id,
        upstream_node_ids=upstream,
        metadata=workflow_pb2.NodeMetadata(name=f"flows.module.{task}"),
        task_node=workflow_pb2.TaskNode(
            reference_id=identifier_pb2.Identifier(project="p", domain="d", name=task, version="v")
        ),
    )


def executed(node_id: str, phase: int, spec: str = "", parent: bool = False) -> node_execution_pb2.NodeExecution:
    return node_execution_pb2.NodeExecution(
        id=identifier_pb2.NodeExecutionIdentifier(node_id=node_id),
        closure=node_execution_pb2.NodeExecutionClosure(phase=phase),  # type: ignore[arg-type]
        metadata=node_execution_pb2.NodeExecutionMetaData(spec_node_id=spec or node_id, is_parent_node=parent),
    )


def workflow(*nodes: workflow_pb2.Node) -> compiler_pb2.CompiledWorkflow:
    return compiler_pb2.CompiledWorkflow(template=workflow_pb2.WorkflowTemplate(nodes=list(nodes)))


def test_a_level_has_the_templates_nodes_phases_and_edges() -> None:
    template = workflow(task_node("n0", ["start-node"], "add"), task_node("n1", ["n0"], "double"))
    level = level_of(
        template,
        {"p/d/add/v": "python-task"},
        [executed("start-node", core_execution.NodeExecution.SUCCEEDED), executed("n0", 3)],
    )
    assert [(n["id"], n["label"], n["kind"], n["phase"]) for n in level.nodes] == [
        ("n0", "add", "python-task", "SUCCEEDED"),
        ("n1", "double", "task", "UNDEFINED"),  # a task type the closure does not hold
    ]
    assert level.edges == [("n0", "n1")]
    assert "exec_id" not in level.nodes[1]  # not started: nothing to open yet


def test_children_the_template_does_not_know_are_added_without_edges() -> None:
    level = level_of(
        None,
        {},
        [executed("n0-0-dn0", 3, spec="dn0"), executed("n0-0-dn1", 2, spec="dn1", parent=True)],
    )
    assert [(n["id"], n["exec_id"], n["phase"], n["parent"]) for n in level.nodes] == [
        ("dn0", "n0-0-dn0", "SUCCEEDED", False),
        ("dn1", "n0-0-dn1", "RUNNING", True),
    ]
    assert level.edges == []


def test_node_kinds() -> None:
    sub = workflow_pb2.Node(
        id="s", workflow_node=workflow_pb2.WorkflowNode(sub_workflow_ref=identifier_pb2.Identifier(name="w"))
    )
    plan = workflow_pb2.Node(
        id="l", workflow_node=workflow_pb2.WorkflowNode(launchplan_ref=identifier_pb2.Identifier(name="w"))
    )
    gate = workflow_pb2.Node(id="g", gate_node=workflow_pb2.GateNode())
    mapped = workflow_pb2.Node(id="m", array_node=workflow_pb2.ArrayNode())
    assert [node_kind(n, {}) for n in (sub, plan, gate, mapped)] == ["subworkflow", "launchplan", "gate", "map"]
