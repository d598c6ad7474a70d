"""Hypothesis strategies built from protobuf message descriptors: any flyteidl request, generated or mutated.

Generated messages set a few fields at each level (small enough to draw fast, deep enough to reach services);
strings come often from a pool of names the server knows, so requests get past "missing project" and into the
rules behind it. Mutations start from valid requests (a seed flytekit serialized) and change, clear or corrupt one
field deep inside, or the serialized bytes themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from google.protobuf import message_factory
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message
from hypothesis import strategies as st

MAX_DEPTH = 5
MAX_FIELDS = 4  # fields set per generated message
MAX_ITEMS = 3  # items per repeated field or map

INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
UINT32 = (0, 2**32 - 1)
UINT64 = (0, 2**64 - 1)
INT_RANGES = {
    FieldDescriptor.TYPE_INT32: INT32,
    FieldDescriptor.TYPE_SINT32: INT32,
    FieldDescriptor.TYPE_SFIXED32: INT32,
    FieldDescriptor.TYPE_INT64: INT64,
    FieldDescriptor.TYPE_SINT64: INT64,
    FieldDescriptor.TYPE_SFIXED64: INT64,
    FieldDescriptor.TYPE_UINT32: UINT32,
    FieldDescriptor.TYPE_FIXED32: UINT32,
    FieldDescriptor.TYPE_UINT64: UINT64,
    FieldDescriptor.TYPE_FIXED64: UINT64,
}
AWKWARD_STRINGS = [
    *["", " ", "..", ".", "../x", "/x", "a\x00b", "x" * 300, "é🙂", "%", "_", "\\", "*", "'", "-"],
    # filters: a trailing LIKE escape, wildcards meant literally, more clauses than SQLite's parser nests
    *["not_like(name,\\)", "contains(name,%_\\)", "+".join(["eq(name,a)"] * 1000)],
    "value_in(name," + "a;" * 5000 + ")",
]


class Pool:
    """Names the server knows (seeded entities) that generated strings are drawn from half of the time."""

    def __init__(self, strings: Sequence[str]) -> None:
        self.strings = list(dict.fromkeys([*strings, *AWKWARD_STRINGS]))


def _is_repeated(field: Any) -> bool:
    repeated = getattr(field, "is_repeated", None)  # protobuf 6+; older releases have only `label`
    if repeated is None:
        return bool(field.label == FieldDescriptor.LABEL_REPEATED)
    return bool(repeated)


def _is_map(field: Any) -> bool:
    return field.type == FieldDescriptor.TYPE_MESSAGE and bool(field.message_type.GetOptions().map_entry)


def scalars(field: Any, pool: Pool) -> st.SearchStrategy[Any]:
    """Values for one scalar field: edge values, the pool, and anything of the type."""
    kind = field.type
    if kind == FieldDescriptor.TYPE_STRING:
        return st.one_of(st.sampled_from(pool.strings), st.text(max_size=40))
    if kind == FieldDescriptor.TYPE_BYTES:
        return st.binary(max_size=64)
    if kind == FieldDescriptor.TYPE_BOOL:
        return st.booleans()
    if kind == FieldDescriptor.TYPE_ENUM:
        defined = sorted(field.enum_type.values_by_number)
        return st.one_of(st.sampled_from(defined), st.integers(-3, 120))  # proto3 enums keep unknown numbers
    if kind in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
        width = 32 if kind == FieldDescriptor.TYPE_FLOAT else 64
        return st.one_of(st.sampled_from([0.0, -1.0, float("nan"), float("inf")]), st.floats(width=width))
    low, high = INT_RANGES[kind]
    edges = sorted({low, high, 0, 1, max(low, -1), 5, 100})
    return st.one_of(st.sampled_from(edges), st.integers(low, high))


@st.composite
def messages(draw: st.DrawFn, descriptor: Any, pool: Pool, depth: int = MAX_DEPTH) -> Message:
    """A message of `descriptor`'s type with a few fields set, nesting at most `depth` levels."""
    message = message_factory.GetMessageClass(descriptor)()
    if depth <= 0 or not descriptor.fields:
        return message
    chosen = draw(st.lists(st.sampled_from(list(descriptor.fields)), max_size=MAX_FIELDS, unique_by=lambda f: f.number))
    for field in chosen:
        set_field(draw, message, field, pool, depth - 1)
    return message


