"""Literals shown to people and typed by them: names of types, values (files as links), form fields with
defaults, and typed text checked against its type with a message naming the input."""

from __future__ import annotations

import json
from datetime import timedelta

import msgpack
import pytest
from flyteidl.core import interface_pb2, literals_pb2, types_pb2
from google.protobuf import struct_pb2

from flyteplane.api.http.console.literals import FieldError, form_fields, literal_from_text, show_literal, type_name


def simple(kind: int) -> types_pb2.LiteralType:
    return types_pb2.LiteralType(simple=kind)  # type: ignore[arg-type]


INT, FLOAT, STR, BOOL = (simple(k) for k in (types_pb2.INTEGER, types_pb2.FLOAT, types_pb2.STRING, types_pb2.BOOLEAN))
OPTIONAL_INT = types_pb2.LiteralType(union_type=types_pb2.UnionType(variants=[INT, simple(types_pb2.NONE)]))
LIST_INT = types_pb2.LiteralType(collection_type=INT)
MAP_FLOAT = types_pb2.LiteralType(map_value_type=FLOAT)
FILE = types_pb2.LiteralType(blob=types_pb2.BlobType(format="", dimensionality=types_pb2.BlobType.SINGLE))


def no_links(_uri: str) -> str | None:
    return None


def test_type_names_read_like_python() -> None:
    assert [type_name(t) for t in (INT, LIST_INT, MAP_FLOAT, FILE)] == [
        "int",
        "list[int]",
        "dict[str, float]",
        "FlyteFile",
    ]
    assert type_name(OPTIONAL_INT) == "int | none"


def test_typed_text_becomes_the_literal_of_its_type() -> None:
    assert literal_from_text("a", "42", INT).scalar.primitive.integer == 42
    assert literal_from_text("a", "2.5", FLOAT).scalar.primitive.float_value == 2.5
    assert literal_from_text("a", "", STR).scalar.primitive.string_value == ""
    assert literal_from_text("a", "true", BOOL).scalar.primitive.boolean is True
    items = literal_from_text("xs", "[1, 2, 3]", LIST_INT).collection.literals
    assert [item.scalar.primitive.integer for item in items] == [1, 2, 3]
    mapped = literal_from_text("m", '{"k": 1.5}', MAP_FLOAT).map.literals
    assert mapped["k"].scalar.primitive.float_value == 1.5
    duration = literal_from_text("d", "90", simple(types_pb2.DURATION)).scalar.primitive.duration
    assert duration.ToTimedelta() == timedelta(seconds=90)
    moment = literal_from_text("t", "2024-05-01T12:00:00", simple(types_pb2.DATETIME)).scalar.primitive.datetime
    assert moment.seconds == 1714564800
    blob = literal_from_text("f", "s3://bucket/key", FILE).scalar.blob
    assert blob.uri == "s3://bucket/key"


def test_an_empty_optional_is_none_and_a_value_is_the_int_variant() -> None:
    empty = literal_from_text("o", "", OPTIONAL_INT).scalar.union
    assert empty.value.scalar.HasField("none_type") and empty.type.simple == types_pb2.NONE
    given = literal_from_text("o", "7", OPTIONAL_INT).scalar.union
    assert given.value.scalar.primitive.integer == 7 and given.type.simple == types_pb2.INTEGER


@pytest.mark.parametrize(
    ("text", "literal_type", "message"),
    [
        ("seven", INT, "a: 'seven' is not a int"),
        ("1.5", INT, "a: '1.5' is not a int"),
        ("", INT, "a: a value is required (int)"),
        ("maybe", BOOL, "a: 'maybe' is not a bool"),
        ("[1, ", LIST_INT, "a: not JSON"),
        ('{"k": 1}', LIST_INT, "a: expected a JSON list for list[int]"),
        ("[1, true]", LIST_INT, "a[1]: expected int"),
        ('["x"]', LIST_INT, "a[0]: 'x' is not a int"),
        ("[]", MAP_FLOAT, "a: expected a JSON object for dict[str, float]"),
    ],
)
def test_text_that_does_not_fit_is_refused_naming_the_input(
    text: str, literal_type: types_pb2.LiteralType, message: str
) -> None:
    with pytest.raises(FieldError) as refused:
        literal_from_text("a", text, literal_type)
    assert str(refused.value).startswith(message)


def test_values_are_shown_readably_with_files_as_links() -> None:
    number = literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(integer=3)))
    assert show_literal(number, no_links).text == "3"
    blob = literals_pb2.Literal(scalar=literals_pb2.Scalar(blob=literals_pb2.Blob(uri="file:///tmp/x.csv")))
    shown = show_literal(blob, lambda uri: f"/signed?{uri}")
    assert shown.text == "file:///tmp/x.csv" and shown.href == "/signed?file:///tmp/x.csv"
    collection = literals_pb2.Literal(collection=literals_pb2.LiteralCollection(literals=[number, number]))
    assert [(key, item.text) for key, item in show_literal(collection, no_links).items or []] == [
        ("0", "3"),
        ("1", "3"),
    ]
    packed = literals_pb2.Literal(
        scalar=literals_pb2.Scalar(binary=literals_pb2.Binary(value=msgpack.packb({"a": 1}), tag="msgpack"))
    )
    assert json.loads(show_literal(packed, no_links).text) == {"a": 1}
    struct = struct_pb2.Struct()
    struct.update({"k": "v"})
    generic = literals_pb2.Literal(scalar=literals_pb2.Scalar(generic=struct))
    assert json.loads(show_literal(generic, no_links).text) == {"k": "v"}


def test_form_fields_carry_defaults_and_requiredness() -> None:
    variables = interface_pb2.VariableMap(
        variables={
            "a": interface_pb2.Variable(type=INT),
            "b": interface_pb2.Variable(type=INT),
            "o": interface_pb2.Variable(type=OPTIONAL_INT),
            "xs": interface_pb2.Variable(type=LIST_INT),
        }
    )
    ten = literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(integer=10)))
    parameters = interface_pb2.ParameterMap(
        parameters={"a": interface_pb2.Parameter(required=True), "b": interface_pb2.Parameter(default=ten)}
    )
    fields = {f.name: f for f in form_fields(parameters, variables)}
    assert (fields["a"].input, fields["a"].default, fields["a"].required) == ("number-int", "", True)
    assert (fields["b"].default, fields["b"].required) == ("10", False)
    assert fields["o"].required is False and fields["o"].input == "number-int"
    assert fields["xs"].input == "json"
    earlier = literals_pb2.LiteralMap(literals={"a": ten})
    assert {f.name: f.default for f in form_fields(parameters, variables, earlier)}["a"] == "10"
