"""The asyncio client's interceptors against a real gRPC server on loopback that fails on purpose."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import grpc
import grpc.aio
import pytest
from flyteidl.admin import common_pb2, version_pb2
from tests.unit.client.fakes import ScriptedServer, answer, fail, scripted_server

from flyteplane.client import (
    FlyteEntityNotExistException,
    FlyteSystemUnavailableException,
    FlyteTimeout,
    PlatformConfig,
    RawAsyncFlyteClient,
    RetryPolicy,
)
from flyteplane.client.aio_interceptors import AioRetryInterceptor

FAST = RetryPolicy(max_retries=3, initial_backoff=0.001, max_backoff=0.002)


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with scripted_server() as running:
        yield running


def version() -> version_pb2.GetVersionResponse:
    return version_pb2.GetVersionResponse(control_plane_version=version_pb2.Version(Version="1.2.3"))


async def call_version(server: ScriptedServer, **settings: Any) -> Any:
    settings.setdefault("retry", FAST)
    async with RawAsyncFlyteClient(PlatformConfig(endpoint=server.endpoint, insecure=True, **settings)) as client:
        return await client.get_version()


def test_unavailable_is_retried_until_the_server_answers(server: ScriptedServer) -> None:
    flaky = fail(grpc.StatusCode.UNAVAILABLE, times=2)
    server.on("GetVersion", lambda request, context: flaky(request, context) or version())

    response = asyncio.run(call_version(server))

    assert response.control_plane_version.Version == "1.2.3"
    assert server.attempts("GetVersion") == 3


def test_unavailable_gives_up_after_the_retry_budget(server: ScriptedServer) -> None:
    server.on("GetVersion", fail(grpc.StatusCode.UNAVAILABLE))

    with pytest.raises(FlyteSystemUnavailableException) as raised:
        asyncio.run(call_version(server))

    assert server.attempts("GetVersion") == 4
    assert isinstance(raised.value.__cause__, grpc.aio.AioRpcError)


def test_not_found_is_sent_once_and_mapped(server: ScriptedServer) -> None:
    server.on("GetTask", fail(grpc.StatusCode.NOT_FOUND, "no such task"))

    async def get_task() -> Any:
        async with RawAsyncFlyteClient(PlatformConfig(endpoint=server.endpoint, insecure=True)) as client:
            return await client.get_task(common_pb2.ObjectGetRequest())

    with pytest.raises(FlyteEntityNotExistException, match="GetTask failed with NOT_FOUND: no such task"):
        asyncio.run(get_task())
    assert server.attempts("GetTask") == 1


def test_every_call_carries_the_default_and_configured_metadata(server: ScriptedServer) -> None:
    server.on("GetVersion", answer(version()))

    asyncio.run(call_version(server, metadata=(("x-team", "data"),)))

    (seen,) = server.metadata["GetVersion"]
    assert seen["accept"] == "application/grpc"
    assert seen["x-team"] == "data"


def test_the_default_deadline_bounds_a_call_and_is_not_retried(server: ScriptedServer) -> None:
    def slow(request: object, context: grpc.ServicerContext) -> version_pb2.GetVersionResponse:
        import time

        time.sleep(0.5)
        return version()

    server.on("GetVersion", slow)

    with pytest.raises(FlyteTimeout):
        asyncio.run(call_version(server, default_deadline=0.05))
    assert server.attempts("GetVersion") == 1


def test_the_wait_between_attempts_grows_exponentially_with_jitter(server: ScriptedServer) -> None:
    server.on("GetVersion", fail(grpc.StatusCode.UNAVAILABLE))
    slept: list[float] = []

    async def record(seconds: float) -> None:
        slept.append(seconds)

    policy = RetryPolicy(max_retries=3, initial_backoff=0.1, max_backoff=1.0, multiplier=3.0)

    async def run() -> None:
        interceptor = AioRetryInterceptor(policy, sleep=record, random=lambda: 1.0)
        async with grpc.aio.insecure_channel(server.endpoint, interceptors=[interceptor]) as channel:  # type: ignore[list-item]
            get_version = channel.unary_unary(
                "/flyteidl.service.AdminService/GetVersion",
                request_serializer=version_pb2.GetVersionRequest.SerializeToString,
                response_deserializer=version_pb2.GetVersionResponse.FromString,
            )
            with pytest.raises(grpc.aio.AioRpcError):
                await get_version(version_pb2.GetVersionRequest())

    asyncio.run(run())

    assert slept == pytest.approx([0.1, 0.3, 0.9])
