"""Literals for people: a value rendered as text with its type (files become download links), and the other way
round, form fields built from an interface and the text typed into them checked and turned into literals."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import msgpack
from flyteidl.core import interface_pb2, literals_pb2, types_pb2
from google.protobuf import json_format, struct_pb2

__all__ = ["Field", "FieldError", "Shown", "form_fields", "literal_from_text", "show_literal", "type_name"]

_SIMPLE_NAMES = {
    types_pb2.NONE: "none",
    types_pb2.INTEGER: "int",
    types_pb2.FLOAT: "float",
    types_pb2.STRING: "str",
    types_pb2.BOOLEAN: "bool",
    types_pb2.DATETIME: "datetime",
    types_pb2.DURATION: "timedelta",
    types_pb2.BINARY: "bytes",
    types_pb2.ERROR: "error",
    types_pb2.STRUCT: "dict (JSON)",
}

LinkOf = Callable[[str], "str | None"]
"""Turns a blob's URI into a download link (None when the object is not there)."""


@dataclass
class Shown:
    """One value as the page shows it: `text`, or a link (`href`) for files, or `items` for collections/maps."""

    text: str = ""
    href: str | None = None
    items: list[tuple[str, Shown]] | None = None


def type_name(literal_type: types_pb2.LiteralType) -> str:
    """A Python-like name for a Flyte type: int, list[str], dict[str, float], FlyteFile, a | b ..."""
    kind = literal_type.WhichOneof("type")
    if kind == "simple":
        return _SIMPLE_NAMES.get(literal_type.simple, "?")
    if kind == "collection_type":
        return f"list[{type_name(literal_type.collection_type)}]"
    if kind == "map_value_type":
        return f"dict[str, {type_name(literal_type.map_value_type)}]"
    if kind == "blob":
        return "FlyteDirectory" if literal_type.blob.dimensionality == types_pb2.BlobType.MULTIPART else "FlyteFile"
    if kind == "structured_dataset_type":
        return "StructuredDataset"
    if kind == "enum_type":
        return "enum"
    if kind == "union_type":
        return " | ".join(type_name(variant) for variant in literal_type.union_type.variants)
    if kind == "schema":
        return "schema"
    return "?"


def show_literal(literal: literals_pb2.Literal, link_of: LinkOf) -> Shown:
    kind = literal.WhichOneof("value")
    if kind == "collection":
        return Shown(
            items=[(str(i), show_literal(item, link_of)) for i, item in enumerate(literal.collection.literals)]
        )
    if kind == "map":
        entries = sorted(literal.map.literals.items())
        return Shown(items=[(key, show_literal(value, link_of)) for key, value in entries])
    if kind == "offloaded_metadata":
        return Shown(text=f"(offloaded: {literal.offloaded_metadata.uri})")
    if kind == "scalar":
        return _show_scalar(literal.scalar, link_of)
    return Shown(text="(none)")


def _show_scalar(scalar: literals_pb2.Scalar, link_of: LinkOf) -> Shown:
    kind = scalar.WhichOneof("value")
    if kind == "primitive":
        return Shown(text=_primitive_text(scalar.primitive))
    if kind == "blob":
        return Shown(text=scalar.blob.uri, href=link_of(scalar.blob.uri))
    if kind == "structured_dataset":
        return Shown(text=scalar.structured_dataset.uri, href=link_of(scalar.structured_dataset.uri))
    if kind == "union":
        return show_literal(scalar.union.value, link_of)
    if kind == "generic":
        return Shown(text=json.dumps(json_format.MessageToDict(scalar.generic), sort_keys=True))
    if kind == "binary":
        return Shown(text=_binary_text(scalar.binary))
    if kind == "error":
        return Shown(text=f"error in {scalar.error.failed_node_id}: {scalar.error.message}")
    if kind == "none_type":
        return Shown(text="None")
    if kind == "schema":
        return Shown(text=scalar.schema.uri, href=link_of(scalar.schema.uri))
    return Shown(text="(unset)")


def _primitive_text(primitive: literals_pb2.Primitive) -> str:
    kind = primitive.WhichOneof("value")
    if kind == "integer":
        return str(primitive.integer)
    if kind == "float_value":
        return repr(primitive.float_value)
    if kind == "string_value":
        return str(primitive.string_value)
    if kind == "boolean":
        return "true" if primitive.boolean else "false"
    if kind == "datetime":
        return str(primitive.datetime.ToDatetime(tzinfo=timezone.utc).isoformat())
    if kind == "duration":
        return str(primitive.duration.ToTimedelta())
    return ""


