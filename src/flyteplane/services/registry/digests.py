"""Digests decide whether a re-registration is identical; diffs tell the user what changed when it is not."""

from __future__ import annotations

import difflib
import hashlib
import json

from google.protobuf import json_format, text_format
from google.protobuf.message import Message

MAX_DIFF_LINES = 200


def digest(message: Message) -> str:
    """SHA-256 of the deterministic serialization: equal specs give equal digests, in any process."""
    return hashlib.sha256(message.SerializeToString(deterministic=True)).hexdigest()


def _json_lines(message: Message) -> list[str]:
    return json.dumps(json_format.MessageToDict(message), indent=2, sort_keys=True).splitlines()


def _lines(existing: Message, requested: Message) -> tuple[list[str], list[str]]:
    """Both as JSON lines; both in the text format when JSON cannot hold either (a Duration beyond 10,000 years,
    NaN in a Struct), which a spec stored before such values were refused at the door may still carry."""
    try:
        return _json_lines(existing), _json_lines(requested)
    except (json_format.Error, ValueError):
        return text_format.MessageToString(existing).splitlines(), text_format.MessageToString(requested).splitlines()


def diff(existing: Message, requested: Message) -> str:
    """A unified diff of the two messages as JSON, so the error names exactly the fields that differ."""
    before, after = _lines(existing, requested)
    lines = list(difflib.unified_diff(before, after, "registered", "requested", n=1, lineterm=""))
    if len(lines) > MAX_DIFF_LINES:
        lines = [*lines[:MAX_DIFF_LINES], f"... ({len(lines) - MAX_DIFF_LINES} more lines)"]
    return "\n".join(lines)
