"""Interceptors for blocking channels: default metadata, retry with backoff, and gRPC status -> exception.

They are ordinary grpc interceptors, so they also work on a channel built by hand:
`grpc.intercept_channel(channel, ExceptionInterceptor(), RetryInterceptor(policy), DefaultMetadataInterceptor())`
(the first is the outermost).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any, NamedTuple

import grpc

from flyteplane.client.exceptions import exception_for
from flyteplane.client.retry import RetryPolicy
from flyteplane.client.rpc_method import Metadata

__all__ = [
    "DEFAULT_METADATA",
    "DefaultMetadataInterceptor",
    "ExceptionInterceptor",
    "RetryInterceptor",
    "with_default_metadata",
]

Continuation = Callable[[Any, Any], Any]  # grpc reads the details by attribute only

DEFAULT_METADATA: tuple[tuple[str, str], ...] = (("accept", "application/grpc"),)
"""Some HTTP/2 proxies route on `accept`; flytekit sends the same header."""


class _CallDetails(NamedTuple):
    method: str
    timeout: float | None
    metadata: Metadata | None
    credentials: grpc.CallCredentials | None
    wait_for_ready: bool | None
    compression: grpc.Compression | None


def with_default_metadata(call_metadata: Metadata | None, defaults: Metadata) -> list[tuple[str, str | bytes]]:
    """The call's own metadata plus every default whose key the call does not already set."""
    own = list(call_metadata or ())
    keys = {key for key, _ in own}
    return own + [(key, value) for key, value in defaults if key not in keys]


def _failure(outcome: Any) -> grpc.RpcError | None:
    """The RpcError a finished call ended with, None when it succeeded (or failed in some other way)."""
    error = outcome.exception()
    return error if isinstance(error, grpc.RpcError) else None


class DefaultMetadataInterceptor(grpc.UnaryUnaryClientInterceptor):  # type: ignore[type-arg]
    """Adds `accept: application/grpc` and the configured metadata to every call."""

    def __init__(self, metadata: Metadata = ()) -> None:
        self._metadata = tuple(DEFAULT_METADATA) + tuple(metadata)

    def intercept_unary_unary(self, continuation: Continuation, client_call_details: Any, request: Any) -> Any:
        details = _CallDetails(
            client_call_details.method,
            client_call_details.timeout,
            with_default_metadata(client_call_details.metadata, self._metadata),
            client_call_details.credentials,
            getattr(client_call_details, "wait_for_ready", None),
            getattr(client_call_details, "compression", None),
        )
        return continuation(details, request)


class RetryInterceptor(grpc.UnaryUnaryClientInterceptor):  # type: ignore[type-arg]
    """Repeats a call that failed with a retryable status, sleeping `policy.delay(n)` between attempts.

    `sleep` and `random` are seams for tests. Each attempt gets the call's full timeout.
    """

    def __init__(
        self,
        policy: RetryPolicy,
        sleep: Callable[[float], None] = time.sleep,
        random: Callable[[], float] = random.random,
    ) -> None:
        self.policy = policy
        self._sleep = sleep
        self._random = random

    def intercept_unary_unary(self, continuation: Continuation, client_call_details: Any, request: Any) -> Any:
        retries = 0
        while True:
            outcome = continuation(client_call_details, request)
            error = _failure(outcome)
            if error is None or not self.policy.should_retry(error.code(), error.details(), retries):  # type: ignore[attr-defined]
                return outcome
            self._sleep(self.policy.delay(retries, self._random))
            retries += 1


class ExceptionInterceptor(grpc.UnaryUnaryClientInterceptor):  # type: ignore[type-arg]
    """Raises the client's exception for a failed call, chained to the original `grpc.RpcError`."""

    def intercept_unary_unary(self, continuation: Continuation, client_call_details: Any, request: Any) -> Any:
        outcome = continuation(client_call_details, request)
        error = _failure(outcome)
        if error is not None:
            code, details = error.code(), error.details()  # type: ignore[attr-defined]
            raise exception_for(code, details, client_call_details.method, request) from error
        return outcome