def _binary_text(binary: literals_pb2.Binary) -> str:
    """flytekit writes dataclasses and dicts as MessagePack; shown as JSON when it decodes."""
    if binary.tag == "msgpack":
        try:
            return json.dumps(msgpack.unpackb(binary.value, strict_map_key=False), sort_keys=True, default=str)
        except (ValueError, TypeError, msgpack.ExtraData):
            pass
    return f"({len(binary.value)} bytes, {binary.tag or 'binary'})"


# -- forms -------------------------------------------------------------------------------------------------------


@dataclass
class Field:
    """One input of a launch form: the HTML input to use, its default text, and whether it must be given."""

    name: str
    type: str
    input: str  # number-int, number-float, text, checkbox, datetime, json, textarea
    default: str
    required: bool
    description: str = ""


class FieldError(ValueError):
    """A value that does not fit its input's type; the message names the input."""


def form_fields(
    parameters: interface_pb2.ParameterMap | None,
    variables: interface_pb2.VariableMap,
    values: literals_pb2.LiteralMap | None = None,
) -> list[Field]:
    """The fields of a launch form: every input of the interface, with its launch plan default where there is one
    (or the value an earlier execution was given, for a relaunch with other inputs)."""
    fields: list[Field] = []
    defaults = parameters.parameters if parameters is not None else {}
    for name, variable in variables.variables.items():
        parameter = defaults.get(name)
        default, required = "", True
        if parameter is not None:
            required = parameter.required
            if parameter.HasField("default"):
                default, required = _default_text(parameter.default, variable.type), False
        if values is not None and name in values.literals:
            default = _default_text(values.literals[name], variable.type)
        if variable.type.WhichOneof("type") == "union_type" and _optional(variable.type):
            required = False
        fields.append(
            Field(
                name=name,
                type=type_name(variable.type),
                input=_input_kind(variable.type),
                default=default,
                required=required,
                description=variable.description,
            )
        )
    return fields


def _optional(literal_type: types_pb2.LiteralType) -> bool:
    return any(v.simple == types_pb2.NONE for v in literal_type.union_type.variants if v.HasField("simple"))


def _input_kind(literal_type: types_pb2.LiteralType) -> str:
    kind = literal_type.WhichOneof("type")
    if kind == "simple":
        return {
            types_pb2.INTEGER: "number-int",
            types_pb2.FLOAT: "number-float",
            types_pb2.BOOLEAN: "checkbox",
            types_pb2.DATETIME: "datetime",
            types_pb2.STRUCT: "json",
        }.get(literal_type.simple, "text")
    if kind == "union_type":
        others = [v for v in literal_type.union_type.variants if not (v.HasField("simple") and v.simple == 0)]
        return _input_kind(others[0]) if len(others) == 1 else "json"
    if kind in ("collection_type", "map_value_type"):
        return "json"
    return "text"


def _default_text(literal: literals_pb2.Literal, literal_type: types_pb2.LiteralType) -> str:
    value = _python_value(literal)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return str(value)


def _python_value(literal: literals_pb2.Literal) -> Any:
    kind = literal.WhichOneof("value")
    if kind == "collection":
        return [_python_value(item) for item in literal.collection.literals]
    if kind == "map":
        return {key: _python_value(value) for key, value in literal.map.literals.items()}
    if kind != "scalar":
        return None
    scalar = literal.scalar
    which = scalar.WhichOneof("value")
    if which == "primitive":
        primitive = scalar.primitive
        p = primitive.WhichOneof("value")
        if p == "datetime":
            return primitive.datetime.ToDatetime(tzinfo=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
        if p == "duration":
            return primitive.duration.ToTimedelta().total_seconds()
        return getattr(primitive, p) if p else None
    if which == "union":
        return _python_value(scalar.union.value)
    if which == "blob":
        return scalar.blob.uri
    if which == "generic":
        return json_format.MessageToDict(scalar.generic)
    if which == "binary" and scalar.binary.tag == "msgpack":
        try:
            return msgpack.unpackb(scalar.binary.value, strict_map_key=False)
        except (ValueError, TypeError, msgpack.ExtraData):
            return None
    return None


def literal_from_text(name: str, text: str | None, literal_type: types_pb2.LiteralType) -> literals_pb2.Literal:
    """The literal for what was typed into input `name`; FieldError names the input and what was expected."""
    kind = literal_type.WhichOneof("type")
    if kind == "union_type":
        return _union_from_text(name, text, literal_type)
    if text is None or (text == "" and not (kind == "simple" and literal_type.simple == types_pb2.STRING)):
        raise FieldError(f"{name}: a value is required ({type_name(literal_type)})")
    if kind == "simple":
        return _simple_from_text(name, text, literal_type.simple)
    if kind in ("collection_type", "map_value_type"):
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise FieldError(f"{name}: not JSON ({exc.msg}), expected {type_name(literal_type)}") from None
        return _literal_from_json(name, value, literal_type)
    if kind == "blob":
        blob_type = literal_type.blob
        return literals_pb2.Literal(
            scalar=literals_pb2.Scalar(
                blob=literals_pb2.Blob(uri=text, metadata=literals_pb2.BlobMetadata(type=blob_type))
            )
        )
    if kind == "enum_type":
        if text not in literal_type.enum_type.values:
            raise FieldError(f"{name}: expected one of {', '.join(literal_type.enum_type.values)}")
        return _primitive(string_value=text)
    raise FieldError(f"{name}: inputs of type {type_name(literal_type)} cannot be given from the console")


def _union_from_text(name: str, text: str | None, literal_type: types_pb2.LiteralType) -> literals_pb2.Literal:
    variants = list(literal_type.union_type.variants)
    none = [v for v in variants if v.HasField("simple") and v.simple == types_pb2.NONE]
    if (text is None or text == "") and none:
        return literals_pb2.Literal(
            scalar=literals_pb2.Scalar(
                union=literals_pb2.Union(
                    value=literals_pb2.Literal(scalar=literals_pb2.Scalar(none_type=literals_pb2.Void())),
                    type=none[0],
                )
            )
        )
    problems = []
    for variant in variants:
        if variant in none:
            continue
        try:
            value = literal_from_text(name, text, variant)
        except FieldError as exc:
            problems.append(str(exc))
            continue
        return literals_pb2.Literal(scalar=literals_pb2.Scalar(union=literals_pb2.Union(value=value, type=variant)))
    raise FieldError(problems[0] if len(problems) == 1 else f"{name}: fits none of {type_name(literal_type)}")


def _primitive(**value: Any) -> literals_pb2.Literal:
    return literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(**value)))


