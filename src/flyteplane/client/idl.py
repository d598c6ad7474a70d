"""Turning what callers pass into flyteidl messages: messages as they are, flytekit models via `to_flyte_idl()`.

Accepting anything with `to_flyte_idl()` lets code written for flytekit's client hand its models over unchanged,
while a wrong type fails here with a message naming the parameter, not deep inside protobuf serialization.
"""

from __future__ import annotations

import datetime
from typing import Any, Protocol, TypeAlias, TypeVar, runtime_checkable

from google.protobuf import duration_pb2

__all__ = ["IdlLike", "SupportsFlyteIdl", "duration", "enum_number", "message_name", "optional_idl", "to_idl"]

M = TypeVar("M")


@runtime_checkable
class SupportsFlyteIdl(Protocol):
    """flytekit's models (and anything else) that can render themselves as a flyteidl message."""

    def to_flyte_idl(self) -> Any: ...


IdlLike: TypeAlias = Any
"""A flyteidl message, or an object with `to_flyte_idl()` returning one (e.g. a flytekit model)."""


def message_name(message_type: Any) -> str:
    return str(message_type.DESCRIPTOR.full_name)


def to_idl(value: IdlLike, message_type: type[M], what: str) -> M:
    """`value` as a `message_type` message; TypeError naming `what` when it cannot be one."""
    if isinstance(value, message_type):
        return value
    render = getattr(value, "to_flyte_idl", None)
    if callable(render):
        converted = render()
        if isinstance(converted, message_type):
            return converted
        raise TypeError(
            f"{what}: {type(value).__name__}.to_flyte_idl() returned {type(converted).__name__}, "
            f"expected {message_name(message_type)}"
        )
    raise TypeError(
        f"{what} must be a {message_name(message_type)} message or have to_flyte_idl(), got {type(value).__name__}"
    )


def optional_idl(value: IdlLike | None, message_type: type[M], what: str) -> M | None:
    return None if value is None else to_idl(value, message_type, what)


def enum_number(value: int | str) -> Any:
    """An enum field's value as the caller gave it: a number (as flytekit passes them) or the value's name.

    protobuf takes either, and numbers it does not know (enums are open); flyteidl's stubs admit only the enum's own
    constants, which a caller's plain int is not, so enum arguments pass through here.
    """
    return value


def duration(value: datetime.timedelta | duration_pb2.Duration | None) -> duration_pb2.Duration | None:
    """A protobuf Duration from a timedelta (or a Duration, unchanged); None stays None."""
    if value is None or isinstance(value, duration_pb2.Duration):
        return value
    if not isinstance(value, datetime.timedelta):
        raise TypeError(f"expires_in must be a datetime.timedelta, got {type(value).__name__}")
    result = duration_pb2.Duration()
    result.FromTimedelta(value)
    return result
