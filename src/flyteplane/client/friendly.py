"""SynchronousFlyteClient: flytekit's friendly client API, on flyteplane's raw client, with no flytekit needed."""

from __future__ import annotations

from collections.abc import Sequence
from os import PathLike
from types import TracebackType
from typing import Any, TypeVar

import grpc

from flyteplane.client.cache import ResponseCache, cached_response, remember_response
from flyteplane.client.calls import Call, SyncRunner
from flyteplane.client.channel import ChannelOption
from flyteplane.client.config import PlatformConfig
from flyteplane.client.operations import FlyteOperations
from flyteplane.client.raw import ConfiguredClient, RawSynchronousFlyteClient, SyncRawRpcs

__all__ = ["DEFAULT_CACHE_SIZE", "SynchronousFlyteClient"]

R = TypeVar("R")
DEFAULT_CACHE_SIZE = 256


class SynchronousFlyteClient(FlyteOperations, SyncRunner):
    """Flyte Admin's API with Python arguments: `SynchronousFlyteClient("localhost:30080", insecure=True)`.

    Methods take flyteidl messages or anything with `to_flyte_idl()` (flytekit's models) and return flyteidl
    messages. Listings return `(items, next_token)`; the `iter_*` methods walk every page. get_task, get_workflow
    and get_launch_plan are served from an LRU cache of `cache_size` responses after the first fetch. `raw`
    is the RawSynchronousFlyteClient underneath, for RPCs with no friendly method.
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
        raw: SyncRawRpcs | None = None,
    ) -> None:
        if raw is None:
            raw = RawSynchronousFlyteClient(
                cfg, insecure=insecure, credentials=credentials, options=options, interceptors=interceptors
            )
        self._raw = raw
        self._config = raw.config if isinstance(raw, ConfiguredClient) else PlatformConfig.coerce(cfg, insecure)
        self._cache = ResponseCache(cache_size)

    @classmethod
    def with_root_certificate(
        cls, cfg: PlatformConfig | str | Any, root_cert_file: str | PathLike[str]
    ) -> SynchronousFlyteClient:
        """A client speaking TLS and trusting only the certificate authority in `root_cert_file` (PEM)."""
        return cls(raw=RawSynchronousFlyteClient.with_root_certificate(cfg, root_cert_file))

    @property
    def raw(self) -> SyncRawRpcs:
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

    def run(self, call: Call[R]) -> R:
        """Makes one friendly call: from the cache when it can, else through the raw client."""
        key, hit = cached_response(self._cache, call)
        if hit is not None:
            return call.result(hit)
        response = self._raw.invoke(call.rpc, call.request)
        remember_response(self._cache, call, key, response)
        return call.result(response)

    def close(self) -> None:
        close = getattr(self._raw, "close", None)
        if callable(close):
            close()

    def __enter__(self) -> SynchronousFlyteClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
