"""Flyte-style identifiers and the engine's durable state document."""

from __future__ import annotations

from flyteplane.engine.ids import attempt_id, child_execution_name, unique_node_id
from flyteplane.engine.state import WorkflowState


def test_unique_node_ids_nest_and_stay_short() -> None:
    assert unique_node_id("", None, "n0") == "n0"
    assert unique_node_id("n0", 0, "n1") == "n0-0-n1"
    long = unique_node_id("n0-0-n1-0-n2", 3, "some-long-node")
    assert long.startswith("f") and len(long) <= 20
    assert long == unique_node_id("n0-0-n1-0-n2", 3, "some-long-node")  # deterministic


def test_child_execution_names_are_stable_and_short() -> None:
    name = child_execution_name("a1b2c3d4e5f6g7h8i9j0", "n3", 0)
    assert name == child_execution_name("a1b2c3d4e5f6g7h8i9j0", "n3", 0)
    assert len(name) <= 20 and name[0].isalpha()
    assert name != child_execution_name("a1b2c3d4e5f6g7h8i9j0", "n3", 1)


def test_attempt_ids_are_filesystem_safe_and_distinct() -> None:
    first = attempt_id("p", "d", "exec", "n0-0-n1", 0)
    assert "/" not in first
    assert first != attempt_id("p", "d", "exec", "n0-0-n1", 1)
    assert first != attempt_id("p", "other", "exec", "n0-0-n1", 0)


def test_state_round_trips_and_stays_compact() -> None:
    state = WorkflowState(phase="RUNNING", started_at=1.5)
    state.node("n0").phase = "SUCCEEDED"
    state.node("n1").items = [{"phase": "RUNNING", "attempt": 0}]
    data = state.to_bytes()
    assert b"attempt_id" not in data  # defaults are left out
    again = WorkflowState.from_bytes(data)
    assert again.phase == "RUNNING"
    assert again.nodes["n0"].ok
    assert again.nodes["n1"].items[0]["phase"] == "RUNNING"
    assert WorkflowState.from_bytes(b"").phase == "NOT_STARTED"
