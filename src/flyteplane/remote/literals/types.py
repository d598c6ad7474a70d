"""Literal types for the core Python types, shaped as flytekit 1.16 shapes them (union tags, msgpack annotations).

They matter where no interface says what a value is: a signal's value, a launch plan's fixed input, or a value
whose Python type the caller names. Where an interface exists, its literal type is used as registered.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import types
import typing
from typing import Any

from flyteidl.core import types_pb2
from google.protobuf import struct_pb2

from flyteplane.remote.literals.blobs import Directory, File

__all__ = [
    "NoCoreType",
    "guess_literal_type",
    "is_msgpack_struct",
    "literal_type_of",
    "optional_inner",
    "union_members",
]

MSGPACK = "msgpack"
_CACHE_KEY_METADATA = "cache-key-metadata"
_SERIALIZATION_FORMAT = "serialization-format"

_SIMPLE: dict[Any, tuple[types_pb2.SimpleType, str]] = {
    int: (types_pb2.INTEGER, "int"),
    float: (types_pb2.FLOAT, "float"),
    str: (types_pb2.STRING, "str"),
    bool: (types_pb2.BOOLEAN, "bool"),
    datetime.datetime: (types_pb2.DATETIME, "datetime"),
    datetime.timedelta: (types_pb2.DURATION, "timedelta"),
    type(None): (types_pb2.NONE, "none"),
}


class NoCoreType(TypeError):
    """The Python type or value is none of the core types; flytekit's TypeEngine may still know it."""


def union_members(python_type: Any) -> tuple[Any, ...] | None:
    """The members of `Union[...]`, `Optional[...]` or `A | B`; None for other types."""
    origin = typing.get_origin(python_type)
    if origin is typing.Union or origin is types.UnionType:
        return typing.get_args(python_type)
    return None


def optional_inner(python_type: Any) -> Any:
    """`T` for `Optional[T]`; the type itself otherwise."""
    members = union_members(python_type)
    if members is None:
        return python_type
    rest = [m for m in members if m is not type(None)]
    return rest[0] if len(rest) == 1 else python_type


def _msgpack_annotation() -> types_pb2.TypeAnnotation:
    annotations = struct_pb2.Struct()
    annotations.update({_CACHE_KEY_METADATA: {_SERIALIZATION_FORMAT: MSGPACK}})
    return types_pb2.TypeAnnotation(annotations=annotations)


def is_msgpack_struct(literal_type: Any) -> bool:
    """Whether a STRUCT type is sent as msgpack (flytekit >= 1.14 dicts and dataclasses) rather than as JSON."""
    if literal_type.simple != types_pb2.STRUCT:
        return False
    if literal_type.structure.dataclass_type:
        return True
    fields = literal_type.annotation.annotations.fields
    metadata = fields.get(_CACHE_KEY_METADATA)
    if metadata is None:
        return False
    return bool(metadata.struct_value.fields.get(_SERIALIZATION_FORMAT, struct_pb2.Value()).string_value == MSGPACK)


def _tagged(literal_type: types_pb2.LiteralType, tag: str) -> types_pb2.LiteralType:
    """A union member's type carries only its tag as structure (a dataclass member loses its field types)."""
    literal_type.structure.CopyFrom(types_pb2.TypeStructure(tag=tag))
    return literal_type


def _tag_of(python_type: Any) -> str:
    """flytekit's transformer name for a union member: how a task tells which member a value holds."""
    if python_type in _SIMPLE:
        return _SIMPLE[python_type][1]
    origin = typing.get_origin(python_type) or python_type
    if origin in (list, typing.List):  # noqa: UP006
        return "Typed List"
    if origin in (dict, typing.Dict):  # noqa: UP006
        return "Typed Dict"
    if isinstance(python_type, type) and issubclass(python_type, enum.Enum):
        return "DefaultEnumTransformer"
    if dataclasses.is_dataclass(python_type):
        return "Object-Dataclass-Transformer"
    if python_type is File:
        return "FlyteFilePath"
    if python_type is Directory:
        return "FlyteDirectory"
    return getattr(python_type, "__name__", str(python_type))


def literal_type_of(python_type: Any) -> types_pb2.LiteralType:
    """The literal type of a core Python type; NoCoreType for anything else."""
    if python_type is None:
        python_type = type(None)
    if python_type in _SIMPLE:
        return types_pb2.LiteralType(simple=_SIMPLE[python_type][0])
    members = union_members(python_type)
    if members is not None:
        variants = [_tagged(literal_type_of(m), _tag_of(m)) for m in members]
        return types_pb2.LiteralType(union_type=types_pb2.UnionType(variants=variants))
    origin = typing.get_origin(python_type)
    args = typing.get_args(python_type)
    if origin is list or python_type is list:
        if not args:
            raise NoCoreType("a list type needs its element type, e.g. list[int]")
        return types_pb2.LiteralType(collection_type=literal_type_of(args[0]))
    if origin is dict or python_type is dict:
        if args and args[0] is str:
            return types_pb2.LiteralType(map_value_type=literal_type_of(args[1]))
        return types_pb2.LiteralType(simple=types_pb2.STRUCT, annotation=_msgpack_annotation())
    if isinstance(python_type, type) and issubclass(python_type, enum.Enum):
        return types_pb2.LiteralType(enum_type=types_pb2.EnumType(values=[str(m.value) for m in python_type]))
    if isinstance(python_type, type) and dataclasses.is_dataclass(python_type):
        hints = typing.get_type_hints(python_type)
        literal_type = types_pb2.LiteralType(simple=types_pb2.STRUCT, annotation=_msgpack_annotation())
        for field in dataclasses.fields(python_type):
            literal_type.structure.dataclass_type[field.name].CopyFrom(literal_type_of(hints[field.name]))
        return literal_type
    if python_type is File:
        return types_pb2.LiteralType(blob=types_pb2.BlobType(dimensionality=types_pb2.BlobType.SINGLE))
    if python_type is Directory:
        return types_pb2.LiteralType(blob=types_pb2.BlobType(dimensionality=types_pb2.BlobType.MULTIPART))
    raise NoCoreType(f"{python_type!r} is not a core type")


def guess_literal_type(value: Any) -> types_pb2.LiteralType:
    """The literal type a value most plausibly has, for values sent without an interface to guide them."""
    if isinstance(value, (list, tuple)):
        if not value:
            raise TypeError("cannot tell the element type of an empty list; pass a python_type")
        return types_pb2.LiteralType(collection_type=guess_literal_type(value[0]))
    if isinstance(value, dict):
        return literal_type_of(dict)  # untyped: a msgpack STRUCT, as flytekit sends a plain dict
    return literal_type_of(type(value))
