"""A node's place: its data folder, its attempt folders, and the place of a node that runs under it."""

from __future__ import annotations

from flyteidl.core import literals_pb2, workflow_pb2

from flyteplane.engine.events import NodeRef
from flyteplane.engine.place import NodePlace
from flyteplane.engine.state import NodeState


def outputs_of(spec_node_id: str) -> literals_pb2.LiteralMap:
    return literals_pb2.LiteralMap()


def upstream_of(spec_node_id: str) -> list[NodeState]:
    return []


BRANCH = NodePlace(
    node=workflow_pb2.Node(id="n1"),
    ref=NodeRef(unique_id="n1", spec_node_id="n1", name="n1"),
    data_dir="metadata/exec/n1/data",
    outputs_of=outputs_of,
    aliases={"n0": {"out": "o0"}},
    upstream_of=upstream_of,
)


def test_inputs_and_attempts_live_in_the_node_s_data_folder() -> None:
    assert BRANCH.unique_id == "n1"
    assert BRANCH.inputs_key == "metadata/exec/n1/data/inputs.pb"
    assert BRANCH.attempt_dir(1) == "metadata/exec/n1/data/1"


def test_a_child_runs_under_the_node_s_attempt_and_reads_what_the_node_can_read() -> None:
    taken = workflow_pb2.Node(id="n1-n0", metadata=workflow_pb2.NodeMetadata(name="shift"))
    child = BRANCH.child(taken, 1)
    assert child.node is taken
    assert child.ref == NodeRef(
        unique_id="n1-1-n1-n0", spec_node_id="n1-n0", name="shift", parent_unique_id="n1", retry_group="1"
    )
    assert child.data_dir == "metadata/exec/n1/data/1/n1-n0"
    assert child.outputs_of is outputs_of
    assert child.aliases == BRANCH.aliases
    assert child.upstream_of is upstream_of
