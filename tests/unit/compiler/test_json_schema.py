"""A dataclass flows into another when every value of the upstream schema is valid for the downstream one."""

from __future__ import annotations

from typing import Any

import pytest

from flyteplane.compiler.json_schema import is_compatible_schema


def obj(required: list[str] | None = None, **properties: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required or [], "additionalProperties": False}


INT = {"type": "integer"}
NUM = {"type": "number"}
STR = {"type": "string"}
OPT_STR = {"anyOf": [STR, {"type": "null"}]}

CASES = [
    ("identical", obj(["a"], a=INT), obj(["a"], a=INT), True),
    (
        "titles and descriptions do not matter",
        {**obj(["a"], a=INT), "title": "B"},
        {**obj(["a"], a=INT), "title": "A"},
        True,
    ),
    ("child with an extra field into parent", obj(["a", "b"], a=INT, b=STR), obj(["a"], a=INT), True),
    ("parent into child that requires more", obj(["a"], a=INT), obj(["a", "b"], a=INT, b=STR), False),
    ("parent into child whose extra field is optional", obj(["a"], a=INT), obj(["a"], a=INT, b=OPT_STR), True),
    ("field type differs", obj(["a"], a=STR), obj(["a"], a=INT), False),
    ("integer field into number field", obj(["a"], a=INT), obj(["a"], a=NUM), True),
    ("number field into integer field", obj(["a"], a=NUM), obj(["a"], a=INT), False),
    ("string into optional string", obj(["a"], a=STR), obj(["a"], a=OPT_STR), True),
    ("optional string into string", obj(["a"], a=OPT_STR), obj(["a"], a=STR), False),
    (
        "list items compared",
        obj(["a"], a={"type": "array", "items": INT}),
        obj(["a"], a={"type": "array", "items": STR}),
        False,
    ),
    (
        "list items compatible",
        obj(["a"], a={"type": "array", "items": INT}),
        obj(["a"], a={"type": "array", "items": NUM}),
        True,
    ),
    (
        "dict value schemas compared",
        obj(["a"], a={"type": "object", "additionalProperties": INT}),
        obj(["a"], a={"type": "object", "additionalProperties": STR}),
        False,
    ),
    ("enum subset", {"type": "string", "enum": ["a"]}, {"type": "string", "enum": ["a", "b"]}, True),
    ("enum superset", {"type": "string", "enum": ["a", "b"]}, {"type": "string", "enum": ["a"]}, False),
    ("format must match when required", {"type": "string"}, {"type": "string", "format": "date-time"}, False),
]


@pytest.mark.parametrize(("upstream", "downstream", "compatible"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_schema_compatibility(upstream: dict[str, Any], downstream: dict[str, Any], compatible: bool) -> None:
    assert is_compatible_schema(upstream, downstream) is compatible


def test_local_references_are_followed_on_both_sides() -> None:
    inner_child = obj(["x", "y"], x=INT, y=STR)
    inner_parent = obj(["x"], x=INT)
    upstream = {**obj(["inner"], inner={"$ref": "#/$defs/Inner"}), "$defs": {"Inner": inner_child}}
    downstream = {**obj(["inner"], inner={"$ref": "#/definitions/Inner"}), "definitions": {"Inner": inner_parent}}
    assert is_compatible_schema(upstream, downstream)
    assert not is_compatible_schema(downstream, upstream)
