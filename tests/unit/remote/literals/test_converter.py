"""Python values <-> literals for every core type, nested and Optional, without flytekit; checked against what
flytekit's TypeEngine produces and reads for the same values and types (flytekit is only the referee here)."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

import pytest
from flyteidl.core import literals_pb2, types_pb2
from tests.unit.remote.literals.cases import CASES, INNER, OUTER, Color, Inner, Outer

from flyteplane.remote.literals.converter import LiteralConverter
from flyteplane.remote.literals.types import literal_type_of

IDS = [f"{i}-{getattr(t, '__name__', str(t))}" for i, (t, _, _) in enumerate(CASES)]


def flytekit_literal(value: Any, python_type: Any) -> Any:
    from flytekit.core.context_manager import FlyteContextManager
    from flytekit.core.type_engine import TypeEngine

    ctx = FlyteContextManager.current_context()
    return TypeEngine.to_literal(ctx, value, python_type, TypeEngine.to_literal_type(python_type)).to_flyte_idl()


def flytekit_value(literal: Any, python_type: Any) -> Any:
    from flytekit.core.context_manager import FlyteContextManager
    from flytekit.core.type_engine import TypeEngine
    from flytekit.models.literals import Literal

    return TypeEngine.to_python_value(
        FlyteContextManager.current_context(), Literal.from_flyte_idl(literal), python_type
    )


def flytekit_type(python_type: Any) -> Any:
    from flytekit.core.type_engine import TypeEngine

    return TypeEngine.to_literal_type(python_type).to_flyte_idl()


def without_schema(literal_type: Any) -> Any:
    """flytekit also attaches a JSON schema to dataclass types; the conversion never reads it."""
    copy = types_pb2.LiteralType()
    copy.CopyFrom(literal_type)
    copy.ClearField("metadata")
    for field in copy.structure.dataclass_type.values():
        field.CopyFrom(without_schema(field))
    if copy.HasField("union_type"):
        for variant in copy.union_type.variants:
            variant.CopyFrom(without_schema(variant))
    for name in ("collection_type", "map_value_type"):
        if copy.HasField(name):
            getattr(copy, name).CopyFrom(without_schema(getattr(copy, name)))
    return copy


@pytest.mark.parametrize(("python_type", "value", "plain"), CASES, ids=IDS)
def test_values_convert_to_the_literals_flytekit_makes(python_type: Any, value: Any, plain: Any) -> None:
    literal_type = flytekit_type(python_type)
    assert LiteralConverter().to_literal(value, literal_type) == flytekit_literal(value, python_type)


@pytest.mark.parametrize(("python_type", "value", "plain"), CASES, ids=IDS)
def test_literal_types_of_python_types_match_flytekits(python_type: Any, value: Any, plain: Any) -> None:
    assert without_schema(literal_type_of(python_type)) == without_schema(flytekit_type(python_type))


@pytest.mark.parametrize(("python_type", "value", "plain"), CASES, ids=IDS)
def test_literals_read_back_as_the_python_type(python_type: Any, value: Any, plain: Any) -> None:
    literal = flytekit_literal(value, python_type)
    assert LiteralConverter().to_python(literal, python_type=python_type) == value


@pytest.mark.parametrize(("python_type", "value", "plain"), CASES, ids=IDS)
def test_literals_read_back_without_a_python_type(python_type: Any, value: Any, plain: Any) -> None:
    literal = flytekit_literal(value, python_type)
    expected = plain if plain is not None or value is None else value
    if dataclasses.is_dataclass(value) or (isinstance(value, (list, dict)) and _has_dataclass(value)):
        expected = _plain(value) if plain is None else plain
    assert LiteralConverter().to_python(literal) == expected


@pytest.mark.parametrize(("python_type", "value", "plain"), CASES, ids=IDS)
def test_our_literals_read_back_in_flytekit(python_type: Any, value: Any, plain: Any) -> None:
    literal = LiteralConverter().to_literal(value, flytekit_type(python_type))
    assert flytekit_value(literal, python_type) == value


def _has_dataclass(value: Any) -> bool:
    items = value.values() if isinstance(value, dict) else value
    return any(dataclasses.is_dataclass(v) for v in items)


def _plain(value: Any) -> Any:
    from flyteplane.remote.literals.structs import to_plain

    return to_plain(value)


def test_naive_datetimes_are_utc_and_read_back_aware() -> None:
    literal = LiteralConverter().to_literal(datetime.datetime(2024, 1, 1, 12), literal_type_of(datetime.datetime))
    assert LiteralConverter().to_python(literal) == datetime.datetime(2024, 1, 1, 12, tzinfo=datetime.timezone.utc)


def test_ints_are_accepted_for_floats_and_strings_for_enums() -> None:
    converter = LiteralConverter()
    assert converter.to_literal(3, literal_type_of(float)).scalar.primitive.float_value == 3.0
    assert converter.to_literal("red", literal_type_of(Color)).scalar.primitive.string_value == "red"


def test_a_union_prefers_the_member_of_the_values_own_type() -> None:
    literal_type = flytekit_type(int | float)  # float first would take the int too
    literal = LiteralConverter().to_literal(3, literal_type)
    assert literal.scalar.union.type.structure.tag == "int"
    literal = LiteralConverter().to_literal(3.5, literal_type)
    assert literal.scalar.union.type.structure.tag == "float"


def test_dicts_with_str_keys_are_maps_and_other_dicts_are_structs() -> None:
    converter = LiteralConverter()
    assert converter.to_literal({"a": 1}, literal_type_of(dict[str, int])).HasField("map")
    struct = converter.to_literal({1: "a"}, literal_type_of(dict))
    assert struct.scalar.binary.tag == "msgpack"
    assert converter.to_python(struct) == {1: "a"}


def test_struct_types_without_msgpack_annotation_get_json_structs() -> None:
    """Tasks registered by flytekit before 1.14 (or by hand) declare bare STRUCTs and read JSON."""
    bare = types_pb2.LiteralType(simple=types_pb2.STRUCT)
    literal = LiteralConverter().to_literal(INNER, bare)
    assert literal.scalar.WhichOneof("value") == "generic"
    assert LiteralConverter().to_python(literal, python_type=Inner) == INNER


def test_dataclasses_read_back_from_plain_data_even_when_nested_in_containers() -> None:
    literal = flytekit_literal({"x": [OUTER]}, dict[str, list[Outer]])
    assert LiteralConverter().to_python(literal, python_type=dict[str, list[Outer]]) == {"x": [OUTER]}


@pytest.mark.parametrize(
    ("value", "python_type", "message"),
    [
        ("1", int, "expected an int, got str '1'"),
        (True, int, "expected an int, got bool True"),
        (1.5, int, "expected an int, got float 1.5"),
        ([1, "2"], list[int], r"\[1\]: expected an int, got str '2'"),
        ({"a": "x"}, dict[str, int], r"\['a'\]: expected an int"),
        (None, int, "expected an int, got NoneType"),
        ("purple", Color, "'purple' is not one of the enum's values"),
        ([1], dict[str, int], "expected a dict, got list"),
        ("nope", Inner, "expected a dict or a dataclass"),
    ],
)
def test_values_that_do_not_fit_are_refused_with_what_was_expected(value: Any, python_type: Any, message: str) -> None:
    with pytest.raises((TypeError, ValueError), match=message):
        LiteralConverter().to_literal(value, literal_type_of(python_type))


def test_given_literals_pass_through_untouched() -> None:
    literal = literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(integer=3)))
    assert LiteralConverter().to_literal(literal, literal_type_of(str)) is literal


def test_flytekit_literal_models_pass_through() -> None:
    from flytekit.models.literals import Literal

    model = Literal.from_flyte_idl(flytekit_literal(4, int))
    assert LiteralConverter().to_literal(model, literal_type_of(int)) == flytekit_literal(4, int)


def test_types_and_values_beyond_the_core_go_to_flytekits_type_engine() -> None:
    from flytekit.types.pickle import FlytePickle  # noqa: F401  (a non-core type flytekit handles)

    class Opaque:
        def __init__(self, n: int) -> None:
            self.n = n

    converter = LiteralConverter()
    literal = converter.to_literal(Opaque(3), python_type=Opaque)
    assert literal.scalar.blob.metadata.type.format == "PythonPickle"
    assert converter.to_python(literal, python_type=Opaque).n == 3


def test_without_flytekit_a_non_core_value_names_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    import flyteplane.remote.literals.converter as converter_module
    from flyteplane.remote.flytekit_support import FlytekitRequired

    def missing(feature: str) -> None:
        raise FlytekitRequired(f"{feature} needs flytekit, which is not installed: pip install flytekit")

    monkeypatch.setattr(converter_module, "require_flytekit", missing)
    with pytest.raises(TypeError, match="pip install flytekit"):
        LiteralConverter().to_literal(object(), literal_type_of(int))
    with pytest.raises(TypeError, match="pip install flytekit"):
        LiteralConverter().to_python(literals_pb2.Literal(scalar=literals_pb2.Scalar(schema=literals_pb2.Schema())))


def test_values_are_guessed_when_no_type_is_known() -> None:
    converter = LiteralConverter()
    assert converter.to_literal(Color.RED).scalar.primitive.string_value == "red"
    assert converter.to_literal([1, 2]).collection.literals[1].scalar.primitive.integer == 2
    assert converter.to_literal(OUTER).scalar.binary.tag == "msgpack"
    with pytest.raises(TypeError, match="empty list"):
        converter.to_literal([])
