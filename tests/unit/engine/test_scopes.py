"""Where a scope's nodes live: top-level nodes keep their spec ids; a child scope's nodes nest under the node
that runs it, per attempt, as propeller names them."""

from __future__ import annotations

from flyteidl.core import compiler_pb2, literals_pb2, workflow_pb2

from flyteplane.engine.scopes import Scope

NODE = workflow_pb2.Node(id="n1", metadata=workflow_pb2.NodeMetadata(name="double"))


def test_top_level_nodes_keep_their_ids_and_live_in_the_execution_s_folder() -> None:
    scope = Scope(compiler_pb2.CompiledWorkflow(), literals_pb2.LiteralMap(), base_dir="metadata/exec")
    assert scope.unique_id("n1") == "n1"
    assert scope.data_dir("n1") == "metadata/exec/n1/data"
    ref = scope.ref(NODE)
    assert (ref.unique_id, ref.name, ref.parent_unique_id, ref.retry_group) == ("n1", "double", "", "")


def test_child_scope_nodes_nest_under_their_parent_s_attempt() -> None:
    scope = Scope(
        compiler_pb2.CompiledWorkflow(),
        literals_pb2.LiteralMap(),
        parent_unique_id="n0",
        parent_attempt=2,
        base_dir="metadata/exec/n0/data/2",
        top_level=False,
    )
    assert scope.unique_id("n1") == "n0-2-n1"
    assert scope.data_dir("n1") == "metadata/exec/n0/data/2/n1"
    ref = scope.ref(NODE)
    assert (ref.unique_id, ref.parent_unique_id, ref.retry_group) == ("n0-2-n1", "n0", "2")
