"""Compatibility of the JSON schemas flytekit attaches to dataclass / Pydantic types (LiteralType.metadata).

flytepropeller lets a STRUCT flow into another STRUCT when the schemas are identical or when every value valid
for the upstream schema is also valid for the downstream one (a child dataclass into a parent). This module
implements that second check for the schema shapes flytekit (mashumaro, Pydantic) produces; like
flytepropeller it does not let `additionalProperties: false` on the downstream side reject extra fields.
"""

from __future__ import annotations

from typing import Any

from google.protobuf import json_format, struct_pb2

__all__ = ["is_compatible_schema", "struct_to_json"]

Schema = Any

# Value constraints compared by equality when the downstream schema sets them.
_EXACT_CONSTRAINTS = frozenset(
    {
        "format",
        "pattern",
        "multipleOf",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "uniqueItems",
        "minProperties",
        "maxProperties",
    }
)
_MAX_DEPTH = 64


def struct_to_json(struct: struct_pb2.Struct) -> dict[str, Any]:
    """The schema as plain JSON values."""
    result: dict[str, Any] = json_format.MessageToDict(struct)
    return result


def is_compatible_schema(upstream: dict[str, Any], downstream: dict[str, Any]) -> bool:
    """True when the schemas are identical or the upstream one describes a subset of the downstream values."""
    if upstream == downstream:
        return True
    return _Comparison(upstream, downstream).subschema(upstream, downstream, 0)


class _Comparison:
    """One comparison; keeps both root documents to resolve local `$ref`s."""

    def __init__(self, upstream_root: dict[str, Any], downstream_root: dict[str, Any]) -> None:
        self.upstream_root = upstream_root
        self.downstream_root = downstream_root

    def subschema(self, up: Schema, down: Schema, depth: int) -> bool:
        if depth > _MAX_DEPTH:
            return False
        up = _resolve(self.upstream_root, up)
        down = _resolve(self.downstream_root, down)
        if down is True or down == {} or up is False:
            return True
        if not isinstance(up, dict) or not isinstance(down, dict):
            return bool(up == down)
        for keyword in ("anyOf", "oneOf"):
            if isinstance(up.get(keyword), list):
                rest = {k: v for k, v in up.items() if k != keyword}
                return all(self.subschema({**rest, **_as_dict(b)}, down, depth + 1) for b in up[keyword])
        for keyword in ("anyOf", "oneOf"):
            if isinstance(down.get(keyword), list):
                rest = {k: v for k, v in down.items() if k != keyword}
                return any(self.subschema(up, {**rest, **_as_dict(b)}, depth + 1) for b in down[keyword])
        if isinstance(down.get("allOf"), list):
            return all(self.subschema(up, branch, depth + 1) for branch in down["allOf"])
        return (
            _types_subset(up, down)
            and _enum_subset(up, down)
            and _exact_constraints(up, down)
            and self._objects(up, down, depth)
            and self._arrays(up, down, depth)
        )

    def _objects(self, up: dict[str, Any], down: dict[str, Any], depth: int) -> bool:
        up_properties = _as_dict(up.get("properties"))
        down_properties = _as_dict(down.get("properties"))
        up_required = set(up.get("required") or [])
        down_required = set(down.get("required") or [])
        if not down_required <= up_required:
            return False
        for name, down_property in down_properties.items():
            if name in up_properties and not self.subschema(up_properties[name], down_property, depth + 1):
                return False
        up_extra, down_extra = up.get("additionalProperties"), down.get("additionalProperties")
        if isinstance(up_extra, dict) and isinstance(down_extra, dict):
            return self.subschema(up_extra, down_extra, depth + 1)
        return True

    def _arrays(self, up: dict[str, Any], down: dict[str, Any], depth: int) -> bool:
        down_items = down.get("items")
        if isinstance(down_items, dict) and down_items:
            up_items = up.get("items")
            if not isinstance(up_items, dict) or not self.subschema(up_items, down_items, depth + 1):
                return False
        down_prefix = down.get("prefixItems")
        if isinstance(down_prefix, list):
            up_prefix = up.get("prefixItems")
            if not isinstance(up_prefix, list) or len(up_prefix) != len(down_prefix):
                return False
            return all(self.subschema(u, d, depth + 1) for u, d in zip(up_prefix, down_prefix, strict=True))
        return True


def _resolve(root: dict[str, Any], schema: Schema) -> Schema:
    """Follows local references (`#/$defs/X`, `#/definitions/X`); a reference it cannot follow stays as is."""
    seen = 0
    while isinstance(schema, dict) and isinstance(schema.get("$ref"), str) and seen < _MAX_DEPTH:
        ref: str = schema["$ref"]
        if not ref.startswith("#"):
            return schema
        target: Any = root
        for part in [p for p in ref[1:].split("/") if p]:
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, dict) or part not in target:
                return schema
            target = target[part]
        siblings = {k: v for k, v in schema.items() if k != "$ref"}
        schema = {**_as_dict(target), **siblings}
        seen += 1
    return schema


def _as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _type_set(schema: dict[str, Any]) -> set[str] | None:
    declared = schema.get("type")
    if declared is None:
        return None
    return {declared} if isinstance(declared, str) else set(declared)


def _types_subset(up: dict[str, Any], down: dict[str, Any]) -> bool:
    down_types = _type_set(down)
    if down_types is None:
        return True
    up_types = _type_set(up)
    if up_types is None:
        return "enum" in up or "const" in up
    if "number" in down_types:
        down_types = down_types | {"integer"}
    return up_types <= down_types


def _enum_subset(up: dict[str, Any], down: dict[str, Any]) -> bool:
    allowed = down.get("enum")
    if "const" in down:
        allowed = [down["const"]]
    if not isinstance(allowed, list):
        return True
    values = up.get("enum")
    if "const" in up:
        values = [up["const"]]
    return isinstance(values, list) and all(v in allowed for v in values)


def _exact_constraints(up: dict[str, Any], down: dict[str, Any]) -> bool:
    return all(up.get(keyword) == down[keyword] for keyword in _EXACT_CONSTRAINTS & down.keys())
