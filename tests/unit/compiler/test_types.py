"""Literal type inference (§3.5) and castability (§3.6), rule by rule."""

from __future__ import annotations

import pytest
from flyteidl.core import literals_pb2, types_pb2
from google.protobuf import struct_pb2
from tests.unit.compiler.builders import (
    BOOL,
    FLOAT,
    INT,
    NONE,
    STR,
    STRUCT,
    blob,
    dataclass,
    dict_of,
    enum_of,
    list_of,
    optional,
    primitive,
    union,
)

from flyteplane.compiler import (
    InvalidLiteralType,
    are_types_castable,
    is_optional,
    literal_type_of,
    literal_type_of_scalar,
    type_to_str,
)

Literal = literals_pb2.Literal
Scalar = literals_pb2.Scalar
LiteralType = types_pb2.LiteralType


def scalar_literal(**kwargs: object) -> Literal:
    return Literal(scalar=Scalar(**kwargs))


def lit(v: int | float | str | bool) -> Literal:
    return scalar_literal(primitive=primitive(v))


def lit_list(*items: Literal) -> Literal:
    return Literal(collection=literals_pb2.LiteralCollection(literals=items))


def lit_map(**items: Literal) -> Literal:
    return Literal(map=literals_pb2.LiteralMap(literals=items))


def schema_type(**columns: int) -> LiteralType:
    cols = [types_pb2.SchemaType.SchemaColumn(name=k, type=v) for k, v in columns.items()]
    return LiteralType(schema=types_pb2.SchemaType(columns=cols))


def dataset(fmt: str = "", **columns: LiteralType) -> LiteralType:
    cols = [types_pb2.StructuredDatasetType.DatasetColumn(name=k, literal_type=v) for k, v in columns.items()]
    return LiteralType(structured_dataset_type=types_pb2.StructuredDatasetType(format=fmt, columns=cols))


def json_schema(value: dict[str, object]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(value)
    return struct


def struct_with_schema(schema: dict[str, object]) -> LiteralType:
    return LiteralType(simple=types_pb2.STRUCT, metadata=json_schema(schema))


SchemaColumn = types_pb2.SchemaType.SchemaColumn

# --- inference ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("literal", "expected"),
    [
        (lit(1), INT),
        (lit(1.5), FLOAT),
        (lit("s"), STR),
        (lit(True), BOOL),
        (
            scalar_literal(primitive=literals_pb2.Primitive(datetime={"seconds": 1})),
            LiteralType(simple=types_pb2.DATETIME),
        ),
        (
            scalar_literal(primitive=literals_pb2.Primitive(duration={"seconds": 1})),
            LiteralType(simple=types_pb2.DURATION),
        ),
        (scalar_literal(primitive=literals_pb2.Primitive()), NONE),
        (scalar_literal(none_type=literals_pb2.Void()), NONE),
        (scalar_literal(error=types_pb2.Error(message="boom")), LiteralType(simple=types_pb2.ERROR)),
        (scalar_literal(generic=json_schema({"a": 1})), STRUCT),
        (scalar_literal(binary=literals_pb2.Binary(value=b"\x80", tag="msgpack")), STRUCT),
        (scalar_literal(binary=literals_pb2.Binary(value=b"raw")), LiteralType(simple=types_pb2.BINARY)),
    ],
    ids=lambda v: str(v).replace("\n", " ")[:40],
)
def test_scalars_have_their_simple_type(literal: Literal, expected: LiteralType) -> None:
    assert literal_type_of(literal) == expected


def test_a_blob_has_the_type_in_its_metadata() -> None:
    blob_type = types_pb2.BlobType(format="csv", dimensionality=types_pb2.BlobType.MULTIPART)
    literal = scalar_literal(blob=literals_pb2.Blob(uri="s3://x", metadata=literals_pb2.BlobMetadata(type=blob_type)))
    assert literal_type_of(literal) == LiteralType(blob=blob_type)


def test_a_blob_without_metadata_has_no_type() -> None:
    scalar = Scalar(blob=literals_pb2.Blob(uri="s3://x"))
    assert literal_type_of_scalar(scalar) is None
    with pytest.raises(InvalidLiteralType, match="unknown literal type"):
        literal_type_of(Literal(scalar=scalar))


def test_schemas_and_structured_datasets_carry_their_declared_types() -> None:
    schema = types_pb2.SchemaType(columns=[SchemaColumn(name="a", type=SchemaColumn.INTEGER)])
    assert literal_type_of(scalar_literal(schema=literals_pb2.Schema(uri="u", type=schema))) == LiteralType(
        schema=schema
    )
    sd_type = types_pb2.StructuredDatasetType(format="parquet")
    with_metadata = literals_pb2.StructuredDataset(
        uri="u", metadata=literals_pb2.StructuredDatasetMetadata(structured_dataset_type=sd_type)
    )
    assert literal_type_of(scalar_literal(structured_dataset=with_metadata)) == LiteralType(
        structured_dataset_type=sd_type
    )
    bare = literal_type_of(scalar_literal(structured_dataset=literals_pb2.StructuredDataset(uri="u")))
    assert bare.WhichOneof("type") == "structured_dataset_type"
    assert bare.structured_dataset_type == types_pb2.StructuredDatasetType()


