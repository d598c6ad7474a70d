"""google.api.http path templates, parsed once: the segments a route matches and where its variables sit.

    Template = "/" Segments [ Verb ] ;       Segment  = "*" | "**" | LITERAL | Variable ;
    Segments = Segment { "/" Segment } ;     Variable = "{" FieldPath [ "=" Segments ] "}" ;
    Verb     = ":" LITERAL ;

`{id.project}` is `{id.project=*}`: one segment bound to a nested field. `**` matches the rest of the path (zero
or more segments) and, as the grammar says, only at the end. A variable's value is its segments joined by `/`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["DOUBLE_STAR", "STAR", "PathTemplate", "TemplateError", "Variable", "parse_template"]

STAR = "*"
DOUBLE_STAR = "**"
_FIELD_PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")
_LITERAL = re.compile(r"[^/{}*:=]+")


class TemplateError(ValueError):
    """A path template that does not follow the google.api.http grammar."""


@dataclass(frozen=True)
class Variable:
    """A field path bound to the template's segments [start, end)."""

    field_path: str
    start: int
    end: int


@dataclass(frozen=True)
class PathTemplate:
    """Segments are literals, `*` or `**` (a variable's segments are inlined); variables point into them."""

    source: str
    segments: tuple[str, ...]
    variables: tuple[Variable, ...]
    verb: str

    @property
    def field_paths(self) -> tuple[str, ...]:
        return tuple(variable.field_path for variable in self.variables)

    def bind(self, consumed: Sequence[Sequence[str]]) -> dict[str, str]:
        """Variable values from the path components each segment consumed (one each; any number for `**`)."""
        return {v.field_path: "/".join(p for parts in consumed[v.start : v.end] for p in parts) for v in self.variables}


def parse_template(source: str) -> PathTemplate:
    if not source.startswith("/"):
        raise TemplateError(f"path template {source!r} does not start with '/'")
    path, verb = _split_verb(source, source[1:])
    segments: list[str] = []
    variables: list[Variable] = []
    for part in _top_level_parts(source, path):
        if part.startswith("{"):
            if not part.endswith("}"):
                raise TemplateError(f"path template {source!r}: bad variable {part!r}")
            field_path, _, pattern = part[1:-1].partition("=")
            if not _FIELD_PATH.fullmatch(field_path):
                raise TemplateError(f"path template {source!r}: bad field path {field_path!r}")
            if field_path in (v.field_path for v in variables):
                raise TemplateError(f"path template {source!r} binds {field_path!r} twice")
            start = len(segments)
            segments.extend(_segment(source, s) for s in (pattern or STAR).split("/"))
            variables.append(Variable(field_path, start, len(segments)))
        else:
            segments.append(_segment(source, part))
    if DOUBLE_STAR in segments[:-1]:
        raise TemplateError(f"path template {source!r}: '**' must be the last segment")
    return PathTemplate(source, tuple(segments), tuple(variables), verb)


def _split_verb(source: str, path: str) -> tuple[str, str]:
    depth = 0
    for index, char in enumerate(path):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if char == ":" and depth == 0:
            verb = path[index + 1 :]
            if not _LITERAL.fullmatch(verb):
                raise TemplateError(f"path template {source!r}: bad verb {verb!r}")
            return path[:index], verb
    return path, ""


def _top_level_parts(source: str, path: str) -> list[str]:
    """Splits on the `/` outside braces, so `{name=shelves/*}` stays one part."""
    parts, depth, current = [], 0, ""
    for char in path:
        if char == "{":
            depth += 1
            if depth > 1:
                raise TemplateError(f"path template {source!r}: nested variables")
        elif char == "}":
            depth -= 1
            if depth < 0:
                raise TemplateError(f"path template {source!r}: unbalanced '}}'")
        if char == "/" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    if depth:
        raise TemplateError(f"path template {source!r}: unclosed '{{'")
    parts.append(current)
    return parts


def _segment(source: str, text: str) -> str:
    if text in (STAR, DOUBLE_STAR) or _LITERAL.fullmatch(text):
        return text
    raise TemplateError(f"path template {source!r}: bad segment {text!r}")
