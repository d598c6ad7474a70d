"""RawSynchronousFlyteClient: every RPC of the five services as a blocking method taking and returning messages."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from os import PathLike
from types import TracebackType
from typing import Any, TypeVar

import grpc

from flyteplane.client.channel import ChannelOption, open_channel
from flyteplane.client.config import PlatformConfig
from flyteplane.client.interceptors import DefaultMetadataInterceptor, ExceptionInterceptor, RetryInterceptor
from flyteplane.client.raw_methods import SyncRawRpcs
from flyteplane.client.rpc_method import Metadata, request_message
from flyteplane.client.rpcs import RpcSpec

__all__ = ["ConfiguredClient", "RawSynchronousFlyteClient"]

C = TypeVar("C", bound="ConfiguredClient")


class ConfiguredClient:
    """What the raw clients share: the config, and the ways to build one from an endpoint or a certificate."""

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

    def _timeout(self, timeout: float | None) -> float | None:
        return self._config.default_deadline if timeout is None else timeout


class RawSynchronousFlyteClient(SyncRawRpcs, ConfiguredClient):
    """A thin blocking client: `client.create_task(TaskCreateRequest(...))` returns a `TaskCreateResponse`.

    Every call carries the default metadata, is retried on transient failures with backoff, and fails with one of
    `flyteplane.client.exceptions`. `credentials` replaces the TLS credentials the config implies; `options` are
    extra channel options; `interceptors` run inside the retry loop (once per attempt), e.g. to add a fresh token.
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
        chain = [
            ExceptionInterceptor(),
            RetryInterceptor(self._config.retry),
            *interceptors,
            DefaultMetadataInterceptor(self._config.metadata),
        ]
        self._channel = open_channel(self._config, chain, credentials, options)
        self._callables: dict[str, Any] = {}

    @property
    def channel(self) -> grpc.Channel:
        return self._channel

    def invoke(
        self, rpc: RpcSpec, request: Any = None, *, timeout: float | None = None, metadata: Metadata | None = None
    ) -> Any:
        """Sends `request` (None: an empty request) as `rpc` and returns the response message."""
        message = request_message(rpc, request)
        send = self._callables.get(rpc.path)
        if send is None:
            send = self._callables.setdefault(
                rpc.path,
                self._channel.unary_unary(
                    rpc.path,
                    request_serializer=rpc.request_type.SerializeToString,
                    response_deserializer=rpc.response_type.FromString,
                ),
            )
        return send(message, timeout=self._timeout(timeout), metadata=metadata)

    def close(self) -> None:
        self._channel.close()

    def __enter__(self) -> RawSynchronousFlyteClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
