"""Protos print like Go's `String()`, the form flytepropeller uses in its messages."""

from __future__ import annotations

from flyteidl.core import identifier_pb2, literals_pb2, types_pb2

from flyteplane.compiler.prototext import go_text


def test_identifier_prints_enum_names_and_quoted_strings() -> None:
    identifier = identifier_pb2.Identifier(
        resource_type=identifier_pb2.TASK, project="p", domain="d", name="n", version="v"
    )
    assert go_text(identifier) == 'resource_type:TASK project:"p" domain:"d" name:"n" version:"v"'


def test_zero_values_are_omitted_and_nested_messages_are_braced() -> None:
    literal_type = types_pb2.LiteralType(collection_type=types_pb2.LiteralType(simple=types_pb2.INTEGER))
    assert go_text(literal_type) == "collection_type:{simple:INTEGER}"
    assert go_text(identifier_pb2.Identifier()) == ""


def test_a_oneof_set_to_its_zero_value_is_printed() -> None:
    assert go_text(types_pb2.LiteralType(simple=types_pb2.NONE)) == "simple:NONE"


def test_repeated_fields_repeat_and_map_entries_are_sorted_by_key() -> None:
    enum_type = types_pb2.LiteralType(enum_type=types_pb2.EnumType(values=["a", "b"]))
    assert go_text(enum_type) == 'enum_type:{values:"a" values:"b"}'
    structure = types_pb2.TypeStructure(
        dataclass_type={
            "z": types_pb2.LiteralType(simple=types_pb2.STRING),
            "a": types_pb2.LiteralType(simple=types_pb2.INTEGER),
        }
    )
    assert (
        go_text(structure)
        == 'dataclass_type:{key:"a" value:{simple:INTEGER}} dataclass_type:{key:"z" value:{simple:STRING}}'
    )


def test_numbers_and_booleans_print_without_python_decorations() -> None:
    assert go_text(literals_pb2.Primitive(float_value=2.0)) == "float_value:2"
    assert go_text(literals_pb2.Primitive(float_value=0.5)) == "float_value:0.5"
    assert go_text(literals_pb2.Primitive(boolean=True)) == "boolean:true"
