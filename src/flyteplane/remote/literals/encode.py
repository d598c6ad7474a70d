"""Python values to flyteidl literals for the core types, guided by the literal type the interface declares.

The literal type decides the shape (an int sent for a FLOAT input becomes a float, a dict for a STRUCT input
becomes msgpack when the task reads msgpack); the value only has to fit it. A value that is none of the core
types raises NoCoreType, so the caller can hand it to flytekit's TypeEngine; a core value that does not fit
raises TypeError naming what was expected.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import os
from pathlib import PurePath
from typing import Any, Protocol

from flyteidl.core import literals_pb2, types_pb2

from flyteplane.remote.literals.blobs import Directory, File, has_scheme
from flyteplane.remote.literals.structs import pack, struct_of
from flyteplane.remote.literals.types import MSGPACK, NoCoreType, is_msgpack_struct

__all__ = ["Uploads", "encode", "is_core_value"]

_CORE_VALUE_TYPES = (
    type(None),
    bool,
    int,
    float,
    str,
    datetime.datetime,
    datetime.timedelta,
    enum.Enum,
    list,
    tuple,
    dict,
    File,
    Directory,
    PurePath,
)
_SIMPLE_NAMES = {v: k for k, v in types_pb2.SimpleType.items()}


class Uploads(Protocol):
    """Where local files and directories go when they are sent as inputs (the data proxy)."""

    def upload_file(self, path: str) -> str: ...

    def upload_directory(self, path: str) -> str: ...


def is_core_value(value: Any) -> bool:
    if isinstance(value, _CORE_VALUE_TYPES):
        return True
    return dataclasses.is_dataclass(value) and not isinstance(value, type)


def _scalar(**kwargs: Any) -> literals_pb2.Literal:
    return literals_pb2.Literal(scalar=literals_pb2.Scalar(**kwargs))


def _primitive(**kwargs: Any) -> literals_pb2.Literal:
    return _scalar(primitive=literals_pb2.Primitive(**kwargs))


def _mismatch(value: Any, expected: str) -> TypeError:
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return TypeError(f"expected {expected}, got {type(value).__name__} {shown}")


def _simple(value: Any, simple: int, strict: bool) -> literals_pb2.Literal:
    if simple == types_pb2.NONE:
        if value is not None:
            raise _mismatch(value, "None")
        return _scalar(none_type=literals_pb2.Void())
    if simple == types_pb2.INTEGER:
        if isinstance(value, bool) or not isinstance(value, int) or isinstance(value, enum.Enum):
            raise _mismatch(value, "an int")
        return _primitive(integer=value)
    if simple == types_pb2.FLOAT:
        if isinstance(value, bool) or not isinstance(value, (float, int) if not strict else float):
            raise _mismatch(value, "a float")
        return _primitive(float_value=float(value))
    if simple == types_pb2.STRING:
        if not isinstance(value, str) or isinstance(value, enum.Enum):
            raise _mismatch(value, "a str")
        return _primitive(string_value=value)
    if simple == types_pb2.BOOLEAN:
        if not isinstance(value, bool):
            raise _mismatch(value, "a bool")
        return _primitive(boolean=value)
    if simple == types_pb2.DATETIME:
        if not isinstance(value, datetime.datetime):
            raise _mismatch(value, "a datetime")
        literal = _primitive()
        aware = value if value.tzinfo is not None else value.replace(tzinfo=datetime.timezone.utc)
        literal.scalar.primitive.datetime.FromDatetime(aware.astimezone(datetime.timezone.utc).replace(tzinfo=None))
        return literal
    if simple == types_pb2.DURATION:
        if not isinstance(value, datetime.timedelta):
            raise _mismatch(value, "a timedelta")
        literal = _primitive()
        literal.scalar.primitive.duration.FromTimedelta(value)
        return literal
    raise NoCoreType(f"literal type {_SIMPLE_NAMES.get(simple, simple)} is not a core type")


class _Encoder:
    def __init__(self, uploads: Uploads | None) -> None:
        self._uploads = uploads

    def encode(self, value: Any, literal_type: Any, strict: bool = False) -> literals_pb2.Literal:
        if isinstance(value, literals_pb2.Literal):
            return value
        if not is_core_value(value):
            raise NoCoreType(f"{type(value).__name__} is not a core type")
        kind = literal_type.WhichOneof("type")
        if kind == "simple":
            if literal_type.simple == types_pb2.STRUCT:
                return self._struct(value, literal_type)
            return _simple(value, literal_type.simple, strict)
        if kind == "collection_type":
            if not isinstance(value, (list, tuple)):
                raise _mismatch(value, "a list")
            items = [self._item(v, literal_type.collection_type, f"[{i}]") for i, v in enumerate(value)]
            return literals_pb2.Literal(collection=literals_pb2.LiteralCollection(literals=items))
        if kind == "map_value_type":
            if not isinstance(value, dict):
                raise _mismatch(value, "a dict")
            if any(not isinstance(k, str) for k in value):
                raise TypeError("a map literal needs str keys; use an untyped dict input for other keys")
            entries = {k: self._item(v, literal_type.map_value_type, f"[{k!r}]") for k, v in value.items()}
            return literals_pb2.Literal(map=literals_pb2.LiteralMap(literals=entries))
        if kind == "enum_type":
            return self._enum(value, list(literal_type.enum_type.values))
        if kind == "union_type":
            return self._union(value, literal_type.union_type.variants)
        if kind == "blob":
            return self._blob(value, literal_type.blob)
        raise NoCoreType(f"literal type {kind} is not a core type")

    def _item(self, value: Any, literal_type: Any, where: str) -> literals_pb2.Literal:
        try:
            return self.encode(value, literal_type)
        except NoCoreType:
            raise
        except TypeError as e:
            raise TypeError(f"{where}: {e}") from None

    def _struct(self, value: Any, literal_type: Any) -> literals_pb2.Literal:
        structured = isinstance(value, dict) or (dataclasses.is_dataclass(value) and not isinstance(value, type))
        if not structured:
            raise _mismatch(value, "a dict or a dataclass")
        if is_msgpack_struct(literal_type):
            return _scalar(binary=literals_pb2.Binary(value=pack(value, self._blob_uri), tag=MSGPACK))
        return _scalar(generic=struct_of(value, self._blob_uri))

    @staticmethod
    def _enum(value: Any, values: list[str]) -> literals_pb2.Literal:
        text = str(value.value) if isinstance(value, enum.Enum) else value
        if not isinstance(text, str):
            raise _mismatch(value, f"one of {values}")
        if text not in values:
            raise ValueError(f"{text!r} is not one of the enum's values {values}")
        return _primitive(string_value=text)

    def _union(self, value: Any, variants: Any) -> literals_pb2.Literal:
        if not variants:
            raise TypeError("a union type with no variants accepts no value")
        problems: list[str] = []
        unknown = False
        for strict in (True, False):
            for variant in variants:
                try:
                    inner = self.encode(value, variant, strict=strict)
                except NoCoreType:
                    unknown = True
                    continue
                except (TypeError, ValueError) as e:
                    problems.append(str(e))
                    continue
                union = literals_pb2.Union(value=inner, type=variant)
                return _scalar(union=union)
        if unknown:
            raise NoCoreType("no core variant of the union accepts the value")
        raise TypeError(f"no variant of the union accepts {type(value).__name__} {value!r}: {'; '.join(problems)}")

    def _blob(self, value: Any, blob_type: Any) -> literals_pb2.Literal:
        multipart = blob_type.dimensionality == types_pb2.BlobType.MULTIPART
        expected: type[File] | type[Directory] = Directory if multipart else File
        if isinstance(value, (str, PurePath)):
            value = expected(value, format=blob_type.format)
        if not isinstance(value, expected):
            raise _mismatch(value, f"a {expected.__name__}, a path or a URI")
        metadata = literals_pb2.BlobMetadata(type=blob_type)
        return _scalar(blob=literals_pb2.Blob(metadata=metadata, uri=self._blob_uri(value)))

    def _blob_uri(self, value: File | Directory) -> str:
        if value.uri is not None:
            return value.uri
        path = value.local_path or ""
        if self._uploads is None:
            raise TypeError(f"cannot upload {path}: no data proxy to upload through")
        if isinstance(value, Directory):
            if not os.path.isdir(path):
                raise ValueError(f"{path} is not a directory")
            uri = self._uploads.upload_directory(path)
        else:
            if not os.path.isfile(path):
                raise ValueError(f"{path} is not a file" + ("" if has_scheme(path) else " (nor a URI)"))
            uri = self._uploads.upload_file(path)
        value.uri = uri
        return uri


def encode(value: Any, literal_type: Any, uploads: Uploads | None = None) -> literals_pb2.Literal:
    """`value` as a literal of `literal_type`, uploading local files and directories through `uploads`."""
    return _Encoder(uploads).encode(value, literal_type)
