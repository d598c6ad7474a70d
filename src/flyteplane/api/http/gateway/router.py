"""Finds the route of a request: literal segments before `*` before `**`, then the HTTP method.

Routes share a trie of segments; a path is walked depth first, trying at each step the literal child, then the
one-segment wildcard, then the rest-of-path wildcard, so `/api/v1/executions/relaunch` beats
`/api/v1/executions/{id.project}` whatever the order routes were added in. As in grpc-gateway, a path some route
matches under another HTTP method is "method not allowed" (answered 501), any other path "not found".
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from flyteplane.api.http.gateway.templates import DOUBLE_STAR, STAR, PathTemplate

__all__ = ["Found", "Miss", "Router"]

R = TypeVar("R")


class Miss(enum.Enum):
    NOT_FOUND = "not found"
    METHOD_NOT_ALLOWED = "method not allowed"


@dataclass(frozen=True)
class Found(Generic[R]):
    route: R
    params: dict[str, str]  # field path -> value taken from the path


@dataclass
class _Node(Generic[R]):
    literals: dict[str, _Node[R]] = field(default_factory=dict)
    star: _Node[R] | None = None
    rest: _Node[R] | None = None
    routes: dict[tuple[str, str], tuple[PathTemplate, R]] = field(default_factory=dict)  # (verb, method)


Consumed = tuple[tuple[str, ...], ...]  # the path components each template segment took


class Router(Generic[R]):
    def __init__(self) -> None:
        self._root: _Node[R] = _Node()
        self._verbs: set[str] = set()

    def add(self, method: str, template: PathTemplate, route: R) -> None:
        node = self._root
        for segment in template.segments:
            if segment == STAR:
                node.star = node = node.star or _Node()
            elif segment == DOUBLE_STAR:
                node.rest = node = node.rest or _Node()
            else:
                node = node.literals.setdefault(segment, _Node())
        key = (template.verb, method.upper())
        if key in node.routes:
            raise ValueError(f"{method} {template.source} clashes with {node.routes[key][0].source}")
        node.routes[key] = (template, route)
        if template.verb:
            self._verbs.add(template.verb)

    def match(self, method: str, path: str) -> Found[R] | Miss:
        """`path` is the decoded request path; like grpc-gateway, `%2F` in it separates segments too."""
        other_method = False
        for verb, components in self._readings(path.removeprefix("/").split("/")):
            for node, consumed in _walk(self._root, components, 0, ()):
                entry = node.routes.get((verb, method.upper()))
                if entry is not None:
                    template, route = entry
                    return Found(route, template.bind(consumed))
                other_method = other_method or any(v == verb for v, _ in node.routes)
        return Miss.METHOD_NOT_ALLOWED if other_method else Miss.NOT_FOUND

    def _readings(self, components: list[str]) -> Iterator[tuple[str, list[str]]]:
        """The path with a known `:verb` cut off its last segment (tried first), then the path as it is."""
        last = components[-1]
        for verb in sorted(self._verbs, key=len, reverse=True):
            suffix = ":" + verb
            if last.endswith(suffix) and len(last) > len(suffix):
                yield verb, [*components[:-1], last[: -len(suffix)]]
        yield "", components


def _walk(node: _Node[R], components: list[str], index: int, consumed: Consumed) -> Iterator[tuple[_Node[R], Consumed]]:
    if index == len(components):
        if node.routes:
            yield node, consumed
        if node.rest is not None and node.rest.routes:
            yield node.rest, (*consumed, ())
        return
    component = components[index]
    literal = node.literals.get(component)
    if literal is not None:
        yield from _walk(literal, components, index + 1, (*consumed, (component,)))
    if node.star is not None:
        yield from _walk(node.star, components, index + 1, (*consumed, (component,)))
    if node.rest is not None and node.rest.routes:
        yield node.rest, (*consumed, tuple(components[index:]))
