"""Digests decide whether a re-registration is identical; diffs tell the user what changed when it is not."""

from __future__ import annotations

import difflib
import hashlib
import json

from google.protobuf.json_format import MessageToDict
from google.protobuf.message import Message

MAX_DIFF_LINES = 200


def digest(message: Message) -> str:
    """SHA-256 of the deterministic serialization: equal specs give equal digests, in any process."""
    return hashlib.sha256(message.SerializeToString(deterministic=True)).hexdigest()


def _lines(message: Message) -> list[str]:
    return json.dumps(MessageToDict(message), indent=2, sort_keys=True).splitlines()


def diff(existing: Message, requested: Message) -> str:
    """A unified diff of the two messages as JSON, so the error names exactly the fields that differ."""
    lines = list(difflib.unified_diff(_lines(existing), _lines(requested), "registered", "requested", n=1, lineterm=""))
    if len(lines) > MAX_DIFF_LINES:
        lines = [*lines[:MAX_DIFF_LINES], f"... ({len(lines) - MAX_DIFF_LINES} more lines)"]
    return "\n".join(lines)
