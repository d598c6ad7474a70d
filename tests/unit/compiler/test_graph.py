"""Walking the graph from start-node finds the first cycle, or every reachable node, in linear time."""

from __future__ import annotations

from flyteplane.compiler.graph import traverse


def test_visits_every_reachable_node_once() -> None:
    downstream = {"start": {"a", "b"}, "a": {"c"}, "b": {"c"}, "c": {"end"}, "x": {"end"}}
    result = traverse("start", downstream)
    assert result.cycle is None
    assert result.visited == {"start", "a", "b", "c", "end"}


def test_reports_the_path_from_start_into_the_cycle() -> None:
    downstream = {"start": {"a"}, "a": {"b"}, "b": {"a"}}
    assert traverse("start", downstream).cycle == ["start", "a", "b", "a"]


def test_a_self_loop_is_a_cycle() -> None:
    assert traverse("start", {"start": {"a"}, "a": {"a"}}).cycle == ["start", "a", "a"]


def test_a_diamond_is_not_a_cycle() -> None:
    downstream = {"start": {"a", "b"}, "a": {"d"}, "b": {"d"}, "d": set()}
    assert traverse("start", downstream).cycle is None


def test_long_chains_need_no_recursion() -> None:
    size = 20_000
    downstream = {f"n{i}": {f"n{i + 1}"} for i in range(size)}
    result = traverse("n0", downstream)
    assert result.cycle is None
    assert len(result.visited) == size + 1
