"""Where a node runs: its identity for events, its data folder, and how it reads its upstream outputs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from flyteidl.core import literals_pb2, workflow_pb2

from flyteplane.engine.bindings import OutputsOf, resolve_inputs
from flyteplane.engine.events import NodeRef
from flyteplane.engine.ids import unique_node_id
from flyteplane.engine.state import NodeState

__all__ = ["NodePlace"]


@dataclass(frozen=True)
class NodePlace:
    node: workflow_pb2.Node
    ref: NodeRef
    data_dir: str  # blob key of the node's data folder (inputs.pb, attempt folders)
    outputs_of: OutputsOf  # outputs of the nodes this one binds to, by spec id in its scope
    aliases: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # states of the nodes a node of this scope depends on (by spec id, as compiled): a branch's taken node may
    # depend on nodes its branch node does not bind to, and must wait for them
    upstream_of: Callable[[str], list[NodeState]] | None = None

    @property
    def unique_id(self) -> str:
        return self.ref.unique_id

    @property
    def inputs_key(self) -> str:
        return f"{self.data_dir}/inputs.pb"

    def attempt_dir(self, attempt: int) -> str:
        return f"{self.data_dir}/{attempt}"

    def resolve_inputs(self) -> literals_pb2.LiteralMap:
        return resolve_inputs(self.node.inputs, self.outputs_of, self.aliases)

    def child(self, node: workflow_pb2.Node, attempt: int) -> NodePlace:
        """The place of a node that runs under this one (a branch's taken node): unique id
        `<this>-<attempt>-<child>`, data in this node's attempt folder, reading the upstream outputs this node
        can see."""
        return NodePlace(
            node=node,
            ref=NodeRef(
                unique_id=unique_node_id(self.unique_id, attempt, node.id),
                spec_node_id=node.id,
                name=node.metadata.name or node.id,
                parent_unique_id=self.unique_id,
                retry_group=str(attempt),
            ),
            data_dir=f"{self.attempt_dir(attempt)}/{node.id}",
            outputs_of=self.outputs_of,
            aliases=self.aliases,
            upstream_of=self.upstream_of,
        )
