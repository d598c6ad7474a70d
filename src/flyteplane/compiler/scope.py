"""Compilation state: the shared context of one `compile_workflow` call and the scope of each workflow in it.

Validators receive a WorkflowScope and reach everything through it (node index, edges, referenced entities),
so node kinds can be validated in separate modules without importing one another.
"""

from __future__ import annotations

import enum
from collections.abc import Callable

from flyteidl.core import compiler_pb2, interface_pb2, tasks_pb2, workflow_pb2

from flyteplane.compiler.errors import ErrorCollector
from flyteplane.compiler.identifiers import IdKey
from flyteplane.compiler.interfaces import LaunchPlanInterface

__all__ = ["END_NODE_ID", "START_NODE_ID", "CompileContext", "EdgeDirection", "NodeBuilder", "WorkflowScope"]

START_NODE_ID = "start-node"
END_NODE_ID = "end-node"


class EdgeDirection(enum.Enum):
    """Which adjacency lists an edge is recorded in; nodes outside the main graph get upstream edges only."""

    BIDIRECTIONAL = "bidirectional"
    DOWNSTREAM = "downstream"
    UPSTREAM = "upstream"


class _Resolution(enum.Enum):
    PENDING = "pending"
    RESOLVING = "resolving"
    DONE = "done"


class NodeBuilder:
    """A node under compilation: its proto (edited in place) plus what the compiler has learned about it."""

    def __init__(self, node: workflow_pb2.Node, interface: interface_pb2.TypedInterface | None = None) -> None:
        self.node = node
        self.interface = interface
        self._resolution = _Resolution.DONE if interface is not None else _Resolution.PENDING
        self.outputs: interface_pb2.VariableMap | None = None
        self.outputs_known = False
        self._branch_children: list[NodeBuilder] | None = None
        self._array_child: NodeBuilder | None = None

    @property
    def id(self) -> str:
        result: str = self.node.id
        return result

    def branch_children(self) -> list[NodeBuilder]:
        """The candidate nodes of a branch, in order: if, else-ifs, else (absent ones skipped)."""
        if self._branch_children is None:
            if_else = self.node.branch_node.if_else
            blocks = [if_else.case] if if_else.HasField("case") else []
            blocks.extend(if_else.other)
            children = [NodeBuilder(block.then_node) for block in blocks if block.HasField("then_node")]
            if if_else.HasField("else_node"):
                children.append(NodeBuilder(if_else.else_node))
            self._branch_children = children
        return self._branch_children

    def array_child(self) -> NodeBuilder | None:
        """The node an array node runs for every element."""
        if self._array_child is None and self.node.array_node.HasField("node"):
            self._array_child = NodeBuilder(self.node.array_node.node)
        return self._array_child


class CompileContext:
    """Everything shared by the workflows of one compilation: referenced entities, errors, callbacks."""

    def __init__(
        self,
        errors: ErrorCollector,
        tasks: dict[IdKey, tasks_pb2.TaskTemplate],
        launch_plans: dict[IdKey, LaunchPlanInterface],
        sub_workflows: dict[IdKey, compiler_pb2.CompiledWorkflow],
        resolve_interface: Callable[[WorkflowScope, NodeBuilder], interface_pb2.TypedInterface | None],
        compile_sub_workflow: Callable[[CompileContext, IdKey, str], None],
    ) -> None:
        self.errors = errors
        self.tasks = tasks
        self.launch_plans = launch_plans
        self.sub_workflows = sub_workflows
        self.resolve_interface = resolve_interface
        self._compile_sub_workflow = compile_sub_workflow

    def compile_sub_workflow(self, key: IdKey, node_id: str) -> None:
        """Compiles a referenced sub-workflow in place, once per compilation."""
        self._compile_sub_workflow(self, key, node_id)


class WorkflowScope:
    """One workflow being compiled: its template, node index and edges."""

    def __init__(self, context: CompileContext, template: workflow_pb2.WorkflowTemplate) -> None:
        self.context = context
        self.template = template
        self.nodes: dict[str, NodeBuilder] = {}
        self.upstream: dict[str, set[str]] = {}
        self.downstream: dict[str, set[str]] = {}

    @property
    def errors(self) -> ErrorCollector:
        return self.context.errors

    def node(self, node_id: str) -> NodeBuilder | None:
        """A top-level node by id; the empty id means the workflow inputs (`start-node`)."""
        return self.nodes.get(node_id or START_NODE_ID)

    def interface_of(self, builder: NodeBuilder) -> interface_pb2.TypedInterface | None:
        """The node's interface, inferred on first use; None when it could not be (errors were reported)."""
        if builder._resolution is _Resolution.PENDING:
            builder._resolution = _Resolution.RESOLVING
            builder.interface = self.context.resolve_interface(self, builder)
            builder._resolution = _Resolution.DONE
        return builder.interface

    @staticmethod
    def is_resolving(builder: NodeBuilder) -> bool:
        """True while the node's own interface is being inferred (a reference back to it is a cycle)."""
        return builder._resolution is _Resolution.RESOLVING

    def add_edge(self, provider: str, dependent: str, direction: EdgeDirection) -> None:
        provider = provider or START_NODE_ID
        if direction is not EdgeDirection.UPSTREAM:
            self.downstream.setdefault(provider, set()).add(dependent)
        if direction is not EdgeDirection.DOWNSTREAM:
            self.upstream.setdefault(dependent, set()).add(provider)
