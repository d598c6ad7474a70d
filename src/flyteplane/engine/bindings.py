"""Turns a node's input bindings into literals: promises, attribute paths, collections, maps (§8.8)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import msgpack
from flyteidl.core import literals_pb2
from google.protobuf import json_format, struct_pb2

from flyteplane.engine.errors import NodeFailure

__all__ = ["OutputsOf", "resolve", "resolve_inputs"]

OutputsOf = Callable[[str], literals_pb2.LiteralMap]
"""Outputs of a node in the current scope by its spec id; `start-node` gives the scope's inputs."""


def resolve_inputs(
    bindings: list[literals_pb2.Binding] | Any,
    outputs_of: OutputsOf,
    aliases: Mapping[str, Mapping[str, str]] | None = None,
) -> literals_pb2.LiteralMap:
    """`aliases[node_id][alias] = var` maps output aliases back to the producing node's variable names."""
    result = literals_pb2.LiteralMap()
    for binding in bindings:
        result.literals[binding.var].CopyFrom(resolve(binding.binding, outputs_of, aliases or {}))
    return result


def resolve(
    data: literals_pb2.BindingData, outputs_of: OutputsOf, aliases: Mapping[str, Mapping[str, str]]
) -> literals_pb2.Literal:
    kind = data.WhichOneof("value")
    if kind == "scalar":
        return literals_pb2.Literal(scalar=data.scalar)
    if kind == "collection":
        return literals_pb2.Literal(
            collection=literals_pb2.LiteralCollection(
                literals=[resolve(item, outputs_of, aliases) for item in data.collection.bindings]
            )
        )
    if kind == "map":
        literal = literals_pb2.Literal()
        for key, item in data.map.bindings.items():
            literal.map.literals[key].CopyFrom(resolve(item, outputs_of, aliases))
        return literal
    if kind == "promise":
        return _promise(data.promise, outputs_of, aliases)
    if kind == "offloaded_metadata":
        return literals_pb2.Literal(offloaded_metadata=data.offloaded_metadata)
    raise NodeFailure("BindingResolutionFailure", f"binding has no value ({kind})", kind="SYSTEM")


def _promise(promise: Any, outputs_of: OutputsOf, aliases: Mapping[str, Mapping[str, str]]) -> literals_pb2.Literal:
    node_id = promise.node_id or "start-node"
    var = aliases.get(node_id, {}).get(promise.var, promise.var)
    index = None
    if var.startswith("[") and "]." in var:  # legacy "[i].var" form selects one element of a collection
        index_text, _, var = var[1:].partition("].")
        index = int(index_text)
    outputs = outputs_of(node_id)
    if var not in outputs.literals:
        raise NodeFailure(
            "OutputsNotFound", f"failed to find output [{var}] of node [{node_id}]", kind="SYSTEM", retryable=False
        )
    literal = outputs.literals[var]
    if index is not None:
        literal = literal.collection.literals[index]
    for step in promise.attr_path:
        literal = _step(literal, step.string_value if step.WhichOneof("value") == "string_value" else step.int_value)
    return literal


def _step(literal: literals_pb2.Literal, key: str | int) -> literals_pb2.Literal:
    """One step of an attribute path: map key, list index, or into a generic Struct / msgpack dataclass."""
    try:
        if literal.HasField("map"):
            return literal.map.literals[str(key)] if str(key) in literal.map.literals else _missing(key)
        if literal.HasField("collection"):
            return literal.collection.literals[int(key)]
        scalar = literal.scalar
        if scalar.HasField("generic"):
            value = json_format.MessageToDict(scalar.generic)
            return _from_python(_navigate(value, key), msgpack_tag=None)
        if scalar.HasField("binary") and scalar.binary.tag == "msgpack":
            value = msgpack.unpackb(scalar.binary.value, strict_map_key=False)
            return _from_python(_navigate(value, key), msgpack_tag="msgpack")
    except (IndexError, KeyError, TypeError, ValueError) as exc:
        raise NodeFailure("PromiseAttributeResolveError", f"cannot resolve attribute [{key}]: {exc}") from exc
    raise NodeFailure("PromiseAttributeResolveError", f"cannot resolve attribute [{key}] of a non-container value")


def _missing(key: str | int) -> literals_pb2.Literal:
    raise KeyError(key)


def _navigate(value: Any, key: str | int) -> Any:
    if isinstance(value, list):
        return value[int(key)]
    if isinstance(value, dict):
        return value[key]
    raise TypeError(f"{type(value).__name__} has no attribute {key!r}")


def _from_python(value: Any, msgpack_tag: str | None) -> literals_pb2.Literal:
    """Primitives become primitive literals; containers stay in their encoding (Struct or msgpack)."""
    if isinstance(value, bool):
        return _primitive(boolean=value)
    if isinstance(value, int):
        return _primitive(integer=value)
    if isinstance(value, float):
        if msgpack_tag is None and value.is_integer():
            return _primitive(integer=int(value))  # JSON numbers in Structs carry no int/float distinction
        return _primitive(float_value=value)
    if isinstance(value, str):
        return _primitive(string_value=value)
    if value is None:
        return literals_pb2.Literal(scalar=literals_pb2.Scalar(none_type=literals_pb2.Void()))
    if msgpack_tag is not None:
        if isinstance(value, list):
            return literals_pb2.Literal(
                collection=literals_pb2.LiteralCollection(literals=[_from_python(item, msgpack_tag) for item in value])
            )
        binary = literals_pb2.Binary(value=msgpack.packb(value), tag=msgpack_tag)
        return literals_pb2.Literal(scalar=literals_pb2.Scalar(binary=binary))
    if isinstance(value, list):
        return literals_pb2.Literal(
            collection=literals_pb2.LiteralCollection(literals=[_from_python(item, None) for item in value])
        )
    generic = struct_pb2.Struct()
    generic.update(value)
    return literals_pb2.Literal(scalar=literals_pb2.Scalar(generic=generic))


def _primitive(**value: Any) -> literals_pb2.Literal:
    return literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(**value)))
