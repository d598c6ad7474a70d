"""Dataclasses and untyped dicts as flytekit 1.16 stores them: msgpack (or, for older tasks, JSON) of plain data.

Plain data means what mashumaro writes: dataclasses as maps of their fields, datetimes as ISO 8601 strings,
timedeltas as float seconds, enums as their values, files and directories as `{"path": uri}`. Reading back, the
Python type (when the caller knows it) rebuilds dataclasses, enums, datetimes and blobs; without one the plain data
is the value.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import json
import typing
from collections.abc import Callable
from typing import Any

import msgpack
from google.protobuf import json_format, struct_pb2

from flyteplane.remote.literals.blobs import Directory, File
from flyteplane.remote.literals.types import NoCoreType, union_members

__all__ = ["from_plain", "pack", "struct_of", "to_plain", "unpack", "unstruct"]

BlobUploader = Callable[[File | Directory], str]
"""Turns a File or Directory into the URI to store (uploading a local one)."""


def to_plain(value: Any, upload: BlobUploader | None = None) -> Any:
    """`value` as msgpack-able plain data; NoCoreType for a value no core type describes."""
    if value is None or isinstance(value, (bool, int, float, str, bytes)):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, (File, Directory)):
        if upload is None:
            raise NoCoreType("a file inside a structured value needs an uploader")
        return {"path": upload(value)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name), upload) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {to_plain(k, upload): to_plain(v, upload) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v, upload) for v in value]
    raise NoCoreType(f"cannot store a {type(value).__name__} inside a structured value")


def pack(value: Any, upload: BlobUploader | None = None) -> bytes:
    return bytes(msgpack.packb(to_plain(value, upload), use_bin_type=True))


def unpack(data: bytes) -> Any:
    return msgpack.unpackb(data, raw=False, strict_map_key=False)


def struct_of(value: Any, upload: BlobUploader | None = None) -> struct_pb2.Struct:
    """The JSON form (a protobuf Struct) for STRUCT types registered without flytekit's msgpack annotation."""
    plain = to_plain(value, upload)
    if not isinstance(plain, dict):
        raise TypeError(f"a STRUCT value must be a dict or a dataclass, got {type(value).__name__}")
    return json_format.Parse(json.dumps(plain), struct_pb2.Struct())


def unstruct(struct: struct_pb2.Struct) -> Any:
    return json_format.MessageToDict(struct)


def from_plain(data: Any, python_type: Any, fetch: Any = None) -> Any:
    """Plain data as `python_type` (dataclasses, enums, datetimes, blobs, containers of them); Any keeps it."""
    if python_type is None or python_type is Any or data is None:
        return data
    members = union_members(python_type)
    if members is not None:
        return _from_union(data, members, fetch)
    origin = typing.get_origin(python_type)
    args = typing.get_args(python_type)
    if origin is list:
        return [from_plain(item, args[0] if args else Any, fetch) for item in data]
    if origin is dict:
        key_type, value_type = args if args else (Any, Any)
        return {from_plain(k, key_type, fetch): from_plain(v, value_type, fetch) for k, v in data.items()}
    if not isinstance(python_type, type):
        return data
    if dataclasses.is_dataclass(python_type):
        hints = typing.get_type_hints(python_type)
        values = {
            f.name: from_plain(data[f.name], hints[f.name], fetch)
            for f in dataclasses.fields(python_type)
            if f.name in data
        }
        return python_type(**values)
    if issubclass(python_type, enum.Enum):
        return python_type(data)
    if python_type is datetime.datetime:
        return datetime.datetime.fromisoformat(data)
    if python_type is datetime.timedelta:
        return datetime.timedelta(seconds=data)
    if python_type in (File, Directory):
        return python_type.from_uri(data["path"], fetch=fetch)
    if python_type is float and isinstance(data, int):
        return float(data)
    return data


def _from_union(data: Any, members: tuple[Any, ...], fetch: Any) -> Any:
    for member in members:
        if member is type(None):
            continue
        try:
            return from_plain(data, member, fetch)
        except (TypeError, ValueError, KeyError):
            continue
    return data
