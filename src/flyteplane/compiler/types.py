"""Literal types: what type a literal has, and which types may flow into which (flyteadmin §3.5, §3.6).

Admin uses these rules everywhere a value meets a declared type: workflow bindings, launch-plan defaults and
fixed inputs, execution inputs and signal values. Downstream types decide the rule: a collection accepts a
collection whose elements cast, a union accepts a value that fits exactly one variant, and so on.
"""

from __future__ import annotations

from collections.abc import Iterable

from flyteidl.core import literals_pb2, types_pb2

from flyteplane.compiler.errors import InvalidLiteralType
from flyteplane.compiler.json_schema import is_compatible_schema, struct_to_json
from flyteplane.compiler.prototext import go_text

__all__ = [
    "are_types_castable",
    "is_none_type",
    "is_optional",
    "literal_type_of",
    "literal_type_of_primitive",
    "literal_type_of_scalar",
    "simple_type",
    "type_key",
    "type_to_str",
]

_MSGPACK_TAG = "msgpack"
_PARQUET = "parquet"

_PRIMITIVE_TYPES = {
    "integer": types_pb2.INTEGER,
    "float_value": types_pb2.FLOAT,
    "string_value": types_pb2.STRING,
    "boolean": types_pb2.BOOLEAN,
    "datetime": types_pb2.DATETIME,
    "duration": types_pb2.DURATION,
}

_SCHEMA_COLUMN_TO_SIMPLE = {
    types_pb2.SchemaType.SchemaColumn.INTEGER: types_pb2.INTEGER,
    types_pb2.SchemaType.SchemaColumn.FLOAT: types_pb2.FLOAT,
    types_pb2.SchemaType.SchemaColumn.STRING: types_pb2.STRING,
    types_pb2.SchemaType.SchemaColumn.BOOLEAN: types_pb2.BOOLEAN,
    types_pb2.SchemaType.SchemaColumn.DATETIME: types_pb2.DATETIME,
    types_pb2.SchemaType.SchemaColumn.DURATION: types_pb2.DURATION,
}


def simple_type(simple: int) -> types_pb2.LiteralType:
    return types_pb2.LiteralType(simple=simple)


def type_key(literal_type: types_pb2.LiteralType) -> str:
    """Canonical text of a type: equal keys mean identical types (flytepropeller compares `String()`s)."""
    return go_text(literal_type)


def type_to_str(literal_type: types_pb2.LiteralType | None) -> str:
    """Readable form for messages; dataclass types show their fields instead of their JSON schema."""
    if literal_type is None:
        return "None"
    if literal_type.WhichOneof("type") == "simple" and literal_type.simple == types_pb2.STRUCT:
        fields = literal_type.structure.dataclass_type
        structure = ", ".join(
            f"dataclass_type:{{key:{name} value:{{{type_to_str(fields[name])}}}}}" for name in sorted(fields)
        )
        return f"simple: STRUCT structure{{{structure}}}"
    return go_text(literal_type)


def is_none_type(literal_type: types_pb2.LiteralType) -> bool:
    return bool(literal_type.WhichOneof("type") == "simple" and literal_type.simple == types_pb2.NONE)


def is_optional(literal_type: types_pb2.LiteralType) -> bool:
    """A union with a NONE variant: such an input may be left unbound."""
    return literal_type.WhichOneof("type") == "union_type" and any(
        variant.WhichOneof("type") == "simple" and variant.simple == types_pb2.NONE
        for variant in literal_type.union_type.variants
    )


# --- inference (§3.5) ---------------------------------------------------------------------------------------


def literal_type_of_primitive(primitive: literals_pb2.Primitive) -> types_pb2.LiteralType:
    """SIMPLE type of a primitive; an unset primitive is NONE."""
    return simple_type(_PRIMITIVE_TYPES.get(primitive.WhichOneof("value") or "", types_pb2.NONE))


def literal_type_of_scalar(scalar: literals_pb2.Scalar) -> types_pb2.LiteralType | None:
    """Type of a scalar, or None when it cannot be told (unset, blob without metadata, typeless union)."""
    kind = scalar.WhichOneof("value")
    if kind == "primitive":
        return literal_type_of_primitive(scalar.primitive)
    if kind == "blob":
        if not scalar.blob.HasField("metadata"):
            return None
        return types_pb2.LiteralType(blob=scalar.blob.metadata.type)
    if kind == "binary":
        return simple_type(types_pb2.STRUCT if scalar.binary.tag == _MSGPACK_TAG else types_pb2.BINARY)
    if kind == "schema":
        return types_pb2.LiteralType(schema=scalar.schema.type)
    if kind == "structured_dataset":
        result = types_pb2.LiteralType(structured_dataset_type=types_pb2.StructuredDatasetType())
        if scalar.structured_dataset.HasField("metadata"):
            result.structured_dataset_type.CopyFrom(scalar.structured_dataset.metadata.structured_dataset_type)
        return result
    if kind == "none_type":
        return simple_type(types_pb2.NONE)
    if kind == "error":
        return simple_type(types_pb2.ERROR)
    if kind == "generic":
        return simple_type(types_pb2.STRUCT)
    if kind == "union":
        if not scalar.union.HasField("type"):
            return None
        return types_pb2.LiteralType(union_type=types_pb2.UnionType(variants=[scalar.union.type]))
    return None


