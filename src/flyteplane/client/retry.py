"""When a failed RPC is worth another attempt, and how long to wait first.

flytekit retries every mapped error three times back to back, NOT_FOUND and ALREADY_EXISTS included, so a missing
entity costs four round trips and an overloaded server gets hammered. Here only failures that a later attempt can
cure are retried, with exponential backoff and full jitter so that many clients do not retry in lockstep.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import grpc

__all__ = ["DEFAULT_RETRYABLE", "NEVER_RETRYABLE", "RetryPolicy"]

DEFAULT_RETRYABLE = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.RESOURCE_EXHAUSTED})
"""Transient by definition: the server is down or restarting, or asks the client to slow down."""

NEVER_RETRYABLE = frozenset(
    {
        grpc.StatusCode.OK,
        grpc.StatusCode.NOT_FOUND,
        grpc.StatusCode.ALREADY_EXISTS,
        grpc.StatusCode.INVALID_ARGUMENT,
        grpc.StatusCode.UNAUTHENTICATED,
        grpc.StatusCode.PERMISSION_DENIED,
        grpc.StatusCode.FAILED_PRECONDITION,
        grpc.StatusCode.OUT_OF_RANGE,
        grpc.StatusCode.UNIMPLEMENTED,
    }
)
"""The same request gets the same answer until someone changes something; repeating it only adds load."""

_TOO_LARGE = "message larger than max"  # grpc's RESOURCE_EXHAUSTED for an oversized message, which never shrinks


@dataclass(frozen=True)
class RetryPolicy:
    """Retries after the first attempt, for `retryable` status codes, waiting `delay(n)` before retry n+1.

    DEADLINE_EXCEEDED is not retried unless added to `retryable`: the server may have done the work already.
    """

    max_retries: int = 3
    initial_backoff: float = 0.2
    max_backoff: float = 5.0
    multiplier: float = 2.0
    retryable: frozenset[grpc.StatusCode] = field(default=DEFAULT_RETRYABLE)

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError(f"max_retries must be 0 or more, got {self.max_retries}")
        if self.initial_backoff < 0 or self.max_backoff < 0 or self.multiplier < 1:
            raise ValueError("backoff times must be 0 or more and the multiplier at least 1")
        hopeless = sorted(code.name for code in self.retryable & NEVER_RETRYABLE)
        if hopeless:
            raise ValueError(f"status codes {', '.join(hopeless)} can never succeed on a retry")

    def should_retry(self, code: grpc.StatusCode, details: str | None, retries_done: int) -> bool:
        """True when another attempt may succeed and the budget allows it."""
        if retries_done >= self.max_retries or code not in self.retryable:
            return False
        return not (code == grpc.StatusCode.RESOURCE_EXHAUSTED and _TOO_LARGE in (details or ""))

    def delay(self, retries_done: int, random: Callable[[], float]) -> float:
        """Seconds to wait before the next attempt: uniform in [0, min(max, initial * multiplier**n))."""
        ceiling = min(self.max_backoff, self.initial_backoff * self.multiplier**retries_done)
        return ceiling * random()
