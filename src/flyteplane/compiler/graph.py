"""Reachability of a workflow graph: every node must be reachable from `start-node`, and no path may loop."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

__all__ = ["Traversal", "traverse"]


@dataclass
class Traversal:
    """Outcome of walking downstream edges from the start node."""

    cycle: list[str] | None = None
    visited: set[str] = field(default_factory=set)


def traverse(start: str, downstream: Mapping[str, Collection[str]]) -> Traversal:
    """Depth-first walk in sorted order; stops at the first cycle, returned as the path from `start` into it.

    Iterative, and each node is expanded once, so large workflows cost linear time and no recursion depth.
    """
    result = Traversal()
    on_path: set[str] = set()
    path: list[str] = [start]
    stack = [iter(sorted(downstream.get(start, ())))]
    on_path.add(start)
    result.visited.add(start)
    while stack:
        following = next(stack[-1], None)
        if following is None:
            stack.pop()
            on_path.discard(path.pop())
            continue
        if following in on_path:
            result.cycle = [*path, following]
            return result
        if following in result.visited:
            continue
        result.visited.add(following)
        on_path.add(following)
        path.append(following)
        stack.append(iter(sorted(downstream.get(following, ()))))
    return result