def literal_type_of(literal: literals_pb2.Literal) -> types_pb2.LiteralType:
    """Type of a literal; raises InvalidLiteralType when any part of it has no recognisable type."""
    inferred = _infer(literal)
    if inferred is None:
        raise InvalidLiteralType(
            "got unknown literal type: [nil]. Suggested solution: Please update all your Flyte deployment "
            "images to the latest version and try again"
        )
    return inferred


def _infer(literal: literals_pb2.Literal) -> types_pb2.LiteralType | None:
    kind = literal.WhichOneof("value")
    if kind == "scalar":
        return literal_type_of_scalar(literal.scalar)
    if kind == "collection":
        element = _infer_common(literal.collection.literals)
        return None if element is None else types_pb2.LiteralType(collection_type=element)
    if kind == "map":
        value = _infer_common(literal.map.literals.values())
        return None if value is None else types_pb2.LiteralType(map_value_type=value)
    if kind == "offloaded_metadata":
        if not literal.offloaded_metadata.HasField("inferred_type"):
            return None
        offloaded = types_pb2.LiteralType()
        offloaded.CopyFrom(literal.offloaded_metadata.inferred_type)
        return offloaded
    return None


def _infer_common(literals: Iterable[literals_pb2.Literal]) -> types_pb2.LiteralType | None:
    """Element type of a collection (or map values): the single distinct type, else a union of them."""
    distinct: dict[str, types_pb2.LiteralType] = {}
    empty_collection_type: types_pb2.LiteralType | None = None
    for item in literals:
        item_type = _infer(item)
        if item_type is None:
            return None
        if item.WhichOneof("value") == "collection" and not item.collection.literals:
            # An empty nested list says nothing about the element type unless nothing else does.
            empty_collection_type = item_type
            continue
        distinct.setdefault(type_key(item_type), item_type)
    if not distinct:
        return empty_collection_type if empty_collection_type is not None else simple_type(types_pb2.NONE)
    if len(distinct) == 1:
        return next(iter(distinct.values()))
    ordered = [distinct[key] for key in sorted(distinct)]
    return _union_of(ordered)


def _union_of(types: list[types_pb2.LiteralType]) -> types_pb2.LiteralType:
    """Union of several element types; lists of unions are flattened into one list of a union."""
    variants: list[types_pb2.LiteralType] = []
    nested = False
    for item in types:
        if item.WhichOneof("type") == "collection_type" and item.collection_type.WhichOneof("type") == "union_type":
            nested = True
            variants.extend(item.collection_type.union_type.variants)
        else:
            variants.append(item)
    union = types_pb2.LiteralType(union_type=types_pb2.UnionType(variants=variants))
    return types_pb2.LiteralType(collection_type=union) if nested else union


# --- castability (§3.6) -------------------------------------------------------------------------------------


def are_types_castable(upstream: types_pb2.LiteralType, downstream: types_pb2.LiteralType) -> bool:
    """Whether a value of the upstream type may be passed where the downstream type is declared."""
    single_variant = upstream.WhichOneof("type") == "union_type" and len(upstream.union_type.variants) == 1
    if single_variant and _casts_from(downstream, upstream.union_type.variants[0]):
        return True
    return _casts_from(downstream, upstream)


def _casts_from(downstream: types_pb2.LiteralType, upstream: types_pb2.LiteralType) -> bool:
    kind = downstream.WhichOneof("type")
    up_kind = upstream.WhichOneof("type")
    if kind == "collection_type":
        if up_kind != "collection_type":
            return False
        return is_none_type(upstream.collection_type) or _casts_from(
            downstream.collection_type, upstream.collection_type
        )
    if kind == "map_value_type":
        if up_kind != "map_value_type":
            return False
        return is_none_type(upstream.map_value_type) or _casts_from(downstream.map_value_type, upstream.map_value_type)
    if kind == "blob":
        if up_kind != "blob":
            return False
        up_format, down_format = upstream.blob.format, downstream.blob.format
        return not up_format or not down_format or up_format == down_format
    if kind == "schema":
        return _schema_casts_from(downstream.schema, upstream)
    if kind == "structured_dataset_type":
        return _structured_dataset_casts_from(downstream.structured_dataset_type, upstream)
    if kind == "union_type":
        return _union_casts_from(downstream.union_type, upstream)
    if is_none_type(downstream):
        return is_none_type(upstream)
    return _trivially_casts_from(downstream, upstream)


