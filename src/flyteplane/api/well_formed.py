"""Values a request's own types forbid, refused before any service sees them (issue 9).

Protobuf parses them without complaint, but they break later and deep inside, as INTERNAL errors: a Duration
outside ±10,000 years or with mismatched signs (a task timeout of 10,001 years), a Timestamp outside the years
1-9999, a non-finite number in a google.protobuf.Value (JSON has no NaN or Infinity, so a spec holding one cannot be
diffed or shown), a resource type flyteidl does not define (`id.resource_type` 5 or 99), and names that no database
holds alike: a NUL character in an identifier's parts or in the request's own text fields (PostgreSQL cannot store
or compare one; SQLite can), and an identifier part longer than the 255 characters its columns hold (PostgreSQL
refuses a longer one, SQLite keeps 100 KB; flyteadmin has no shorter limit on them). Every such field of
every request is checked wherever it sits, in one walk that only descends into fields whose types can hold one and,
within a oneof, only into the member that is set (100,000 literals take a fraction of a second).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

__all__ = ["first_problem"]

DURATION = "google.protobuf.Duration"
TIMESTAMP = "google.protobuf.Timestamp"
VALUE = "google.protobuf.Value"
MAX_NAME_LENGTH = 255  # the width of every name and version column
IDENTIFIER_TEXT: dict[str, tuple[tuple[str, int | None], ...]] = {
    # message -> its text fields stored in columns: (field, longest length or None: only NUL is refused)
    "flyteidl.core.Identifier": tuple((f, MAX_NAME_LENGTH) for f in ("project", "domain", "name", "version", "org")),
    "flyteidl.core.WorkflowExecutionIdentifier": tuple((f, MAX_NAME_LENGTH) for f in ("project", "domain", "name")),
    "flyteidl.core.NodeExecutionIdentifier": (("node_id", MAX_NAME_LENGTH),),
    "flyteidl.core.SignalIdentifier": (("signal_id", MAX_NAME_LENGTH),),
    "flyteidl.admin.NamedEntityIdentifier": tuple((f, MAX_NAME_LENGTH) for f in ("project", "domain", "name")),
    "flyteidl.admin.NamedEntityMetadata": (("description", None),),
    "flyteidl.admin.Project": (("id", None), ("name", None), ("description", None)),
    "flyteidl.admin.ExecutionSpec": (("tags", None),),
    "flyteidl.core.TaskTemplate": (("type", MAX_NAME_LENGTH),),
}
CHECKED_MESSAGES = (DURATION, TIMESTAMP, VALUE, *IDENTIFIER_TEXT)
# Enums that name things rather than carry data: a value outside them can only be a mistake.
CLOSED_ENUMS = ("flyteidl.core.ResourceType",)

MAX_DURATION_SECONDS = 315_576_000_000  # 10,000 years, google/protobuf/duration.proto
MIN_TIMESTAMP_SECONDS = -62_135_596_800  # 0001-01-01T00:00:00Z
MAX_TIMESTAMP_SECONDS = 253_402_300_799  # 9999-12-31T23:59:59Z
MAX_NANOS = 999_999_999

ENUM, MESSAGE, REPEATED_ENUM, REPEATED_MESSAGE, MAP = range(5)

# Descriptors are typed Any here: protobuf's stubs make every message_type and enum_type optional.
# (parent path, segment): built cheaply, joined only for a message; a segment is a field name or (field, index/key)
Path = tuple[Any, Any] | None


@dataclass(frozen=True)
class _Plan:
    """Which fields of one message type to visit: plain ones always, oneof members only when set."""

    checked: str  # the full name of a checked message type (Duration, Timestamp, Value), else ""
    fields: tuple[tuple[str, int, Any], ...]  # (name, kind, enum descriptor or None)
    oneofs: tuple[tuple[str, dict[str, tuple[int, Any]]], ...]


_reaches: dict[str, bool] = {}  # message full name -> whether a checked value can sit somewhere inside it
_reaches_directly: dict[str, bool] = {}  # ... as one of its own fields
_plans: dict[type, _Plan] = {}  # message class -> plan


def first_problem(message: Message) -> str | None:
    """`path: reason` for the first forbidden value found in `message`, or None when it has none."""
    root = _text_fields.get(type(message))
    if root is None:
        root = _text_fields[type(message)] = _own_text_fields(message)
    for field in root:
        values = getattr(message, field)
        if any("\x00" in value for value in (values if not isinstance(values, str) else [values])):
            return f"{field}: {NUL_REASON}"
    stack: list[tuple[Any, Path]] = [(message, None)]
    while stack:
        current, path = stack.pop()
        plan = _plans.get(type(current)) or _plan(type(current))
        if plan.checked in IDENTIFIER_TEXT:
            found = _identifier_problem(IDENTIFIER_TEXT[plan.checked], current)
            if found:
                return f"{_join((path, found[0]))}: {found[1]}"
        elif plan.checked:
            reason = _reason(plan.checked, current)
            if reason:
                return f"{_join(path) or plan.checked}: {reason}"
        for field, kind, enum in plan.fields:
            problem = _visit(current, field, kind, enum, path, stack)
            if problem:
                return problem
        for oneof, members in plan.oneofs:
            chosen = current.WhichOneof(oneof)
            if chosen in members:
                kind, enum = members[chosen]
                if kind == MESSAGE:  # the common case, inline: a literal's scalar, a scalar's primitive
                    stack.append((getattr(current, chosen), (path, chosen)))
                    continue
                problem = _visit(current, chosen, kind, enum, path, stack)
                if problem:
                    return problem
    return None


NUL_REASON = "contains a NUL character (0x00), which no name or filter may hold"


def _own_text_fields(message: Message) -> tuple[str, ...]:
    """The request's own string fields (filters, token, project, a project's id ...): none may hold a NUL."""
    descriptor: Any = message.DESCRIPTOR
    return tuple(field.name for field in descriptor.fields if field.type == FieldDescriptor.TYPE_STRING)


_text_fields: dict[type, tuple[str, ...]] = {}


def _identifier_problem(fields: tuple[tuple[str, int | None], ...], message: Any) -> tuple[str, str] | None:
    for field, longest in fields:
        value = getattr(message, field)
        for text in [value] if isinstance(value, str) else value:
            if "\x00" in text:
                return field, NUL_REASON
            if longest is not None and len(text) > longest:
                return field, f"cannot exceed {longest} characters (got {len(text)})"
    return None


def _visit(message: Any, field: str, kind: int, enum: Any, path: Path, stack: list[tuple[Any, Path]]) -> str | None:
    if kind == MESSAGE:
        if message.HasField(field):
            stack.append((getattr(message, field), (path, field)))
    elif kind == REPEATED_MESSAGE:
        stack.extend((item, (path, (field, i))) for i, item in enumerate(getattr(message, field)))
    elif kind == MAP:
        stack.extend((item, (path, (field, key))) for key, item in getattr(message, field).items())
    else:
        numbers = getattr(message, field)
        for i, number in enumerate(numbers if kind == REPEATED_ENUM else [numbers]):
            if number not in enum.values_by_number:
                where = _join((path, (field, i) if kind == REPEATED_ENUM else field))
                return f"{where}: {number} is not a {enum.full_name} ({', '.join(enum.values_by_name)})"
    return None


def _join(path: Path) -> str:
    segments = []
    while path is not None:
        path, segment = path
        segments.append(segment if isinstance(segment, str) else f"{segment[0]}[{segment[1]!r}]")
    return ".".join(reversed(segments))


def _reason(name: str, message: Any) -> str | None:
    if name == VALUE:
        if message.WhichOneof("kind") == "number_value" and not math.isfinite(message.number_value):
            return f"{message.number_value} is not a JSON number"
        return None
    seconds, nanos = message.seconds, message.nanos
    if name == DURATION:
        if not -MAX_DURATION_SECONDS <= seconds <= MAX_DURATION_SECONDS:
            return f"a duration of {seconds} seconds is beyond 10,000 years"
        if not -MAX_NANOS <= nanos <= MAX_NANOS or (seconds and nanos and (seconds < 0) != (nanos < 0)):
            return f"seconds {seconds} and nanos {nanos} are no duration"
        return None
    if not MIN_TIMESTAMP_SECONDS <= seconds <= MAX_TIMESTAMP_SECONDS:
        return f"a timestamp of {seconds} seconds is outside the years 1 to 9999"
    if not 0 <= nanos <= MAX_NANOS:
        return f"nanos {nanos} are no timestamp"
    return None


def _plan(message_class: type) -> _Plan:
    descriptor: Any = message_class.DESCRIPTOR  # type: ignore[attr-defined]
    name = descriptor.full_name
    _learn(descriptor)
    fields: list[tuple[str, int, Any]] = []
    oneofs: dict[str, dict[str, tuple[int, Any]]] = {}
    if name not in (DURATION, TIMESTAMP):  # their two numbers are all there is to check
        for field in descriptor.fields:
            kind = _kind(field)
            if kind is None:
                continue
            oneof = field.containing_oneof
            if oneof is not None and not _is_repeated(field):
                oneofs.setdefault(oneof.name, {})[field.name] = (kind, field.enum_type)
            else:
                fields.append((field.name, kind, field.enum_type))
    plan = _Plan(name if name in CHECKED_MESSAGES else "", tuple(fields), tuple(oneofs.items()))
    _plans[message_class] = plan
    return plan


def _kind(field: Any) -> int | None:
    """How to visit `field`, or None when nothing checked can sit in it."""
    repeated = _is_repeated(field)
    if field.type == FieldDescriptor.TYPE_ENUM:
        if field.enum_type.full_name not in CLOSED_ENUMS:
            return None
        return REPEATED_ENUM if repeated else ENUM
    if field.type != FieldDescriptor.TYPE_MESSAGE:
        return None
    if _is_map(field):
        value_type = field.message_type.fields_by_name["value"].message_type
        return MAP if value_type is not None and _reaches[value_type.full_name] else None
    if not _reaches[field.message_type.full_name]:
        return None
    return REPEATED_MESSAGE if repeated else MESSAGE


def _is_map(field: Any) -> bool:
    return field.type == FieldDescriptor.TYPE_MESSAGE and bool(field.message_type.GetOptions().map_entry)


def _is_repeated(field: Any) -> bool:
    repeated = getattr(field, "is_repeated", None)  # protobuf 6+; older releases have only `label`
    if repeated is None:
        return bool(getattr(field, "label", None) == FieldDescriptor.LABEL_REPEATED)
    return bool(repeated)


def _learn(root: Any) -> None:
    """Whether each message type reachable from `root` can hold a checked value: a fixpoint, since message types
    nest recursively (a Literal holds literal collections of Literals)."""
    graph: dict[str, list[Any]] = {}
    pending = [root]
    while pending:
        descriptor = pending.pop()
        if descriptor.full_name in graph or descriptor.full_name in _reaches:
            continue
        children = [f.message_type for f in descriptor.fields if f.type == FieldDescriptor.TYPE_MESSAGE]
        graph[descriptor.full_name] = children
        pending.extend(children)
        _reaches_directly[descriptor.full_name] = descriptor.full_name in CHECKED_MESSAGES or any(
            f.type == FieldDescriptor.TYPE_ENUM and f.enum_type.full_name in CLOSED_ENUMS for f in descriptor.fields
        )
    holds = {name: _reaches_directly[name] for name in graph}
    changed = True
    while changed:
        changed = False
        for name, children in graph.items():
            if not holds[name] and any(holds.get(c.full_name, _reaches.get(c.full_name, False)) for c in children):
                holds[name] = changed = True
    _reaches.update(holds)
