"""The raw clients: every RPC of the five services as a method taking and returning flyteidl messages.

RawSynchronousFlyteClient blocks; RawAsyncFlyteClient (grpc.aio) returns awaitables. Both are one definition,
`RawClient`: the config, the channel with the client's interceptors, and one gRPC callable per RPC. Each subclass
only says which channel it opens and whether it awaits the answer.
"""

from __future__ import annotations

import dataclasses
from abc import abstractmethod
from collections.abc import Sequence
from os import PathLike
from types import TracebackType
from typing import Any, ClassVar, Generic, TypeVar

import grpc
import grpc.aio

from flyteplane.client.channel import ChannelOption, open_aio_channel, open_channel
from flyteplane.client.config import PlatformConfig
from flyteplane.client.raw_methods import RawRpcMethods
from flyteplane.client.rpc_method import AsyncInvoker, Metadata, SyncInvoker, request_message
from flyteplane.client.rpcs import RpcSpec

__all__ = [
    "AsyncRawRpcs",
    "ConfiguredClient",
    "RawAsyncFlyteClient",
    "RawClient",
    "RawSynchronousFlyteClient",
    "SyncRawRpcs",
]

C = TypeVar("C", bound="ConfiguredClient")
ChannelT = TypeVar("ChannelT", grpc.Channel, grpc.aio.Channel)


class SyncRawRpcs(RawRpcMethods, SyncInvoker):
    """A blocking raw client: every RPC method, sent through `invoke` (a seam for fakes in tests)."""


class AsyncRawRpcs(RawRpcMethods, AsyncInvoker):
    """An asyncio raw client: every RPC method, awaitable, sent through `invoke`."""


class ConfiguredClient:
    """What every client shares: the config, and the ways to build one from an endpoint or a certificate."""

    def __init__(self, cfg: PlatformConfig | str | Any = None, *, insecure: bool | None = None) -> None:
        self._config = PlatformConfig.coerce(cfg, insecure)

    @classmethod
    def with_root_certificate(cls: type[C], cfg: PlatformConfig | str | Any, root_cert_file: str | PathLike[str]) -> C:
        """A client speaking TLS and trusting only the certificate authority in `root_cert_file` (PEM)."""
        config = PlatformConfig.coerce(cfg)
        return cls(dataclasses.replace(config, insecure=False, ca_cert_file_path=str(root_cert_file)))

    @property
    def config(self) -> PlatformConfig:
        return self._config

    @property
    def url(self) -> str:
        """The endpoint, as flytekit's client calls it."""
        return self._config.endpoint


class RawClient(ConfiguredClient, Generic[ChannelT]):
    """A raw client on a gRPC channel: `client.create_task(TaskCreateRequest(...))` answers a `TaskCreateResponse`.

    Every call carries the default metadata, is retried on transient failures with backoff, and fails with one of
    `flyteplane.client.exceptions`. `credentials` replaces the TLS credentials the config implies; `options` are
    extra channel options; `interceptors` run inside the retry loop (once per attempt), e.g. to add a fresh token.
    """

    _opens_at_construction: ClassVar[bool]

    def __init__(
        self,
        cfg: PlatformConfig | str | Any = None,
        *,
        insecure: bool | None = None,
        credentials: grpc.ChannelCredentials | None = None,
        options: Sequence[ChannelOption] = (),
        interceptors: Sequence[Any] = (),
    ) -> None:
        super().__init__(cfg, insecure=insecure)
        self._credentials = credentials
        self._options = tuple(options)
        self._interceptors = tuple(interceptors)
        self._channel: ChannelT | None = None
        self._callables: dict[str, Any] = {}
        if self._opens_at_construction:
            self._channel = self._open()

    @abstractmethod
    def _open(self) -> ChannelT: ...

    @property
    def channel(self) -> ChannelT:
        if self._channel is None:
            self._channel = self._open()
        return self._channel

    def _send(self, rpc: RpcSpec, request: Any, timeout: float | None, metadata: Metadata | None) -> Any:
        """Starts the call: the response on a blocking channel, an awaitable of it on an asyncio one."""
        message = request_message(rpc, request)
        callable_ = self._callables.get(rpc.path)
        if callable_ is None:
            callable_ = self._callables.setdefault(
                rpc.path,
                self.channel.unary_unary(
                    rpc.path,
                    request_serializer=rpc.request_type.SerializeToString,
                    response_deserializer=rpc.response_type.FromString,
                ),
            )
        deadline = self._config.default_deadline if timeout is None else timeout
        return callable_(message, timeout=deadline, metadata=metadata)


class RawSynchronousFlyteClient(SyncRawRpcs, RawClient[grpc.Channel]):
    """The blocking raw client (see RawClient); its channel is opened, not yet connected, at construction."""

    _opens_at_construction = True

    def _open(self) -> grpc.Channel:
        return open_channel(self._config, self._interceptors, self._credentials, self._options)

    def invoke(
        self, rpc: RpcSpec, request: Any = None, *, timeout: float | None = None, metadata: Metadata | None = None
    ) -> Any:
        """Sends `request` (None: an empty request) as `rpc` and returns the response message."""
        return self._send(rpc, request, timeout, metadata)

    def close(self) -> None:
        self.channel.close()

    def __enter__(self) -> RawSynchronousFlyteClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class RawAsyncFlyteClient(AsyncRawRpcs, RawClient[grpc.aio.Channel]):
    """The asyncio raw client (see RawClient): `await client.get_task(request)`.

    The channel opens on the first call, so the client can be built outside the event loop that uses it; one
    client belongs to one event loop.
    """

    _opens_at_construction = False

    def _open(self) -> grpc.aio.Channel:
        return open_aio_channel(self._config, self._interceptors, self._credentials, self._options)

    async def invoke(
        self, rpc: RpcSpec, request: Any = None, *, timeout: float | None = None, metadata: Metadata | None = None
    ) -> Any:
        """Sends `request` (None: an empty request) as `rpc` and returns the response message."""
        return await self._send(rpc, request, timeout, metadata)

    async def close(self) -> None:
        if self._channel is not None:
            await self._channel.close(None)
            self._channel = None
            self._callables.clear()

    async def __aenter__(self) -> RawAsyncFlyteClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