def _simple_from_text(name: str, text: str, simple: int) -> literals_pb2.Literal:
    try:
        if simple == types_pb2.INTEGER:
            return _primitive(integer=int(text.strip()))
        if simple == types_pb2.FLOAT:
            return _primitive(float_value=float(text.strip()))
        if simple == types_pb2.STRING:
            return _primitive(string_value=text)
        if simple == types_pb2.BOOLEAN:
            lowered = text.strip().lower()
            if lowered not in ("true", "false", "on", "off", "1", "0"):
                raise ValueError(text)
            return _primitive(boolean=lowered in ("true", "on", "1"))
        if simple == types_pb2.DATETIME:
            moment = datetime.fromisoformat(text.strip())
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=timezone.utc)
            literal = _primitive()
            literal.scalar.primitive.datetime.FromDatetime(moment.astimezone(timezone.utc))
            return literal
        if simple == types_pb2.DURATION:
            literal = _primitive()
            literal.scalar.primitive.duration.FromTimedelta(timedelta(seconds=float(text.strip())))
            return literal
        if simple == types_pb2.STRUCT:
            struct = struct_pb2.Struct()
            value = json.loads(text)
            if not isinstance(value, dict):
                raise ValueError(text)
            struct.update(value)
            return literals_pb2.Literal(scalar=literals_pb2.Scalar(generic=struct))
        if simple == types_pb2.NONE:
            return literals_pb2.Literal(scalar=literals_pb2.Scalar(none_type=literals_pb2.Void()))
    except ValueError:
        raise FieldError(f"{name}: {text!r} is not a {_SIMPLE_NAMES.get(simple, 'value')}") from None
    raise FieldError(f"{name}: inputs of type {_SIMPLE_NAMES.get(simple, '?')} cannot be given from the console")


def _literal_from_json(name: str, value: Any, literal_type: types_pb2.LiteralType) -> literals_pb2.Literal:
    kind = literal_type.WhichOneof("type")
    if kind == "collection_type":
        if not isinstance(value, list):
            raise FieldError(f"{name}: expected a JSON list for {type_name(literal_type)}")
        items = [_literal_from_json(f"{name}[{i}]", v, literal_type.collection_type) for i, v in enumerate(value)]
        return literals_pb2.Literal(collection=literals_pb2.LiteralCollection(literals=items))
    if kind == "map_value_type":
        if not isinstance(value, dict):
            raise FieldError(f"{name}: expected a JSON object for {type_name(literal_type)}")
        entries = {k: _literal_from_json(f"{name}.{k}", v, literal_type.map_value_type) for k, v in value.items()}
        return literals_pb2.Literal(map=literals_pb2.LiteralMap(literals=entries))
    if kind == "simple" and literal_type.simple == types_pb2.INTEGER and isinstance(value, bool):
        raise FieldError(f"{name}: expected int")
    text = value if isinstance(value, str) else json.dumps(value)
    if kind == "simple" and literal_type.simple == types_pb2.BOOLEAN and isinstance(value, bool):
        text = "true" if value else "false"
    return literal_from_text(name, text, literal_type)
