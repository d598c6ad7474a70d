"""The inputs of a new execution: the user's values checked against the launch plan, defaults and fixed inputs
merged in (flyteadmin's CheckAndFetchInputsForExecution), with its messages."""

from __future__ import annotations

from flyteidl.core import interface_pb2, literals_pb2

from flyteplane.compiler import InvalidLiteralType, are_types_castable, literal_type_of, type_to_str
from flyteplane.compiler.prototext import go_text
from flyteplane.errors import InvalidArgument

__all__ = ["merge_inputs", "validate_literal_map"]

_MIN_SECONDS = -62_135_596_800  # 0001-01-01T00:00:00Z
_MAX_SECONDS = 253_402_300_799  # 9999-12-31T23:59:59Z


def validate_literal_map(literal_map: literals_pb2.LiteralMap, field: str) -> None:
    """Every key named, every literal holding a value, every top-level datetime a valid timestamp.

    flyteadmin stops at the first datetime it meets (a quirk); here every entry is checked, in key order.
    """
    for name in sorted(literal_map.literals):
        literal = literal_map.literals[name]
        if not name:
            raise InvalidArgument(f"missing key in {field}")
        if literal.WhichOneof("value") is None:
            raise InvalidArgument(f"missing valid literal in {field} {name}")
        if literal.scalar.primitive.HasField("datetime"):
            _validate_datetime(literal.scalar.primitive.datetime)


def _validate_datetime(stamp: object) -> None:
    seconds, nanos = getattr(stamp, "seconds", 0), getattr(stamp, "nanos", 0)
    shown = go_text(stamp)  # type: ignore[arg-type]
    if seconds < _MIN_SECONDS:
        raise InvalidArgument(f"proto: timestamp ({shown}) before 0001-01-01")
    if seconds > _MAX_SECONDS:
        raise InvalidArgument(f"proto: timestamp ({shown}) after 9999-12-31")
    if not 0 <= nanos < 1_000_000_000:
        raise InvalidArgument(f"proto: timestamp ({shown}) has out-of-range nanos")


def merge_inputs(
    user_inputs: literals_pb2.LiteralMap,
    fixed_inputs: literals_pb2.LiteralMap,
    expected_inputs: interface_pb2.ParameterMap,
) -> literals_pb2.LiteralMap:
    """User inputs must be expected and of a castable type; missing optional ones take their default, missing
    required ones are an error; fixed inputs are added last and cannot be overridden.

    Names are visited in sorted order so that a request with several problems always reports the same one.
    """
    expected = expected_inputs.parameters
    merged: dict[str, literals_pb2.Literal] = {}
    for name in sorted(user_inputs.literals):
        if name not in expected:
            raise InvalidArgument(f"invalid input {name}")
        merged[name] = user_inputs.literals[name]
    for name in sorted(expected):
        parameter = expected[name]
        if name not in merged:
            if parameter.required:
                raise InvalidArgument(f"expected_inputs {name} missing")
            merged[name] = parameter.default
            continue
        try:
            input_type = literal_type_of(merged[name])
        except InvalidLiteralType as exc:
            raise InvalidArgument(f"Failed to validate literal type for [{name}] with err: {exc.message}") from None
        if not are_types_castable(input_type, parameter.var.type):
            raise InvalidArgument(
                f"invalid {name} input wrong type. Expected {type_to_str(parameter.var.type)}, "
                f"but got {type_to_str(input_type)}"
            )
    for name in sorted(fixed_inputs.literals):
        if name in merged:
            raise InvalidArgument(f"fixed_inputs {name} cannot be overridden")
        merged[name] = fixed_inputs.literals[name]
    result = literals_pb2.LiteralMap()
    for name, literal in merged.items():
        result.literals[name].CopyFrom(literal)
    return result
