"""Binding resolution: scalars, promises (with aliases and attribute paths), collections and maps."""

from __future__ import annotations

import msgpack
import pytest
from flyteidl.core import literals_pb2, types_pb2
from google.protobuf import struct_pb2

from flyteplane.engine.bindings import resolve, resolve_inputs
from flyteplane.engine.errors import NodeFailure


def integer(value: int) -> literals_pb2.Literal:
    return literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(integer=value)))


def promise(node: str, var: str, *path: str | int) -> literals_pb2.BindingData:
    data = literals_pb2.BindingData(promise=types_pb2.OutputReference(node_id=node, var=var))
    for step in path:
        if isinstance(step, int):
            data.promise.attr_path.add(int_value=step)
        else:
            data.promise.attr_path.add(string_value=step)
    return data


OUTPUTS = {
    "start-node": literals_pb2.LiteralMap(literals={"a": integer(1)}),
    "n0": literals_pb2.LiteralMap(
        literals={
            "o0": integer(7),
            "xs": literals_pb2.Literal(collection=literals_pb2.LiteralCollection(literals=[integer(3), integer(4)])),
            "d": literals_pb2.Literal(map=literals_pb2.LiteralMap(literals={"k": integer(9)})),
        }
    ),
}


def outputs_of(node: str) -> literals_pb2.LiteralMap:
    return OUTPUTS[node]


def test_promises_read_upstream_outputs_and_workflow_inputs() -> None:
    assert resolve(promise("n0", "o0"), outputs_of, {}) == integer(7)
    assert resolve(promise("", "a"), outputs_of, {}) == integer(1)  # empty node id is the start node


def test_aliases_map_back_to_the_producing_variable() -> None:
    assert resolve(promise("n0", "renamed"), outputs_of, {"n0": {"renamed": "o0"}}) == integer(7)


def test_attribute_paths_index_lists_and_maps() -> None:
    assert resolve(promise("n0", "xs", 1), outputs_of, {}) == integer(4)
    assert resolve(promise("n0", "d", "k"), outputs_of, {}) == integer(9)


def test_attribute_paths_enter_msgpack_dataclasses_and_structs() -> None:
    packed = literals_pb2.Literal(
        scalar=literals_pb2.Scalar(
            binary=literals_pb2.Binary(value=msgpack.packb({"x": 5, "inner": {"y": "s"}}), tag="msgpack")
        )
    )
    generic = struct_pb2.Struct()
    generic.update({"count": 3})
    OUTPUTS["n1"] = literals_pb2.LiteralMap(
        literals={"dc": packed, "st": literals_pb2.Literal(scalar=literals_pb2.Scalar(generic=generic))}
    )
    assert resolve(promise("n1", "dc", "x"), outputs_of, {}) == integer(5)
    inner = resolve(promise("n1", "dc", "inner"), outputs_of, {})
    assert msgpack.unpackb(inner.scalar.binary.value) == {"y": "s"}
    assert resolve(promise("n1", "st", "count"), outputs_of, {}) == integer(3)


def test_collections_and_maps_resolve_element_wise() -> None:
    data = literals_pb2.BindingData(
        collection=literals_pb2.BindingDataCollection(bindings=[promise("n0", "o0"), promise("", "a")])
    )
    assert [item.scalar.primitive.integer for item in resolve(data, outputs_of, {}).collection.literals] == [7, 1]
    mapping = literals_pb2.BindingData(map=literals_pb2.BindingDataMap(bindings={"z": promise("n0", "o0")}))
    assert resolve(mapping, outputs_of, {}).map.literals["z"] == integer(7)


def test_bad_references_fail_clearly() -> None:
    with pytest.raises(NodeFailure, match=r"output \[nope\] of node \[n0\]"):
        resolve(promise("n0", "nope"), outputs_of, {})
    with pytest.raises(NodeFailure) as caught:
        resolve(promise("n0", "d", "missing"), outputs_of, {})
    assert caught.value.code == "PromiseAttributeResolveError"


def test_resolve_inputs_builds_a_literal_map() -> None:
    bindings = [literals_pb2.Binding(var="x", binding=promise("n0", "o0"))]
    assert resolve_inputs(bindings, outputs_of).literals["x"] == integer(7)
