"""Flyte-style identifiers: node unique ids, child execution names, executor attempt ids."""

from __future__ import annotations

from flyteplane.engine.ids import attempt_id, child_execution_name, unique_node_id


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
