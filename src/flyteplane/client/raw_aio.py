"""RawAsyncFlyteClient: the raw client on grpc.aio; `await client.get_task(request)`."""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import Any

import grpc
import grpc.aio

from flyteplane.client.aio_interceptors import (
    AioDefaultMetadataInterceptor,
    AioExceptionInterceptor,
    AioRetryInterceptor,
)
from flyteplane.client.channel import ChannelOption, open_aio_channel
from flyteplane.client.config import PlatformConfig
from flyteplane.client.raw import ConfiguredClient
from flyteplane.client.raw_methods import AsyncRawRpcs
from flyteplane.client.rpc_method import Metadata, request_message
from flyteplane.client.rpcs import RpcSpec

__all__ = ["RawAsyncFlyteClient"]


class RawAsyncFlyteClient(AsyncRawRpcs, ConfiguredClient):
    """The same methods as RawSynchronousFlyteClient, each returning an awaitable.

    The channel opens on the first call, so the client can be built outside the event loop that uses it; one
    client belongs to one event loop.
    """

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
        self._extra_interceptors = tuple(interceptors)
        self._channel: grpc.aio.Channel | None = None
        self._callables: dict[str, Any] = {}

    @property
    def channel(self) -> grpc.aio.Channel:
        if self._channel is None:
            chain = [
                AioExceptionInterceptor(),
                AioRetryInterceptor(self._config.retry),
                *self._extra_interceptors,
                AioDefaultMetadataInterceptor(self._config.metadata),
            ]
            self._channel = open_aio_channel(self._config, chain, self._credentials, self._options)
        return self._channel

    async def invoke(
        self, rpc: RpcSpec, request: Any = None, *, timeout: float | None = None, metadata: Metadata | None = None
    ) -> Any:
        """Sends `request` (None: an empty request) as `rpc` and returns the response message."""
        message = request_message(rpc, request)
        send = self._callables.get(rpc.path)
        if send is None:
            send = self._callables.setdefault(
                rpc.path,
                self.channel.unary_unary(
                    rpc.path,
                    request_serializer=rpc.request_type.SerializeToString,
                    response_deserializer=rpc.response_type.FromString,
                ),
            )
        return await send(message, timeout=self._timeout(timeout), metadata=metadata)

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
