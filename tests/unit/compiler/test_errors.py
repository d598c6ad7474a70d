"""Compile errors are reported together, de-duplicated and ordered, in flyteadmin's format."""

from __future__ import annotations

from flyteplane.compiler import CompileError, CompileErrors, InvalidLiteralType
from flyteplane.compiler.errors import ErrorCollector, cycle_detected, parameter_not_bound, value_required
from flyteplane.errors import InvalidArgument


def test_a_compile_error_reads_code_node_and_description() -> None:
    error = CompileError("ParameterNotBound", "n1", "Parameter not bound [x].")
    assert str(error) == "Code: ParameterNotBound, Node Id: n1, Description: Parameter not bound [x]."


def test_collected_errors_are_numbered_in_flyteadmin_format() -> None:
    errors = CompileErrors([parameter_not_bound("n1", "x"), value_required("n0", "Id")])
    assert str(errors) == (
        "Collected Errors: 2\n"
        "\tError 0: Code: ParameterNotBound, Node Id: n1, Description: Parameter not bound [x].\n"
        "\tError 1: Code: ValueRequired, Node Id: n0, Description: Value required [Id].\n"
    )


def test_identical_errors_are_reported_once_and_sorted_by_code_then_text() -> None:
    errors = CompileErrors(
        [
            value_required("b", "Id"),
            parameter_not_bound("n1", "y"),
            value_required("a", "Id"),
            parameter_not_bound("n1", "x"),
            value_required("b", "Id"),
        ]
    )
    assert [(e.code, e.node_id) for e in errors.errors] == [
        ("ParameterNotBound", "n1"),
        ("ParameterNotBound", "n1"),
        ("ValueRequired", "a"),
        ("ValueRequired", "b"),
    ]
    assert errors.errors[0].description == "Parameter not bound [x]."


def test_collector_counts_every_collected_error_and_raises_only_when_there_are_some() -> None:
    collector = ErrorCollector()
    collector.raise_if_any()
    collector.collect(cycle_detected("start-node", ["start-node", "a", "b", "a"]))
    collector.collect(cycle_detected("start-node", ["start-node", "a", "b", "a"]))
    assert collector.count == 2
    try:
        collector.raise_if_any()
    except CompileErrors as raised:
        assert len(raised.errors) == 1
        assert "[start-node>a>b>a]" in raised.errors[0].description
    else:
        raise AssertionError("expected CompileErrors")


def test_invalid_literal_type_is_an_invalid_argument() -> None:
    assert issubclass(InvalidLiteralType, InvalidArgument)
