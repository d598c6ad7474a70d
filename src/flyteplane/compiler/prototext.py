"""Compact one-line text of a protobuf message, shaped like Go's `proto.String()`.

flytepropeller puts identifiers and literal types into its messages in that form
(`resource_type:TASK project:"p" ...`, `collection_type:{simple:INTEGER}`); users know it, and it doubles as a
canonical key for comparing and ordering types.
"""

from __future__ import annotations

import json
from typing import Any

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

__all__ = ["go_text"]


def go_text(message: Message) -> str:
    """Fields in field-number order, zero values omitted, map entries sorted by key."""
    parts: list[str] = []
    for field, value in message.ListFields():
        entry_type = field.message_type
        if entry_type is not None and _is_repeated(field) and entry_type.GetOptions().map_entry:
            key_field, value_field = entry_type.fields_by_name["key"], entry_type.fields_by_name["value"]
            for key in sorted(value):
                entry = f"key:{_scalar(key_field, key)} value:{_value(value_field, value[key])}"
                parts.append(f"{field.name}:{{{entry}}}")
        elif _is_repeated(field):
            parts.extend(f"{field.name}:{_value(field, item)}" for item in value)
        else:
            parts.append(f"{field.name}:{_value(field, value)}")
    return " ".join(parts)


def _is_repeated(field: FieldDescriptor) -> bool:
    # protobuf 6+ exposes `is_repeated` and drops `label`; older releases have only `label`.
    repeated = getattr(field, "is_repeated", None)
    if repeated is None:
        return bool(getattr(field, "label", None) == FieldDescriptor.LABEL_REPEATED)
    return bool(repeated)


def _value(field: FieldDescriptor, value: Any) -> str:
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        return f"{{{go_text(value)}}}"
    return _scalar(field, value)


def _scalar(field: FieldDescriptor, value: Any) -> str:
    if field.type == FieldDescriptor.TYPE_ENUM and field.enum_type is not None:
        enum_value = field.enum_type.values_by_number.get(value)
        return enum_value.name if enum_value is not None else str(value)
    if field.type == FieldDescriptor.TYPE_STRING:
        return json.dumps(value, ensure_ascii=False)
    if field.type == FieldDescriptor.TYPE_BYTES:
        return json.dumps(value.decode("latin-1"))
    if field.type == FieldDescriptor.TYPE_BOOL:
        return "true" if value else "false"
    if field.type in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
        return _float(float(value))
    return str(value)


def _float(value: float) -> str:
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return repr(value)
