"""The blocking client's interceptors against a real gRPC server on loopback that fails on purpose."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from flyteidl.admin import common_pb2, version_pb2
from tests.unit.client.fakes import ScriptedServer, answer, fail, scripted_server

from flyteplane.client import (
    FlyteEntityAlreadyExistsException,
    FlyteEntityNotExistException,
    FlyteInvalidInputException,
    FlyteSystemException,
    FlyteSystemUnavailableException,
    FlyteTimeout,
    PlatformConfig,
    RawSynchronousFlyteClient,
    RetryPolicy,
)
from flyteplane.client.interceptors import RetryInterceptor, with_default_metadata

FAST = RetryPolicy(max_retries=3, initial_backoff=0.001, max_backoff=0.002)


class CountingInterceptor(grpc.UnaryUnaryClientInterceptor):  # type: ignore[type-arg]
    def __init__(self) -> None:
        self.count = 0

    def intercept_unary_unary(self, continuation: Any, client_call_details: Any, request: Any) -> Any:
        self.count += 1
        return continuation(client_call_details, request)


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with scripted_server() as running:
        yield running


def client_for(server: ScriptedServer, **settings: object) -> RawSynchronousFlyteClient:
    settings.setdefault("retry", FAST)
    return RawSynchronousFlyteClient(PlatformConfig(endpoint=server.endpoint, insecure=True, **settings))  # type: ignore[arg-type]


def version() -> version_pb2.GetVersionResponse:
    return version_pb2.GetVersionResponse(control_plane_version=version_pb2.Version(Version="1.2.3"))


def test_unavailable_is_retried_until_the_server_answers(server: ScriptedServer) -> None:
    flaky = fail(grpc.StatusCode.UNAVAILABLE, times=2)
    server.on("GetVersion", lambda request, context: flaky(request, context) or version())

    response = client_for(server).get_version()

    assert response.control_plane_version.Version == "1.2.3"
    assert server.attempts("GetVersion") == 3


def test_resource_exhausted_is_retried(server: ScriptedServer) -> None:
    flaky = fail(grpc.StatusCode.RESOURCE_EXHAUSTED, "slow down", times=1)
    server.on("GetVersion", lambda request, context: flaky(request, context) or version())

    assert client_for(server).get_version().control_plane_version.Version == "1.2.3"
    assert server.attempts("GetVersion") == 2


def test_unavailable_gives_up_after_the_retry_budget(server: ScriptedServer) -> None:
    server.on("GetVersion", fail(grpc.StatusCode.UNAVAILABLE, "down for maintenance"))

    with pytest.raises(FlyteSystemUnavailableException) as raised:
        client_for(server).get_version()

    assert server.attempts("GetVersion") == 4  # the first attempt and three retries
    assert raised.value.code == grpc.StatusCode.UNAVAILABLE
    assert raised.value.details == "down for maintenance"
    assert isinstance(raised.value.__cause__, grpc.RpcError)


@pytest.mark.parametrize(
    ("code", "exception"),
    [
        (grpc.StatusCode.NOT_FOUND, FlyteEntityNotExistException),
        (grpc.StatusCode.ALREADY_EXISTS, FlyteEntityAlreadyExistsException),
        (grpc.StatusCode.INVALID_ARGUMENT, FlyteInvalidInputException),
        (grpc.StatusCode.UNIMPLEMENTED, FlyteSystemException),
        (grpc.StatusCode.FAILED_PRECONDITION, FlyteSystemException),
    ],
)
def test_failures_that_cannot_succeed_are_sent_once(
    server: ScriptedServer, code: grpc.StatusCode, exception: type[Exception]
) -> None:
    server.on("GetTask", fail(code, "no such task"))

    with pytest.raises(exception) as raised:
        client_for(server).get_task(common_pb2.ObjectGetRequest())

    assert server.attempts("GetTask") == 1
    assert str(raised.value) == f"GetTask failed with {code.name}: no such task"


def test_invalid_input_carries_the_refused_request(server: ScriptedServer) -> None:
    server.on("GetTask", fail(grpc.StatusCode.INVALID_ARGUMENT, "missing project"))
    request = common_pb2.ObjectGetRequest()

    with pytest.raises(FlyteInvalidInputException) as raised:
        client_for(server).get_task(request)

    assert raised.value.request == request
    assert raised.value.rpc == "/flyteidl.service.AdminService/GetTask"


def test_an_oversized_message_is_not_retried(server: ScriptedServer) -> None:
    attempts = CountingInterceptor()
    config = PlatformConfig(endpoint=server.endpoint, insecure=True, retry=FAST, max_send_message_length=16)
    client = RawSynchronousFlyteClient(config, interceptors=[attempts])

    with pytest.raises(FlyteSystemException) as raised:
        client.list_tasks(common_pb2.ResourceListRequest(filters="x" * 1024))

    assert raised.value.code == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "larger than max" in raised.value.details
    assert attempts.count == 1


def test_own_interceptors_run_once_per_attempt(server: ScriptedServer) -> None:
    flaky = fail(grpc.StatusCode.UNAVAILABLE, times=2)
    server.on("GetVersion", lambda request, context: flaky(request, context) or version())
    attempts = CountingInterceptor()
    config = PlatformConfig(endpoint=server.endpoint, insecure=True, retry=FAST)

    RawSynchronousFlyteClient(config, interceptors=[attempts]).get_version()

    assert attempts.count == 3


def test_every_call_carries_the_default_and_configured_metadata(server: ScriptedServer) -> None:
    server.on("GetVersion", answer(version()))
    client = client_for(server, metadata=(("Authorization", "Bearer abc"),))

    client.get_version()
    client.get_version(metadata=[("x-request-id", "42")])

    first, second = server.metadata["GetVersion"]
    assert first["accept"] == "application/grpc"
    assert first["authorization"] == "Bearer abc"
    assert first["user-agent"].startswith("flyteplane-client/")
    assert second["x-request-id"] == "42"
    assert second["authorization"] == "Bearer abc"


def test_a_call_overrides_a_default_header_of_the_same_name() -> None:
    merged = with_default_metadata([("authorization", "mine")], [("authorization", "default"), ("accept", "a")])
    assert merged == [("authorization", "mine"), ("accept", "a")]


def test_the_default_deadline_bounds_a_call_and_a_timeout_is_not_retried(server: ScriptedServer) -> None:
    def slow(request: object, context: grpc.ServicerContext) -> version_pb2.GetVersionResponse:
        import time

        time.sleep(0.5)
        return version()

    server.on("GetVersion", slow)

    with pytest.raises(FlyteTimeout):
        client_for(server, default_deadline=0.05).get_version()

    assert server.attempts("GetVersion") == 1


def test_deadline_exceeded_is_retried_when_configured(server: ScriptedServer) -> None:
    attempts: list[int] = []

    def slow_once(request: object, context: grpc.ServicerContext) -> version_pb2.GetVersionResponse:
        import time

        attempts.append(1)
        if len(attempts) == 1:
            time.sleep(0.5)
        return version()

    server.on("GetVersion", slow_once)
    policy = RetryPolicy(
        initial_backoff=0.001, retryable=frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED})
    )

    response = client_for(server, retry=policy).get_version(timeout=0.2)

    assert response.control_plane_version.Version == "1.2.3"


def test_the_wait_between_attempts_grows_exponentially_with_jitter(server: ScriptedServer) -> None:
    server.on("GetVersion", fail(grpc.StatusCode.UNAVAILABLE))
    slept: list[float] = []
    policy = RetryPolicy(max_retries=4, initial_backoff=0.1, max_backoff=0.5, multiplier=2.0)
    retry = RetryInterceptor(policy, sleep=slept.append, random=lambda: 0.5)
    channel = grpc.intercept_channel(grpc.insecure_channel(server.endpoint), retry)
    get_version = channel.unary_unary(
        "/flyteidl.service.AdminService/GetVersion",
        request_serializer=version_pb2.GetVersionRequest.SerializeToString,
        response_deserializer=version_pb2.GetVersionResponse.FromString,
    )

    with pytest.raises(grpc.RpcError):
        get_version(version_pb2.GetVersionRequest())

    assert slept == pytest.approx([0.05, 0.1, 0.2, 0.25])  # half of 0.1, 0.2, 0.4 and the 0.5 cap
    assert server.attempts("GetVersion") == 5
    channel.close()


def test_an_unreachable_endpoint_fails_as_unavailable_after_retries() -> None:
    with scripted_server() as stopped:
        endpoint = stopped.endpoint
    client = RawSynchronousFlyteClient(PlatformConfig(endpoint=endpoint, insecure=True, retry=FAST))

    with pytest.raises(FlyteSystemUnavailableException):
        client.get_version()
