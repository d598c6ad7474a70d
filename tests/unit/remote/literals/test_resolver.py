"""LiteralsResolver: outputs by name, converted on access, typed by the interface and by type hints."""

from __future__ import annotations

import pytest
from flyteidl.core import interface_pb2
from tests.unit.remote.literals.cases import INNER, Color, Inner

from flyteplane.remote.literals.converter import LiteralConverter
from flyteplane.remote.literals.resolver import LiteralsResolver
from flyteplane.remote.literals.types import literal_type_of


def resolver(**values: object) -> LiteralsResolver:
    converter = LiteralConverter()
    literals = {name: converter.to_literal(value) for name, value in values.items()}
    variables = {name: interface_pb2.Variable(type=literal_type_of(type(value))) for name, value in values.items()}
    return LiteralsResolver(literals, variables, converter)


def test_values_read_by_name_and_as_a_type() -> None:
    outputs = resolver(o0=3, color=Color.RED, shape=INNER)
    assert outputs["o0"] == 3
    assert outputs["color"] == "red"
    assert outputs.get("color", as_type=Color) is Color.RED
    assert outputs.get("shape", as_type=Inner) == INNER
    assert sorted(outputs) == ["color", "o0", "shape"] and len(outputs) == 3 and "o0" in outputs


def test_type_hints_change_how_values_read() -> None:
    outputs = resolver(color=Color.BLUE)
    assert outputs["color"] == "blue"
    outputs.update_type_hints({"color": Color})
    assert outputs["color"] is Color.BLUE


def test_unknown_names_are_key_errors_naming_the_known_ones() -> None:
    with pytest.raises(KeyError, match="'o1' is not among \\['o0'\\]"):
        resolver(o0=1)["o1"]


def test_it_compares_with_mappings_and_shows_its_values() -> None:
    outputs = resolver(o0=1, o1="x")
    assert outputs == {"o0": 1, "o1": "x"}
    assert repr(outputs) == "LiteralsResolver({'o0': 1, 'o1': 'x'})"
    assert outputs.to_literal_map().literals["o0"].scalar.primitive.integer == 1