def _union_casts_from(downstream: types_pb2.UnionType, upstream: types_pb2.LiteralType) -> bool:
    if upstream.WhichOneof("type") == "union_type":
        return all(
            any(are_types_castable(up, down) for down in downstream.variants) for up in upstream.union_type.variants
        )
    matches = sum(1 for down in downstream.variants if are_types_castable(upstream, down))
    return matches == 1


def _schema_casts_from(downstream: types_pb2.SchemaType, upstream: types_pb2.LiteralType) -> bool:
    up_kind = upstream.WhichOneof("type")
    if up_kind == "schema":
        return _schema_columns_subset(upstream.schema, downstream)
    if up_kind == "structured_dataset_type":
        dataset = upstream.structured_dataset_type
        if dataset.format and dataset.format.lower() != _PARQUET:
            return False
        if not dataset.columns or not downstream.columns:
            return True
        upstream_columns = {c.name: c.literal_type for c in dataset.columns}
        for column in downstream.columns:
            up_column = upstream_columns.get(column.name)
            if up_column is None or not _schema_column_matches(column.type, up_column):
                return False
        return True
    return False


def _schema_columns_subset(upstream: types_pb2.SchemaType, downstream: types_pb2.SchemaType) -> bool:
    if not upstream.columns or not downstream.columns:
        return True
    upstream_columns = {c.name: c.type for c in upstream.columns}
    return all(upstream_columns.get(c.name) == c.type for c in downstream.columns)


def _structured_dataset_casts_from(
    downstream: types_pb2.StructuredDatasetType, upstream: types_pb2.LiteralType
) -> bool:
    if is_none_type(upstream):
        return True  # structured datasets are nullable
    up_kind = upstream.WhichOneof("type")
    if up_kind == "schema":
        if downstream.format and downstream.format.lower() != _PARQUET:
            return False
        schema = upstream.schema
        if not schema.columns or not downstream.columns:
            return True
        upstream_columns = {c.name: c.type for c in schema.columns}
        for column in downstream.columns:
            up_column = upstream_columns.get(column.name)
            if up_column is None or not _schema_column_matches(up_column, column.literal_type):
                return False
        return True
    if up_kind != "structured_dataset_type":
        return False
    dataset = upstream.structured_dataset_type
    if dataset.format and downstream.format and dataset.format.lower() != downstream.format.lower():
        return False
    if not dataset.columns or not downstream.columns:
        return True
    upstream_types = {c.name: c.literal_type for c in dataset.columns}
    for column in downstream.columns:
        up_type = upstream_types.get(column.name)
        if up_type is None or not _casts_from(column.literal_type, up_type):
            return False
    return True


def _schema_column_matches(column_type: int, literal_type: types_pb2.LiteralType) -> bool:
    expected = _SCHEMA_COLUMN_TO_SIMPLE.get(column_type)
    return expected is not None and literal_type.WhichOneof("type") == "simple" and literal_type.simple == expected


def _trivially_casts_from(downstream: types_pb2.LiteralType, upstream: types_pb2.LiteralType) -> bool:
    """Exact match, ignoring structure/metadata/annotation, plus enum<->string and dataclass schema rules."""
    up_kind, down_kind = upstream.WhichOneof("type"), downstream.WhichOneof("type")
    if up_kind == "enum_type" and down_kind == "simple" and downstream.simple == types_pb2.STRING:
        return True
    if down_kind == "enum_type" and up_kind == "simple" and upstream.simple == types_pb2.STRING:
        return True
    up_tag = upstream.structure.tag
    if up_tag and downstream.structure.tag != up_tag:
        return False
    if (
        up_kind == "simple"
        and down_kind == "simple"
        and upstream.simple == types_pb2.STRUCT
        and downstream.simple == types_pb2.STRUCT
    ):
        if not upstream.HasField("metadata") or not downstream.HasField("metadata"):
            return True
        if upstream.metadata == downstream.metadata:
            return True
        return is_compatible_schema(struct_to_json(upstream.metadata), struct_to_json(downstream.metadata))
    return bool(_without_annotations(upstream) == _without_annotations(downstream))


def _without_annotations(literal_type: types_pb2.LiteralType) -> types_pb2.LiteralType:
    if not (
        literal_type.HasField("structure") or literal_type.HasField("metadata") or literal_type.HasField("annotation")
    ):
        return literal_type
    stripped = types_pb2.LiteralType()
    stripped.CopyFrom(literal_type)
    stripped.ClearField("structure")
    stripped.ClearField("metadata")
    stripped.ClearField("annotation")
    return stripped
