"""Descriptor questions the gateway asks, answered the same way on every protobuf release we support."""

from __future__ import annotations

from typing import cast

from google.protobuf.descriptor import Descriptor, EnumDescriptor, FieldDescriptor, OneofDescriptor
from google.protobuf.message import Message

__all__ = ["descriptor_of", "enum_type", "is_map", "is_repeated", "message_type", "real_oneof"]


def descriptor_of(message: Message) -> Descriptor:
    return cast(Descriptor, message.DESCRIPTOR)


def message_type(field: FieldDescriptor) -> Descriptor:
    """The message type of a message (or map) field."""
    assert field.message_type is not None, f"{field.full_name} is not a message field"
    return field.message_type


def enum_type(field: FieldDescriptor) -> EnumDescriptor:
    assert field.enum_type is not None, f"{field.full_name} is not an enum field"
    return field.enum_type


def is_repeated(field: FieldDescriptor) -> bool:
    # protobuf 6+ exposes `is_repeated` and drops `label`; older releases have only `label`.
    repeated = getattr(field, "is_repeated", None)
    if repeated is None:
        return bool(getattr(field, "label", None) == FieldDescriptor.LABEL_REPEATED)
    return bool(repeated)


def is_map(field: FieldDescriptor) -> bool:
    return field.message_type is not None and is_repeated(field) and field.message_type.GetOptions().map_entry


def real_oneof(field: FieldDescriptor) -> OneofDescriptor | None:
    """The oneof the field belongs to, unless it is the synthetic one protoc makes for a proto3 `optional`."""
    oneof = field.containing_oneof
    if oneof is None:
        return None
    if len(oneof.fields) == 1 and oneof.name == f"_{field.name}":
        return None
    return oneof
