"""The asyncio twins of `interceptors`: same policy and same exceptions, awaiting instead of blocking."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import Any

import grpc
import grpc.aio

from flyteplane.client.exceptions import exception_for
from flyteplane.client.interceptors import DEFAULT_METADATA, with_default_metadata
from flyteplane.client.retry import RetryPolicy
from flyteplane.client.rpc_method import Metadata

__all__ = ["AioDefaultMetadataInterceptor", "AioExceptionInterceptor", "AioRetryInterceptor"]

AioContinuation = Callable[[grpc.aio.ClientCallDetails, Any], Awaitable[Any]]


class AioDefaultMetadataInterceptor(grpc.aio.UnaryUnaryClientInterceptor):  # type: ignore[type-arg]
    """Adds `accept: application/grpc` and the configured metadata to every call."""

    def __init__(self, metadata: Metadata = ()) -> None:
        self._metadata = tuple(DEFAULT_METADATA) + tuple(metadata)

    async def intercept_unary_unary(
        self, continuation: AioContinuation, client_call_details: grpc.aio.ClientCallDetails, request: Any
    ) -> Any:
        pairs = with_default_metadata(list(client_call_details.metadata or ()), self._metadata)
        details = grpc.aio.ClientCallDetails(
            client_call_details.method,
            client_call_details.timeout,
            grpc.aio.Metadata(*pairs),
            client_call_details.credentials,
            client_call_details.wait_for_ready,
        )
        return await continuation(details, request)


class AioRetryInterceptor(grpc.aio.UnaryUnaryClientInterceptor):  # type: ignore[type-arg]
    """Repeats a call that failed with a retryable status, awaiting `policy.delay(n)` between attempts."""

    def __init__(
        self,
        policy: RetryPolicy,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        random: Callable[[], float] = random.random,
    ) -> None:
        self.policy = policy
        self._sleep = sleep
        self._random = random

    async def intercept_unary_unary(
        self, continuation: AioContinuation, client_call_details: grpc.aio.ClientCallDetails, request: Any
    ) -> Any:
        retries = 0
        while True:
            call = await continuation(client_call_details, request)
            code = await call.code()
            if code == grpc.StatusCode.OK or not self.policy.should_retry(code, await call.details(), retries):
                return call
            await self._sleep(self.policy.delay(retries, self._random))
            retries += 1


class AioExceptionInterceptor(grpc.aio.UnaryUnaryClientInterceptor):  # type: ignore[type-arg]
    """Raises the client's exception for a failed call instead of `grpc.aio.AioRpcError`."""

    async def intercept_unary_unary(
        self, continuation: AioContinuation, client_call_details: grpc.aio.ClientCallDetails, request: Any
    ) -> Any:
        call = await continuation(client_call_details, request)
        try:
            await call
        except grpc.aio.AioRpcError as error:
            method = client_call_details.method
            rpc = method.decode() if isinstance(method, bytes) else str(method)
            raise exception_for(error.code(), error.details(), rpc, request) from error
        return call
