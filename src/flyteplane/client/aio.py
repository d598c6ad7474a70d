"""AsyncFlyteClient: every method of SynchronousFlyteClient, awaitable, on grpc.aio."""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from os import PathLike
from types import TracebackType
from typing import Any, TypeVar

import grpc

from flyteplane.client.cache import ResponseCache, cached_response, remember_response
from flyteplane.client.calls import AsyncRunner, Call
from flyteplane.client.channel import ChannelOption
from flyteplane.client.config import PlatformConfig
from flyteplane.client.friendly import DEFAULT_CACHE_SIZE
from flyteplane.client.operations import FlyteOperations
from flyteplane.client.raw import AsyncRawRpcs, ConfiguredClient, RawAsyncFlyteClient

__all__ = ["AsyncFlyteClient"]

R = TypeVar("R")


class AsyncFlyteClient(FlyteOperations, AsyncRunner):
    """`await client.get_task(id)`; `async for task in client.iter_tasks(...)`.

    The operations are the very ones SynchronousFlyteClient runs (same requests, same results, same cache
    rules); only the waiting differs. The channel opens on the first call, in the running event loop.
    """

    def __init__(
        self,
        cfg: PlatformConfig | str | Any = None,
        *,
        insecure: bool | None = None,
        credentials: grpc.ChannelCredentials | None = None,
        options: Sequence[ChannelOption] = (),
        interceptors: Sequence[Any] = (),
        cache_size: int = DEFAULT_CACHE_SIZE,
        raw: AsyncRawRpcs | None = None,
    ) -> None:
        if raw is None:
            raw = RawAsyncFlyteClient(
                cfg, insecure=insecure, credentials=credentials, options=options, interceptors=interceptors
            )
        self._raw = raw
        self._config = raw.config if isinstance(raw, ConfiguredClient) else PlatformConfig.coerce(cfg, insecure)
        self._cache = ResponseCache(cache_size)

    @classmethod
    def with_root_certificate(
        cls, cfg: PlatformConfig | str | Any, root_cert_file: str | PathLike[str]
    ) -> AsyncFlyteClient:
        """A client speaking TLS and trusting only the certificate authority in `root_cert_file` (PEM)."""
        return cls(raw=RawAsyncFlyteClient.with_root_certificate(cfg, root_cert_file))

    @property
    def raw(self) -> AsyncRawRpcs:
        return self._raw

    @property
    def config(self) -> PlatformConfig:
        return self._config

    @property
    def url(self) -> str:
        return self._config.endpoint

    @property
    def cache(self) -> ResponseCache:
        return self._cache

    async def run(self, call: Call[R]) -> R:
        """Makes one friendly call: from the cache when it can, else through the raw client."""
        key, hit = cached_response(self._cache, call)
        if hit is not None:
            return call.result(hit)
        response = await self._raw.invoke(call.rpc, call.request)
        remember_response(self._cache, call, key, response)
        return call.result(response)

    async def close(self) -> None:
        close = getattr(self._raw, "close", None)
        if callable(close):
            closing = close()
            if inspect.isawaitable(closing):
                await closing

    async def __aenter__(self) -> AsyncFlyteClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
