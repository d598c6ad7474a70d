"""The handler table: one handler per node kind, which the runner looks nodes up in."""

from __future__ import annotations

from flyteplane.engine.nodes.array import ArrayNodeHandler
from flyteplane.engine.nodes.branch import BranchNodeHandler
from flyteplane.engine.nodes.dynamic import DynamicHandler
from flyteplane.engine.nodes.gate import GateNodeHandler
from flyteplane.engine.nodes.handler import NodeHandler, NodeKind
from flyteplane.engine.nodes.launch_plan import LaunchPlanNodeHandler
from flyteplane.engine.nodes.subworkflow import SubWorkflowNodeHandler
from flyteplane.engine.nodes.task import TaskNodeHandler
from flyteplane.engine.scopes import ScopeRunner

__all__ = ["node_handlers"]


def node_handlers(scopes: ScopeRunner) -> dict[NodeKind, NodeHandler]:
    """Handlers for every node kind; those that contain graphs run them through `scopes`."""
    return {
        NodeKind.TASK: TaskNodeHandler(dynamic=DynamicHandler(scopes)),
        NodeKind.BRANCH: BranchNodeHandler(scopes),
        NodeKind.SUB_WORKFLOW: SubWorkflowNodeHandler(scopes),
        NodeKind.LAUNCH_PLAN: LaunchPlanNodeHandler(),
        NodeKind.GATE: GateNodeHandler(),
        NodeKind.ARRAY: ArrayNodeHandler(),
    }
