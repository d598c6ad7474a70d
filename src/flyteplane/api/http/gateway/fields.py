"""Sets request fields from the strings of a path or query string, as grpc-gateway's runtime does.

A field path (`id.project`, `sort_by.direction`, `sortBy.key`) walks singular message fields by proto or JSON
name; an unknown name anywhere is ignored (a query may carry parameters that are not part of the request).
Values are parsed by the field's type: enums by name or number, booleans as Go's `strconv.ParseBool`, integers in
decimal, bytes as base64, Timestamps in RFC 3339, Durations as Go writes them (`1h30m`, `1.5s`); a repeated
field takes every value, a map field `key=value` pairs, any other field exactly one value.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Sequence
from typing import Any

from google.protobuf import json_format, message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from flyteplane.api.http.gateway.descriptors import (
    descriptor_of,
    enum_type,
    is_map,
    is_repeated,
    message_type,
    real_oneof,
)

__all__ = ["FieldError", "normalize_field_path", "parse_go_duration", "set_field_path"]

_TRUE = {"1", "t", "T", "TRUE", "true", "True"}
_FALSE = {"0", "f", "F", "FALSE", "false", "False"}
_SIGNED = re.compile(r"[+-]?[0-9]+")
_UNSIGNED = re.compile(r"\+?[0-9]+")
_FLOAT = re.compile(r"[+-]?(inf|infinity|nan|([0-9]+\.?[0-9]*|\.[0-9]+)(e[+-]?[0-9]+)?)", re.IGNORECASE)
_RANGES = {
    FieldDescriptor.TYPE_INT32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_SINT32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_SFIXED32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_INT64: (-(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_SINT64: (-(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_SFIXED64: (-(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_UINT32: (0, 2**32 - 1),
    FieldDescriptor.TYPE_FIXED32: (0, 2**32 - 1),
    FieldDescriptor.TYPE_UINT64: (0, 2**64 - 1),
    FieldDescriptor.TYPE_FIXED64: (0, 2**64 - 1),
}
_UNSIGNED_TYPES = {
    FieldDescriptor.TYPE_UINT32,
    FieldDescriptor.TYPE_FIXED32,
    FieldDescriptor.TYPE_UINT64,
    FieldDescriptor.TYPE_FIXED64,
}
_GO_DURATION = re.compile(r"([0-9]*\.?[0-9]*)(ns|us|µs|μs|ms|s|m|h)")
_GO_UNITS_NS = {"ns": 1, "us": 1_000, "µs": 1_000, "μs": 1_000, "ms": 1_000_000, "s": 10**9, "m": 60 * 10**9}
_GO_UNITS_NS["h"] = 3600 * 10**9


_WRAPPERS = {
    f"google.protobuf.{kind}Value"
    for kind in ("Double", "Float", "Int64", "UInt64", "Int32", "UInt32", "Bool", "String", "Bytes")
}


class FieldError(ValueError):
    """A value that cannot be set: the caller answers INVALID_ARGUMENT with this message."""


def _field(descriptor: Descriptor, name: str) -> FieldDescriptor | None:
    field = descriptor.fields_by_name.get(name)
    return field if field is not None else descriptor.fields_by_camelcase_name.get(name)


def normalize_field_path(descriptor: Descriptor, names: Sequence[str]) -> list[str]:
    """The path with JSON names turned into proto names; unchanged if it does not name a field."""
    normalized = []
    for index, name in enumerate(names):
        field = _field(descriptor, name)
        if field is None:
            return list(names)
        normalized.append(field.name)
        if index < len(names) - 1:
            if field.message_type is None or is_repeated(field):
                return list(names)
            descriptor = field.message_type
    return normalized


def set_field_path(message: Message, names: Sequence[str], values: Sequence[str]) -> None:
    if not names:
        raise FieldError("no field path")
    if not values:
        raise FieldError("no value provided")
    field: FieldDescriptor | None = None
    for index, name in enumerate(names):
        field = _field(descriptor_of(message), name)
        if field is None:
            return  # not a field of the request: ignored, as grpc-gateway does
        oneof = real_oneof(field)
        if oneof is not None:
            chosen = message.WhichOneof(oneof.name)
            if chosen is not None and (field.message_type is None or chosen != field.name):
                raise FieldError(f'field already set for oneof "{oneof.name}"')
        if index == len(names) - 1:
            break
        if field.message_type is None or is_repeated(field):
            raise FieldError(f'invalid path: "{name}" is not a message')
        message = getattr(message, field.name)
    assert field is not None
    if is_map(field):
        _set_map_entry(field, getattr(message, field.name), values)
    elif is_repeated(field):
        container = getattr(message, field.name)
        for value in values:
            parsed = _parse(field, value)
            if field.message_type is not None:
                container.add().CopyFrom(parsed)
            else:
                container.append(parsed)
    elif len(values) > 1:
        raise FieldError(f'too many values for field "{field.name}": {", ".join(values)}')
    elif field.message_type is not None:
        getattr(message, field.name).CopyFrom(_parse(field, values[0]))
    else:
        setattr(message, field.name, _parse(field, values[0]))


def _set_map_entry(field: FieldDescriptor, entries: Any, values: Sequence[str]) -> None:
    if len(values) != 2:
        raise FieldError(f'more than one value provided for key "{values[0]}" in map "{field.full_name}"')
    entry = message_type(field)
    key = _parse(entry.fields_by_name["key"], values[0])
    value_field = entry.fields_by_name["value"]
    value = _parse(value_field, values[1])
    if value_field.message_type is not None:
        entries[key].CopyFrom(value)
    else:
        entries[key] = value


def _parse(field: FieldDescriptor, value: str) -> Any:
    try:
        return _parse_value(field, value)
    except FieldError as e:
        raise FieldError(f'parsing field "{field.name}": {e}') from None


def _parse_value(field: FieldDescriptor, value: str) -> Any:
    kind = field.type
    if kind == FieldDescriptor.TYPE_STRING:
        return value
    if kind == FieldDescriptor.TYPE_BOOL:
        return _parse_bool(value)
    if kind == FieldDescriptor.TYPE_ENUM:
        return _parse_enum(field, value)
    if kind in _RANGES:
        return _parse_int(value, *_RANGES[kind], unsigned=kind in _UNSIGNED_TYPES)
    if kind in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
        return _parse_float(value)
    if kind == FieldDescriptor.TYPE_BYTES:
        return _parse_bytes(value)
    return _parse_message(field, value)


def _parse_bool(value: str) -> bool:
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise FieldError(f'invalid boolean "{value}"')


def _parse_enum(field: FieldDescriptor, value: str) -> int:
    enum = enum_type(field)
    by_name = enum.values_by_name.get(value)
    if by_name is not None:
        return int(by_name.number)
    if _SIGNED.fullmatch(value) and int(value) in enum.values_by_number:
        return int(value)
    raise FieldError(f'"{value}" is not a valid value')


def _parse_int(value: str, low: int, high: int, *, unsigned: bool) -> int:
    if not (_UNSIGNED if unsigned else _SIGNED).fullmatch(value):
        raise FieldError(f'invalid integer "{value}"')
    number = int(value)
    if not low <= number <= high:
        raise FieldError(f'value out of range "{value}"')
    return number


def _parse_float(value: str) -> float:
    if not _FLOAT.fullmatch(value):
        raise FieldError(f'invalid number "{value}"')
    return float(value)


def _parse_bytes(value: str) -> bytes:
    """Standard base64, else its URL-safe alphabet, as grpc-gateway's runtime.Bytes."""
    for altchars in (None, b"-_"):
        try:
            return base64.b64decode(value, altchars=altchars, validate=True)
        except (binascii.Error, ValueError):
            continue
    raise FieldError(f'invalid base64 "{value}"')