def test_a_union_value_is_a_single_variant_union_of_its_tagged_type() -> None:
    literal = scalar_literal(union=literals_pb2.Union(value=lit(3), type=INT))
    assert literal_type_of(literal) == union(INT)


def test_a_homogeneous_list_is_a_list_of_the_element_type() -> None:
    assert literal_type_of(lit_list(lit(1), lit(2))) == list_of(INT)


def test_an_empty_list_is_a_list_of_none() -> None:
    assert literal_type_of(lit_list()) == list_of(NONE)


def test_a_mixed_list_is_a_list_of_a_union_in_canonical_order() -> None:
    assert literal_type_of(lit_list(lit("a"), lit(1), lit("b"))) == list_of(union(INT, STR))


def test_empty_inner_lists_do_not_decide_the_element_type() -> None:
    assert literal_type_of(lit_list(lit_list(), lit_list(lit(1)))) == list_of(list_of(INT))
    assert literal_type_of(lit_list(lit_list(), lit_list())) == list_of(list_of(NONE))


def test_lists_of_different_unions_are_flattened_into_one_list_of_a_union() -> None:
    nested = literal_type_of(lit_list(lit_list(lit(1), lit("a")), lit_list(lit(True), lit("b"))))
    assert nested == list_of(list_of(union(BOOL, STR, INT, STR)))


def test_a_map_is_a_map_of_its_value_type() -> None:
    assert literal_type_of(lit_map(a=lit(1), b=lit(2))) == dict_of(INT)
    assert literal_type_of(lit_map(a=lit(1), b=lit(2.0))) == dict_of(union(FLOAT, INT))
    assert literal_type_of(lit_map()) == dict_of(NONE)


def test_an_offloaded_literal_has_its_recorded_type() -> None:
    offloaded = Literal(offloaded_metadata=literals_pb2.LiteralOffloadedMetadata(uri="u", inferred_type=list_of(INT)))
    assert literal_type_of(offloaded) == list_of(INT)
    with pytest.raises(InvalidLiteralType):
        literal_type_of(Literal(offloaded_metadata=literals_pb2.LiteralOffloadedMetadata(uri="u")))


def test_an_unset_literal_or_one_hidden_in_a_list_has_no_type() -> None:
    with pytest.raises(InvalidLiteralType):
        literal_type_of(Literal())
    with pytest.raises(InvalidLiteralType):
        literal_type_of(lit_list(lit(1), Literal()))


# --- castability -------------------------------------------------------------------------------------------

PARENT = {"type": "object", "title": "A", "properties": {"a": {"type": "integer"}}, "required": ["a"]}
CHILD = {
    "type": "object",
    "title": "B",
    "properties": {"a": {"type": "integer"}, "b": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None}},
    "required": ["a", "b"],
    "additionalProperties": False,
}
TAGGED = LiteralType(simple=types_pb2.INTEGER, structure=types_pb2.TypeStructure(tag="x"))
RETAGGED = LiteralType(simple=types_pb2.INTEGER, structure=types_pb2.TypeStructure(tag="y"))
ANNOTATED_INT = LiteralType(
    simple=types_pb2.INTEGER,
    metadata=json_schema({"k": "v"}),
    annotation=types_pb2.TypeAnnotation(annotations=json_schema({"a": 1})),
)

