"""What every node kind implements, and how a node's kind is read from its spec: the key of the handler table."""

from __future__ import annotations

from enum import Enum
from typing import Protocol

from flyteidl.core import workflow_pb2

from flyteplane.engine.context import RoundContext
from flyteplane.engine.place import NodePlace
from flyteplane.engine.state import NodeState

__all__ = ["NodeHandler", "NodeKind", "kind_of"]


class NodeKind(str, Enum):
    TASK = "task"
    BRANCH = "branch"
    SUB_WORKFLOW = "sub_workflow"
    LAUNCH_PLAN = "launch_plan"
    GATE = "gate"
    ARRAY = "array"


_BY_TARGET = {
    "task_node": NodeKind.TASK,
    "branch_node": NodeKind.BRANCH,
    "gate_node": NodeKind.GATE,
    "array_node": NodeKind.ARRAY,
}


def kind_of(node: workflow_pb2.Node) -> NodeKind | None:
    """The node's kind; a workflow node is a sub-workflow or a launch plan by what it references. None: no
    target (start and end nodes, or a malformed spec)."""
    target = node.WhichOneof("target")
    if target == "workflow_node":
        if node.workflow_node.WhichOneof("reference") == "sub_workflow_ref":
            return NodeKind.SUB_WORKFLOW
        return NodeKind.LAUNCH_PLAN
    return _BY_TARGET.get(target) if target else None


class NodeHandler(Protocol):
    """Advances one kind of node. The runner calls `step` while the node is not terminal and its upstream nodes
    succeeded; it raises NodeFailure to fail the node. `abort` stops what the node started (attempts, child
    executions, nodes under it); the runner then records the node ABORTED."""

    def step(self, ctx: RoundContext, place: NodePlace, st: NodeState) -> None: ...

    def abort(self, ctx: RoundContext, place: NodePlace, st: NodeState, reason: str) -> None: ...
