"""The friendly clients: flytekit's client API on flyteplane's raw client, with no flytekit needed.

SynchronousFlyteClient and AsyncFlyteClient are one definition, `FriendlyClient`: the same operations (each builds
a Call, see `calls`), the same cache and the same construction. They differ only in how they wait for an answer:
one blocks, the other awaits (`await client.get_task(id)`, `async for task in client.iter_tasks(...)`).
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from os import PathLike
from types import TracebackType
from typing import Any, ClassVar, Generic, TypeVar, cast

import grpc

from flyteplane.client.cache import ResponseCache, cached_response, remember_response
from flyteplane.client.calls import AsyncRunner, Call, SyncRunner
from flyteplane.client.channel import ChannelOption
from flyteplane.client.config import PlatformConfig
from flyteplane.client.operations import FlyteOperations
from flyteplane.client.raw import (
    AsyncRawRpcs,
    ConfiguredClient,
    RawAsyncFlyteClient,
    RawClient,
    RawSynchronousFlyteClient,
    SyncRawRpcs,
)

__all__ = ["DEFAULT_CACHE_SIZE", "AsyncFlyteClient", "FriendlyClient", "SynchronousFlyteClient"]

R = TypeVar("R")
RawT = TypeVar("RawT", SyncRawRpcs, AsyncRawRpcs)
F = TypeVar("F", bound="FriendlyClient[Any]")
DEFAULT_CACHE_SIZE = 256


class FriendlyClient(FlyteOperations, Generic[RawT]):
    """Flyte Admin's API with Python arguments: `SynchronousFlyteClient("localhost:30080", insecure=True)`.

    Methods take flyteidl messages or anything with `to_flyte_idl()` (flytekit's models) and return flyteidl
    messages. Listings return `(items, next_token)`; the `iter_*` methods walk every page. get_task, get_workflow
    and get_launch_plan are served from an LRU cache of `cache_size` responses after the first fetch. `raw`
    is the raw client underneath (built from the other arguments unless given), for RPCs with no friendly method.
    """

    _raw_type: ClassVar[type[RawClient[Any]]]
    """The raw client built when none is given."""

    def __init__(
        self,
        cfg: PlatformConfig | str | Any = None,
        *,
        insecure: bool | None = None,
        credentials: grpc.ChannelCredentials | None = None,
        options: Sequence[ChannelOption] = (),
        interceptors: Sequence[Any] = (),
        cache_size: int = DEFAULT_CACHE_SIZE,
        raw: RawT | None = None,
    ) -> None:
        if raw is None:
            built = self._raw_type(
                cfg, insecure=insecure, credentials=credentials, options=options, interceptors=interceptors
            )
            raw = cast(RawT, built)  # each subclass's _raw_type is its RawT
        self._raw: RawT = raw
        self._config = raw.config if isinstance(raw, ConfiguredClient) else PlatformConfig.coerce(cfg, insecure)
        self._cache = ResponseCache(cache_size)

    @classmethod
    def with_root_certificate(cls: type[F], cfg: PlatformConfig | str | Any, root_cert_file: str | PathLike[str]) -> F:
        """A client speaking TLS and trusting only the certificate authority in `root_cert_file` (PEM)."""
        return cls(raw=cls._raw_type.with_root_certificate(cfg, root_cert_file))

    @property
    def raw(self) -> RawT:
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

    def _close_raw(self) -> Any:
        """What closing the raw client returns (an awaitable for an asyncio one); nothing if it cannot close."""
        close = getattr(self._raw, "close", None)
        return close() if callable(close) else None


class SynchronousFlyteClient(FriendlyClient[SyncRawRpcs], SyncRunner):
    """The blocking friendly client (see FriendlyClient), on a RawSynchronousFlyteClient."""

    _raw_type = RawSynchronousFlyteClient

    def run(self, call: Call[R]) -> R:
        """Makes one friendly call: from the cache when it can, else through the raw client."""
        key, response = cached_response(self._cache, call)
        if response is None:
            response = self._raw.invoke(call.rpc, call.request)
            remember_response(self._cache, call, key, response)
        return call.result(response)

    def close(self) -> None:
        self._close_raw()

    def __enter__(self) -> SynchronousFlyteClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class AsyncFlyteClient(FriendlyClient[AsyncRawRpcs], AsyncRunner):
    """The asyncio friendly client (see FriendlyClient), on a RawAsyncFlyteClient.

    The operations are the very ones SynchronousFlyteClient runs (same requests, same results, same cache
    rules); only the waiting differs. The channel opens on the first call, in the running event loop.
    """

    _raw_type = RawAsyncFlyteClient

    async def run(self, call: Call[R]) -> R:
        """Makes one friendly call: from the cache when it can, else through the raw client."""
        key, response = cached_response(self._cache, call)
        if response is None:
            response = await self._raw.invoke(call.rpc, call.request)
            remember_response(self._cache, call, key, response)
        return call.result(response)

    async def close(self) -> None:
        closing = self._close_raw()
        if inspect.isawaitable(closing):
            await closing

    async def __aenter__(self) -> AsyncFlyteClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
