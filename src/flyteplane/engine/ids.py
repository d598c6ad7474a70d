"""Flyte's identifiers for things the engine creates: unique node ids, attempt ids, child execution names."""

from __future__ import annotations

import base64
import hashlib

__all__ = ["attempt_id", "child_execution_name", "raw_output_shard", "unique_node_id"]

MAX_UNIQUE_ID = 20
_BASE32_CUSTOM = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", b"abcdefghijklmnopqrstuvwxyz123456")


def _fnv32a(text: str) -> int:
    value = 0x811C9DC5
    for byte in text.encode():
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


def _fnv64a(text: str) -> int:
    value = 0xCBF29CE484222325
    for byte in text.encode():
        value = ((value ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return value


def _fixed_length(text: str, max_length: int, wide: bool) -> str:
    if len(text) <= max_length:
        return text
    digest = _fnv64a(text).to_bytes(8, "big") if wide else _fnv32a(text).to_bytes(4, "big")
    return "f" + base64.b32encode(digest).translate(_BASE32_CUSTOM).decode().rstrip("=").lower()


def unique_node_id(parent_unique_id: str, parent_attempt: int | None, spec_node_id: str) -> str:
    """`<parent>-<attempt>-<spec id>` for nested nodes, the spec id at top level; hashed when over 20 chars."""
    if not parent_unique_id:
        return spec_node_id
    joined = "-".join(part for part in (parent_unique_id, str(parent_attempt or 0), spec_node_id) if part)
    return _fixed_length(joined, MAX_UNIQUE_ID, wide=False)


def child_execution_name(parent_execution: str, node_unique_id: str, attempt: int) -> str:
    """The name a launch-plan node gives its child execution: stable, so relaunching after a crash is idempotent."""
    return _fixed_length(f"{parent_execution}-{node_unique_id}-{attempt}", MAX_UNIQUE_ID, wide=True)


def attempt_id(project: str, domain: str, execution: str, node_unique_id: str, attempt: int) -> str:
    """A stable, filesystem-safe id for one task attempt (the executor's handle)."""
    readable = f"{execution}-{node_unique_id}-{attempt}"
    digest = hashlib.sha256(f"{project}/{domain}/{readable}".encode()).hexdigest()[:10]
    safe = "".join(c if (c.isascii() and c.isalnum()) or c in "-_" else "_" for c in readable)[:80]
    return f"{safe}-{digest}"


def raw_output_shard(unique_id: str) -> str:
    """Two characters spreading raw outputs over prefixes, as propeller's sharded raw output paths do."""
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    index = _fnv32a(unique_id) % (len(alphabet) ** 2)
    return alphabet[index // len(alphabet)] + alphabet[index % len(alphabet)]
