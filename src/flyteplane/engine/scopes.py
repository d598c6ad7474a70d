"""Scopes: the (sub)workflow graphs an execution runs, and what node handlers may ask of the runner about them.

Node kinds that contain graphs (branches, sub-workflows, dynamic workflows) depend on `ScopeRunner`, not on the
runner itself, so `engine/nodes/` never imports `engine/runner.py`: one piece of code runs every level without an
import cycle, and a handler can be tested with a stand-in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from flyteidl.core import compiler_pb2, execution_pb2, literals_pb2, workflow_pb2

from flyteplane.engine.context import RoundContext
from flyteplane.engine.events import NodeRef
from flyteplane.engine.ids import unique_node_id
from flyteplane.engine.place import NodePlace
from flyteplane.engine.state import NodeState

__all__ = ["Scope", "ScopeOutcome", "ScopeRunner"]


@dataclass
class Scope:
    """One (sub)workflow graph being run: the top-level workflow, a sub-workflow node's, or a dynamic one."""

    workflow: compiler_pb2.CompiledWorkflow
    inputs: literals_pb2.LiteralMap
    parent_unique_id: str = ""
    parent_attempt: int = 0
    base_dir: str = ""  # blob key: where this scope's node folders live
    top_level: bool = True
    failure_node: workflow_pb2.Node | None = None

    def unique_id(self, spec_node_id: str) -> str:
        if self.top_level:
            return spec_node_id
        return unique_node_id(self.parent_unique_id, self.parent_attempt, spec_node_id)

    def data_dir(self, spec_node_id: str) -> str:
        if self.top_level:
            return f"{self.base_dir}/{spec_node_id}/data"
        return f"{self.base_dir}/{spec_node_id}"

    def ref(self, node: workflow_pb2.Node) -> NodeRef:
        return NodeRef(
            unique_id=self.unique_id(node.id),
            spec_node_id=node.id,
            name=node.metadata.name or node.id,
            parent_unique_id="" if self.top_level else self.parent_unique_id,
            retry_group="" if self.top_level else str(self.parent_attempt),
        )


@dataclass
class ScopeOutcome:
    phase: str  # RUNNING, SUCCEEDED, FAILED
    error: execution_pb2.ExecutionError | None = None
    output_dir: str = ""  # blob key of the end node's outputs folder once SUCCEEDED


class ScopeRunner(Protocol):
    """Runs graphs and the nodes in them; implemented by `engine.runner.Runner`."""

    def place(self, ctx: RoundContext, scope: Scope, node: workflow_pb2.Node) -> NodePlace:
        """Where a node of the scope runs: its ids, its data folder, how it reads its upstream outputs."""
        ...

    def start_scope(self, ctx: RoundContext, scope: Scope) -> None:
        """Records the scope's start node, whose outputs are the scope's inputs."""
        ...

    def step_scope(self, ctx: RoundContext, scope: Scope) -> ScopeOutcome:
        """Advances every node of the scope that may go, and says where the scope stands."""
        ...

    def abort_scope(self, ctx: RoundContext, scope: Scope, reason: str) -> None:
        """Aborts every started, unfinished node of the scope."""
        ...

    def step_node(self, ctx: RoundContext, place: NodePlace, st: NodeState) -> None:
        """Advances one node by its kind's handler (recovery first, failures recorded on the node)."""
        ...

    def abort_node(self, ctx: RoundContext, place: NodePlace, st: NodeState, reason: str) -> None:
        """Aborts one node and what runs under it."""
        ...
