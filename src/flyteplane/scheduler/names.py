"""Deterministic names of scheduled executions, as flyteadmin's native scheduler makes them.

The name depends only on the launch plan version and the scheduled time, so two schedulers (replicas, or one
before and after a restart) firing the same time create the same execution, and the second is told it exists.
"""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime

__all__ = ["fnv1_64", "scheduled_execution_name"]

_FNV_OFFSET = 0xCBF29CE484222325
_FNV_PRIME = 0x100000001B3
_MASK = 2**64 - 1


def fnv1_64(data: bytes) -> int:
    """FNV-1 (multiply, then xor), 64 bits: Go's `hash/fnv.New64`."""
    value = _FNV_OFFSET
    for byte in data:
        value = (value * _FNV_PRIME) & _MASK
        value ^= byte
    return value


def scheduled_execution_name(project: str, domain: str, name: str, version: str, scheduled_at: datetime) -> str:
    """`f` and the first 19 hex digits of a UUID whose first 8 bytes are the little-endian FNV-1 hash of
    `<project>:<domain>:<name>:<version>:<unix seconds>` (the rest zero): 20 characters, a valid execution name."""
    moment = scheduled_at if scheduled_at.tzinfo else scheduled_at.replace(tzinfo=UTC)
    seconds = math.floor(moment.timestamp())
    digest = fnv1_64(f"{project}:{domain}:{name}:{version}:{seconds}".encode())
    return "f" + uuid.UUID(bytes=digest.to_bytes(8, "little") + bytes(8)).hex[:19]
