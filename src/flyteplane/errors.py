"""The project's own errors: services raise these, the API layer maps them to gRPC status codes.

Services know nothing of gRPC; each error names the Flyte condition it stands for.
"""

from __future__ import annotations

__all__ = [
    "AlreadyExists",
    "AlreadyInTerminalState",
    "FailedPrecondition",
    "FlyteplaneError",
    "InvalidArgument",
    "NotFound",
    "PermissionDenied",
    "ResourceExhausted",
    "Unauthenticated",
    "Unimplemented",
]


class FlyteplaneError(Exception):
    """Base of every error a user can cause; `message` is what the client sees."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidArgument(FlyteplaneError):
    """The request is malformed or violates a rule (gRPC INVALID_ARGUMENT)."""


class NotFound(FlyteplaneError):
    """The entity the request names does not exist (gRPC NOT_FOUND)."""


class PermissionDenied(FlyteplaneError):
    """The caller may not make this request here, whatever it contains (gRPC PERMISSION_DENIED)."""


class AlreadyExists(FlyteplaneError):
    """An entity with this identity already exists (gRPC ALREADY_EXISTS)."""


class FailedPrecondition(FlyteplaneError):
    """The entity is in a state that forbids the request (gRPC FAILED_PRECONDITION)."""


class AlreadyInTerminalState(FailedPrecondition):
    """An event for an entity that already reached a terminal phase; nothing can change it any more.

    The engine re-sends events after a crash, so for it this means "already recorded", like AlreadyExists."""

    def __init__(self, message: str, current_phase: str) -> None:
        super().__init__(message)
        self.current_phase = current_phase


class ResourceExhausted(FlyteplaneError):
    """A size or rate limit was exceeded (gRPC RESOURCE_EXHAUSTED)."""


class Unimplemented(FlyteplaneError):
    """The RPC is part of the API but not available yet (gRPC UNIMPLEMENTED)."""


class Unauthenticated(FlyteplaneError):
    """The caller must authenticate (gRPC UNAUTHENTICATED)."""