CASTS = [
    # simple types must match exactly
    ("int to int", INT, INT, True),
    ("int to float", INT, FLOAT, False),
    ("float to int", FLOAT, INT, False),
    ("none to int", NONE, INT, False),
    ("int to none", INT, NONE, False),
    ("none to none", NONE, NONE, True),
    ("metadata and annotations are ignored", ANNOTATED_INT, INT, True),
    ("an upstream tag must match", TAGGED, RETAGGED, False),
    ("an untagged upstream matches a tagged downstream", INT, TAGGED, True),
    # enums are constrained strings
    ("enum to string", enum_of("a", "b"), STR, True),
    ("string to enum", STR, enum_of("a", "b"), True),
    ("enum to identical enum", enum_of("a", "b"), enum_of("a", "b"), True),
    ("enum to different enum", enum_of("a", "b"), enum_of("a", "c"), False),
    # dataclasses (STRUCT with JSON schema)
    ("struct without schema", STRUCT, struct_with_schema(PARENT), True),
    ("identical schemas", struct_with_schema(PARENT), struct_with_schema(PARENT), True),
    ("child dataclass to parent", struct_with_schema(CHILD), struct_with_schema(PARENT), True),
    ("parent dataclass to child", struct_with_schema(PARENT), struct_with_schema(CHILD), False),
    ("dataclass field types ignore structure", dataclass(a=INT), dataclass(a=STR), True),
    # collections and maps
    ("list to list", list_of(INT), list_of(INT), True),
    ("empty list to any list", list_of(NONE), list_of(STR), True),
    ("list of int to list of float", list_of(INT), list_of(FLOAT), False),
    ("scalar to list", INT, list_of(INT), False),
    ("list to scalar", list_of(INT), INT, False),
    ("nesting levels must match", list_of(list_of(INT)), list_of(INT), False),
    ("map to map", dict_of(INT), dict_of(INT), True),
    ("empty map to any map", dict_of(NONE), dict_of(STR), True),
    ("map of int to map of float", dict_of(INT), dict_of(FLOAT), False),
    ("list to map", list_of(INT), dict_of(INT), False),
    # blobs compare formats only
    ("same blob format", blob("csv"), blob("csv"), True),
    ("generic blob upstream", blob(""), blob("csv"), True),
    ("generic blob downstream", blob("csv"), blob(""), True),
    ("different blob formats", blob("csv"), blob("parquet"), False),
    ("dimensionality is not compared", blob("csv", types_pb2.BlobType.MULTIPART), blob("csv"), True),
    ("scalar to blob", STR, blob(""), False),
    # schemas
    ("generic schema", schema_type(), schema_type(a=SchemaColumn.INTEGER), True),
    ("schema to generic", schema_type(a=SchemaColumn.INTEGER), schema_type(), True),
    (
        "schema superset to subset",
        schema_type(a=SchemaColumn.INTEGER, b=SchemaColumn.STRING),
        schema_type(a=SchemaColumn.INTEGER),
        True,
    ),
    (
        "schema subset to superset",
        schema_type(a=SchemaColumn.INTEGER),
        schema_type(a=SchemaColumn.INTEGER, b=SchemaColumn.STRING),
        False,
    ),
    ("schema column types", schema_type(a=SchemaColumn.INTEGER), schema_type(a=SchemaColumn.FLOAT), False),
    ("parquet dataset to schema", dataset("parquet", a=INT), schema_type(a=SchemaColumn.INTEGER), True),
    ("dataset column types to schema", dataset("", a=STR), schema_type(a=SchemaColumn.INTEGER), False),
    ("csv dataset to schema", dataset("csv"), schema_type(), False),
    ("none to schema", NONE, schema_type(), False),
    # structured datasets
    ("none to dataset", NONE, dataset("parquet"), True),
    ("generic dataset", dataset(), dataset("parquet", a=INT), True),
    ("dataset formats differ", dataset("parquet"), dataset("csv"), False),
    ("dataset format compared without case", dataset("PARQUET"), dataset("parquet"), True),
    ("empty dataset format matches any", dataset(""), dataset("csv"), True),
    ("dataset superset to subset", dataset(a=INT, b=STR), dataset(a=INT), True),
    ("dataset subset to superset", dataset(a=INT), dataset(a=INT, b=STR), False),
    ("dataset column types", dataset(a=INT), dataset(a=FLOAT), False),
    ("schema to parquet dataset", schema_type(a=SchemaColumn.INTEGER), dataset("parquet", a=INT), True),
    ("schema to csv dataset", schema_type(), dataset("csv"), False),
    ("scalar to dataset", INT, dataset(), False),
    # unions
    ("value fits one variant", STR, union(INT, STR), True),
    ("value fits no variant", FLOAT, union(INT, STR), False),
    ("value fits two variants", STR, union(STR, enum_of("a")), False),
    ("none into optional dataset is ambiguous", NONE, optional(dataset()), False),
    ("none into optional", NONE, optional(INT), True),
    ("union into superset union", union(INT, STR), union(FLOAT, STR, INT), True),
    ("union into union missing a variant", union(INT, BOOL), union(INT, STR), False),
    ("single-variant union to its variant", union(INT), INT, True),
    ("multi-variant union to a scalar", union(INT, STR), INT, False),
    ("list of union", list_of(union(INT, STR)), list_of(union(STR, INT)), True),
]


@pytest.mark.parametrize(("upstream", "downstream", "castable"), [c[1:] for c in CASTS], ids=[c[0] for c in CASTS])
def test_castability(upstream: LiteralType, downstream: LiteralType, castable: bool) -> None:
    assert are_types_castable(upstream, downstream) is castable


def test_type_to_str_prints_go_text_and_dataclass_fields() -> None:
    assert type_to_str(INT) == "simple:INTEGER"
    assert type_to_str(list_of(STR)) == "collection_type:{simple:STRING}"
    assert type_to_str(dataclass(b=STR, a=INT)) == (
        "simple: STRUCT structure{dataclass_type:{key:a value:{simple:INTEGER}}, "
        "dataclass_type:{key:b value:{simple:STRING}}}"
    )
    assert type_to_str(None) == "None"


def test_a_union_with_none_is_optional() -> None:
    assert is_optional(optional(INT))
    assert not is_optional(union(INT, STR))
    assert not is_optional(NONE)
