"""Messages to JSON values as Go's protojson writes them with `EmitUnpopulated`, which grpc-gateway uses.

Python's json_format differs where it matters to a reader of flyteadmin's API: with EmitUnpopulated every unset
singular message field is written as `null` (json_format leaves it out), while unset oneof members and proto3
`optional` fields are left out. The rest is protojson's: int64 as strings, enums by name, bytes as base64,
Timestamp and Duration as strings, wrappers as plain values, Struct as JSON, Any with `@type`, fields in
declaration order, map keys sorted. `proto_names` picks snake_case (flyteadmin's `application/json`) or
lowerCamelCase (grpc-gateway's default).
"""

from __future__ import annotations

import base64
import math
import struct
from typing import Any

from google.protobuf import descriptor_pool, message_factory
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from flyteplane.api.http.gateway.descriptors import descriptor_of, enum_type, is_map, is_repeated, message_type

__all__ = ["to_json_value"]

_INT64 = {
    FieldDescriptor.TYPE_INT64,
    FieldDescriptor.TYPE_UINT64,
    FieldDescriptor.TYPE_SINT64,
    FieldDescriptor.TYPE_FIXED64,
    FieldDescriptor.TYPE_SFIXED64,
}
_WRAPPERS = {
    f"google.protobuf.{name}Value"
    for name in ("Double", "Float", "Int64", "UInt64", "Int32", "UInt32", "Bool", "String", "Bytes")
}
_AS_STRING = {"google.protobuf.Timestamp", "google.protobuf.Duration", "google.protobuf.FieldMask"}
# Well-known types with a JSON form of their own, which Any wraps in a `value` field.
_SPECIAL = {
    *_AS_STRING,
    *_WRAPPERS,
    *(f"google.protobuf.{name}" for name in ("Struct", "ListValue", "Value", "Any", "Empty")),
}


def to_json_value(message: Message, *, proto_names: bool) -> Any:
    """The message as a JSON-ready Python value (dict for ordinary messages)."""
    return _message(message, proto_names)


def _message(message: Message, proto_names: bool) -> Any:
    descriptor = descriptor_of(message)
    name = descriptor.full_name
    if name in _AS_STRING:
        return message.ToJsonString()  # type: ignore[attr-defined]
    if name in _WRAPPERS:
        return _singular(descriptor.fields_by_name["value"], message.value, proto_names)  # type: ignore[attr-defined]
    if name == "google.protobuf.Struct":
        return {key: _message(message.fields[key], proto_names) for key in sorted(message.fields)}  # type: ignore[attr-defined]
    if name == "google.protobuf.ListValue":
        return [_message(value, proto_names) for value in message.values]  # type: ignore[attr-defined]
    if name == "google.protobuf.Value":
        return _value(message, proto_names)
    if name == "google.protobuf.Any":
        return _any(message, proto_names)
    out: dict[str, Any] = {}
    for field in descriptor.fields:
        key = field.name if proto_names else field.json_name
        if is_map(field):
            out[key] = _map(field, getattr(message, field.name), proto_names)
        elif is_repeated(field):
            out[key] = [_singular(field, item, proto_names) for item in getattr(message, field.name)]
        elif not field.has_presence or message.HasField(field.name):
            out[key] = _singular(field, getattr(message, field.name), proto_names)
        elif field.containing_oneof is None:
            out[key] = None  # unset message (or proto2 optional): null; unset oneof members are left out
    return out


def _singular(field: FieldDescriptor, value: Any, proto_names: bool) -> Any:
    kind = field.type
    if kind in (FieldDescriptor.TYPE_MESSAGE, FieldDescriptor.TYPE_GROUP):
        return _message(value, proto_names)
    if kind == FieldDescriptor.TYPE_ENUM:
        enum = enum_type(field)
        if enum.full_name == "google.protobuf.NullValue":
            return None
        known = enum.values_by_number.get(value)
        return known.name if known is not None else value
    if kind in _INT64:
        return str(value)
    if kind == FieldDescriptor.TYPE_BYTES:
        return base64.b64encode(value).decode("ascii")
    if kind == FieldDescriptor.TYPE_DOUBLE:
        return _number(value)
    if kind == FieldDescriptor.TYPE_FLOAT:
        return _number(_shortest_float32(value))
    return value  # bool, string, 32-bit integers


def _map(field: FieldDescriptor, entries: Any, proto_names: bool) -> dict[str, Any]:
    entry = message_type(field)
    key_field, value_field = entry.fields_by_name["key"], entry.fields_by_name["value"]
    out: dict[str, Any] = {}
    for key in sorted(entries):
        text = ("true" if key else "false") if key_field.type == FieldDescriptor.TYPE_BOOL else str(key)
        out[text] = _singular(value_field, entries[key], proto_names)
    return out


def _value(message: Any, proto_names: bool) -> Any:
    kind = message.WhichOneof("kind")
    if kind is None or kind == "null_value":
        return None
    if kind == "number_value":
        return _number(message.number_value)
    if kind in ("struct_value", "list_value"):
        return _message(getattr(message, kind), proto_names)
    return getattr(message, kind)


def _any(message: Any, proto_names: bool) -> dict[str, Any]:
    if not message.type_url:
        return {}
    type_name = message.type_url.rsplit("/", 1)[-1]
    try:
        descriptor = descriptor_pool.Default().FindMessageTypeByName(type_name)
    except KeyError:
        raise ValueError(f"unable to resolve {message.type_url!r}: not found") from None
    inner = message_factory.GetMessageClass(descriptor)()
    inner.ParseFromString(message.value)
    value = _message(inner, proto_names)
    if descriptor.full_name in _SPECIAL:
        return {"@type": message.type_url, "value": value}
    return {"@type": message.type_url, **value}


def _number(value: float) -> Any:
    """Go writes floats shortest-first and integral ones without a fraction (`1`, not `1.0`)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value.is_integer() and abs(value) < 1e21:
        return int(value)
    return value


def _shortest_float32(value: float) -> float:
    """The shortest decimal that reads back as the same 32-bit float (0.1, not 0.10000000149011612)."""
    if math.isnan(value) or math.isinf(value):
        return value
    single = struct.unpack("<f", struct.pack("<f", value))[0]
    for digits in range(1, 10):
        candidate = float(f"{single:.{digits}g}")
        if struct.unpack("<f", struct.pack("<f", candidate))[0] == single:
            return candidate
    return float(single)
