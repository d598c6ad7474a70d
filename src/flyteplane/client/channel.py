"""Opening gRPC channels (blocking and asyncio) from a PlatformConfig, with the client's interceptors in place.

Every call on either channel goes through the same chain, outermost first: gRPC status -> the client's exception,
retries with backoff, the caller's own interceptors (so once per attempt, e.g. to add a fresh token), and the
default metadata.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import grpc
import grpc.aio

from flyteplane import __version__
from flyteplane.client.aio_interceptors import (
    AioDefaultMetadataInterceptor,
    AioExceptionInterceptor,
    AioRetryInterceptor,
)
from flyteplane.client.config import PlatformConfig
from flyteplane.client.interceptors import DefaultMetadataInterceptor, ExceptionInterceptor, RetryInterceptor

__all__ = ["ChannelOption", "channel_credentials", "channel_options", "open_aio_channel", "open_channel"]

ChannelOption = tuple[str, Any]


def channel_options(config: PlatformConfig, extra: Sequence[ChannelOption] = ()) -> list[ChannelOption]:
    """Limits and keepalive from the config; `extra` options come last and so win."""
    return [
        ("grpc.max_receive_message_length", config.max_receive_message_length),
        ("grpc.max_send_message_length", config.max_send_message_length),
        ("grpc.max_metadata_size", config.max_metadata_size),
        # Pings let the channel notice a connection silently dropped by a load balancer or NAT.
        ("grpc.keepalive_time_ms", config.keepalive_time_ms),
        ("grpc.keepalive_timeout_ms", config.keepalive_timeout_ms),
        ("grpc.keepalive_permit_without_calls", 1),
        ("grpc.http2.max_pings_without_data", 0),
        ("grpc.primary_user_agent", f"flyteplane-client/{__version__}"),
        *extra,
    ]


def channel_credentials(config: PlatformConfig) -> grpc.ChannelCredentials | None:
    """None for plaintext; TLS trusting the configured CA file, or the system's roots without one."""
    if config.insecure:
        return None
    if config.ca_cert_file_path:
        try:
            roots = Path(config.ca_cert_file_path).expanduser().read_bytes()
        except OSError as exc:
            raise ValueError(f"cannot read root certificate file {config.ca_cert_file_path}: {exc}") from exc
        return grpc.ssl_channel_credentials(root_certificates=roots)
    return grpc.ssl_channel_credentials()


def open_channel(
    config: PlatformConfig,
    interceptors: Sequence[Any] = (),
    credentials: grpc.ChannelCredentials | None = None,
    options: Sequence[ChannelOption] = (),
) -> grpc.Channel:
    """A blocking channel, `interceptors` inside the retry loop. Connecting waits for the first call."""
    chain = [ExceptionInterceptor(), RetryInterceptor(config.retry), *interceptors]
    chain.append(DefaultMetadataInterceptor(config.metadata))
    opts = channel_options(config, options)
    credentials = credentials or channel_credentials(config)
    if credentials is None:
        channel = grpc.insecure_channel(config.endpoint, options=opts)
    else:
        channel = grpc.secure_channel(config.endpoint, credentials, options=opts)
    return grpc.intercept_channel(channel, *chain)


def open_aio_channel(
    config: PlatformConfig,
    interceptors: Sequence[Any] = (),
    credentials: grpc.ChannelCredentials | None = None,
    options: Sequence[ChannelOption] = (),
) -> grpc.aio.Channel:
    """An asyncio channel, bound to the running event loop, `interceptors` inside the retry loop."""
    chain = [AioExceptionInterceptor(), AioRetryInterceptor(config.retry), *interceptors]
    chain.append(AioDefaultMetadataInterceptor(config.metadata))
    opts = channel_options(config, options)
    credentials = credentials or channel_credentials(config)
    if credentials is None:
        return grpc.aio.insecure_channel(config.endpoint, options=opts, interceptors=chain)
    return grpc.aio.secure_channel(config.endpoint, credentials, options=opts, interceptors=chain)