def set_field(draw: st.DrawFn, message: Any, field: Any, pool: Pool, depth: int) -> None:
    """Gives `field` of `message` a generated value (replacing what it held)."""
    name = field.name
    if _is_map(field):
        key_field, value_field = field.message_type.fields_by_name["key"], field.message_type.fields_by_name["value"]
        container = getattr(message, name)
        for _ in range(draw(st.integers(0, MAX_ITEMS))):
            key = draw(scalars(key_field, pool))
            if value_field.type == FieldDescriptor.TYPE_MESSAGE:
                container[key].CopyFrom(draw(messages(value_field.message_type, pool, depth)))
            else:
                container[key] = draw(scalars(value_field, pool))
    elif _is_repeated(field):
        message.ClearField(name)
        container = getattr(message, name)
        for _ in range(draw(st.integers(0, MAX_ITEMS))):
            if field.type == FieldDescriptor.TYPE_MESSAGE:
                container.add().CopyFrom(draw(messages(field.message_type, pool, depth)))
            else:
                container.append(draw(scalars(field, pool)))
    elif field.type == FieldDescriptor.TYPE_MESSAGE:
        getattr(message, name).SetInParent()
        getattr(message, name).CopyFrom(draw(messages(field.message_type, pool, depth)))
    else:
        setattr(message, name, draw(scalars(field, pool)))


def mutations(seed: Message, pool: Pool, fresh_versions: bool = False) -> st.SearchStrategy[Message]:
    """`seed` with one or two fields changed to a generated value or cleared, each picked evenly among every field
    of every message present in the seed (so `event.error.kind` is as likely as `request_id`); with
    `fresh_versions`, its identifiers (`id`, `spec.template.id`) mostly get a version never registered."""
    targets = _targets(seed)
    if not targets:
        return st.just(seed)
    return _mutated(seed, targets, pool, fresh_versions)


@st.composite
def _mutated(
    draw: st.DrawFn, seed: Message, targets: Sequence[tuple[Any, ...]], pool: Pool, fresh_versions: bool
) -> Message:
    message = type(seed)()
    message.CopyFrom(seed)
    if fresh_versions and draw(st.integers(0, 3)) > 0:
        version = f"fz-{draw(st.integers(0, 10**9))}"
        for path in (("id",), ("spec", "template", "id")):
            _set_version(message, path, version)
    for _ in range(draw(st.integers(1, 2))):
        *parents, name = draw(st.sampled_from(targets))
        parent: Any = message
        for step in parents:
            parent = getattr(parent, step) if isinstance(step, str) else getattr(parent, step[0])[step[1]]
        field = parent.DESCRIPTOR.fields_by_name[name]
        if draw(st.integers(0, 4)) == 0:
            parent.ClearField(name)
        else:
            set_field(draw, parent, field, pool, 2)
    return message


def _targets(message: Any, prefix: tuple[Any, ...] = (), depth: int = 0) -> list[tuple[Any, ...]]:
    """Paths to every field of every message present in `message`: a path is the steps (a field name, or a
    (field, index) for an item of a repeated message) to the parent, then the field's name."""
    found: list[tuple[Any, ...]] = []
    for field in message.DESCRIPTOR.fields:
        found.append((*prefix, field.name))
        if depth >= MAX_DEPTH * 3 or field.type != FieldDescriptor.TYPE_MESSAGE or _is_map(field):
            continue
        if _is_repeated(field):
            for index, item in enumerate(list(getattr(message, field.name))[:MAX_ITEMS]):
                found += _targets(item, (*prefix, (field.name, index)), depth + 1)
        elif message.HasField(field.name):
            found += _targets(getattr(message, field.name), (*prefix, field.name), depth + 1)
    return found


def _set_version(message: Any, path: Sequence[str], version: str) -> None:
    for name in path:
        if name not in message.DESCRIPTOR.fields_by_name:
            return
        message = getattr(message, name)
    if "version" in message.DESCRIPTOR.fields_by_name:
        message.version = version


@st.composite
def corrupted(draw: st.DrawFn, body: bytes) -> bytes:
    """The serialized bytes with one byte-level change: a flipped byte, a cut, an inserted run, a doubled span."""
    if not body:
        return draw(st.binary(min_size=1, max_size=32))
    kind = draw(st.sampled_from(["flip", "cut", "insert", "double"]))
    at = draw(st.integers(0, len(body) - 1))
    if kind == "flip":
        return body[:at] + bytes([body[at] ^ draw(st.integers(1, 255))]) + body[at + 1 :]
    if kind == "cut":
        return body[:at]
    if kind == "insert":
        return body[:at] + draw(st.binary(min_size=1, max_size=16)) + body[at:]
    end = draw(st.integers(at, len(body)))
    return body[:end] + body[at:end] + body[end:]


def request_bodies(
    descriptor: Any, seeds: Sequence[Message], pool: Pool, *, fresh_versions: bool = False
) -> st.SearchStrategy[bytes]:
    """Serialized requests: generated from the descriptor, mutated from seeds, and a few corrupted on the wire."""
    structured: list[st.SearchStrategy[Message]] = [messages(descriptor, pool)]
    structured += [mutations(seed, pool, fresh_versions) for seed in seeds]
    serialized = st.one_of(structured).map(lambda message: message.SerializeToString())
    return st.one_of(serialized, serialized, serialized, serialized.flatmap(corrupted))
