"""flyteidl literals to Python values for the core types, optionally as a Python type the caller names.

Without a Python type, every core literal has one natural value: ints, floats, strings, bools, aware UTC
datetimes, timedeltas, None, lists, dicts, plain data for STRUCTs, File and Directory for blobs. A Python type
refines that (an Enum from its string, a dataclass from its STRUCT); a type that is not core, or a literal that is
not (structured datasets, schemas, offloaded literals), raises NoCoreType for flytekit to take over.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import typing
from typing import Any

from flyteidl.core import literals_pb2, types_pb2

from flyteplane.remote.literals.blobs import Directory, Fetcher, File
from flyteplane.remote.literals.structs import from_plain, unpack, unstruct
from flyteplane.remote.literals.types import MSGPACK, NoCoreType, optional_inner, union_members

__all__ = ["decode", "is_core_type"]

_PLAIN = (int, float, str, bool, datetime.datetime, datetime.timedelta, type(None), dict, list, bytes)


def is_core_type(python_type: Any) -> bool:
    """Whether values of `python_type` can be built here (recursively through containers and dataclasses)."""
    if python_type is None or python_type is Any or python_type in _PLAIN or python_type in (File, Directory):
        return True
    members = union_members(python_type)
    if members is not None:
        return all(is_core_type(m) for m in members)
    origin = typing.get_origin(python_type)
    if origin in (list, dict):
        return all(is_core_type(a) for a in typing.get_args(python_type))
    if isinstance(python_type, type) and issubclass(python_type, enum.Enum):
        return True
    if isinstance(python_type, type) and dataclasses.is_dataclass(python_type):
        try:
            hints = typing.get_type_hints(python_type)
        except (NameError, TypeError):
            return False
        return all(is_core_type(hints[f.name]) for f in dataclasses.fields(python_type))
    return False


def _element(python_type: Any, position: int) -> Any:
    args = typing.get_args(optional_inner(python_type))
    return args[position] if len(args) > position else None


def _primitive(primitive: Any, python_type: Any) -> Any:
    which = primitive.WhichOneof("value")
    if which == "integer":
        value: Any = int(primitive.integer)
        return float(value) if python_type is float else value
    if which == "float_value":
        return float(primitive.float_value)
    if which == "string_value":
        if isinstance(python_type, type) and issubclass(python_type, enum.Enum):
            return python_type(primitive.string_value)
        return str(primitive.string_value)
    if which == "boolean":
        return bool(primitive.boolean)
    if which == "datetime":
        return primitive.datetime.ToDatetime(tzinfo=datetime.timezone.utc)
    if which == "duration":
        return primitive.duration.ToTimedelta()
    return None


def _scalar(scalar: Any, python_type: Any, fetch: Fetcher | None) -> Any:
    which = scalar.WhichOneof("value")
    if which == "primitive":
        return _primitive(scalar.primitive, optional_inner(python_type))
    if which == "none_type":
        return None
    if which == "union":
        return decode(scalar.union.value, python_type, fetch)
    if which == "binary":
        if scalar.binary.tag == MSGPACK:
            return from_plain(unpack(scalar.binary.value), optional_inner(python_type), fetch)
        return bytes(scalar.binary.value)
    if which == "generic":
        return from_plain(unstruct(scalar.generic), optional_inner(python_type), fetch)
    if which == "blob":
        blob = scalar.blob
        fmt = blob.metadata.type.format
        if blob.metadata.type.dimensionality == types_pb2.BlobType.MULTIPART:
            return Directory.from_uri(blob.uri, format=fmt, fetch=fetch)
        return File.from_uri(blob.uri, format=fmt, fetch=fetch)
    if which == "error":
        return scalar.error
    raise NoCoreType(f"a {which} literal is not a core value")


def decode(literal: literals_pb2.Literal, python_type: Any = None, fetch: Fetcher | None = None) -> Any:
    """The Python value of `literal`; blobs can download themselves through `fetch`."""
    if python_type is not None and not is_core_type(python_type):
        raise NoCoreType(f"{python_type!r} is not a core type")
    which = literal.WhichOneof("value")
    if which == "scalar":
        return _scalar(literal.scalar, python_type, fetch)
    if which == "collection":
        element = _element(python_type, 0)
        return [decode(item, element, fetch) for item in literal.collection.literals]
    if which == "map":
        value_type = _element(python_type, 1)
        return {key: decode(item, value_type, fetch) for key, item in literal.map.literals.items()}
    if which is None:
        return None
    raise NoCoreType(f"a {which} literal is not a core value")
