"""List results carry shortened error messages, as flyteadmin's do (Get results carry them whole)."""

from __future__ import annotations

__all__ = ["TRIMMED_ERROR_BYTES", "trim_error_message"]

TRIMMED_ERROR_BYTES = 100


def trim_error_message(message: str) -> str:
    """The first 100 bytes of an error message, cut back to valid UTF-8."""
    encoded = message.encode()
    if len(encoded) <= TRIMMED_ERROR_BYTES:
        return message
    return encoded[:TRIMMED_ERROR_BYTES].decode(errors="ignore")
