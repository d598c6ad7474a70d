"""The progress line: the execution's phase and its top-level nodes by state."""

from __future__ import annotations

from tests.unit.remote.fakes import NODE, node

from flyteplane.remote.progress import describe


def test_nodes_are_counted_by_state_against_the_workflows_node_count() -> None:
    nodes = [
        node("start-node", NODE.SUCCEEDED),
        node("n0", NODE.SUCCEEDED),
        node("n1", NODE.SKIPPED),
        node("n2", NODE.RUNNING),
        node("n3", NODE.QUEUED),
        node("n4", NODE.FAILED),
        node("end-node", NODE.QUEUED),
    ]
    assert describe("e1", "RUNNING", nodes, total=6) == "e1  RUNNING  nodes 2/6 done, 1 running, 1 queued, 1 failed"


def test_before_any_node_runs() -> None:
    assert describe("e1", "QUEUED", [], total=None) == "e1  QUEUED  nodes no nodes yet"
    assert describe("e1", "QUEUED", [], total=3) == "e1  QUEUED  nodes 0/3 done"