def _parse_message(field: FieldDescriptor, value: str) -> Message:
    """The well-known types grpc-gateway reads from a string; any other message cannot be a query value."""
    descriptor = message_type(field)
    name = descriptor.full_name
    message = message_factory.GetMessageClass(descriptor)()
    try:
        if name == "google.protobuf.Timestamp":
            message.FromJsonString(value)  # type: ignore[attr-defined]
        elif name == "google.protobuf.Duration":
            seconds, nanos = divmod(parse_go_duration(value), 10**9)
            message.seconds, message.nanos = seconds, nanos  # type: ignore[attr-defined]
            if seconds < 0 and nanos:  # Duration keeps seconds and nanos of one sign
                message.seconds, message.nanos = seconds + 1, nanos - 10**9  # type: ignore[attr-defined]
        elif name == "google.protobuf.FieldMask":
            message.paths.extend(value.split(","))  # type: ignore[attr-defined]
        elif name in ("google.protobuf.Struct", "google.protobuf.Value"):
            json_format.ParseDict(json.loads(value), message)
        elif name in _WRAPPERS:
            message.value = _parse_value(descriptor.fields_by_name["value"], value)  # type: ignore[attr-defined]
        else:
            raise FieldError(f'unsupported message type: "{name}"')
    except (ValueError, json_format.ParseError) as e:
        if isinstance(e, FieldError):
            raise
        raise FieldError(f'invalid {name.rsplit(".", 1)[-1]} "{value}": {e}') from None
    return message


def parse_go_duration(text: str) -> int:
    """Nanoseconds of a Go duration string: an optional sign, then number-unit pairs (`1h30m`, `-1.5s`, `0`)."""
    sign, rest = (-1, text[1:]) if text.startswith("-") else (1, text.removeprefix("+"))
    if rest == "0":
        return 0
    total, position = 0, 0
    while position < len(rest):
        match = _GO_DURATION.match(rest, position)
        if match is None or match.group(1) in ("", "."):
            raise FieldError(f'invalid duration "{text}"')
        whole, _, fraction = match.group(1).partition(".")
        unit = _GO_UNITS_NS[match.group(2)]
        total += int(whole or "0") * unit + (int(fraction) * unit // 10 ** len(fraction) if fraction else 0)
        position = match.end()
    if not rest:
        raise FieldError(f'invalid duration "{text}"')
    return sign * total
