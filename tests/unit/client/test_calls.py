"""`operation` and `paged`: one Call-building method becomes a blocking method and an awaitable one."""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

import pytest
from flyteidl.admin import version_pb2

from flyteplane.client.calls import AsyncRunner, Call, Pages, SyncRunner, operation, paged
from flyteplane.client.rpcs import ADMIN

GET_VERSION = ADMIN["GetVersion"]


class Methods:
    @operation
    def version(self, label: str, times: int = 1) -> Call[str]:
        """Builds a call whose result repeats `label`."""
        return Call(GET_VERSION, version_pb2.GetVersionRequest(), lambda response: label * times)

    @paged
    def numbers(self, size: int) -> Pages[int]:
        """Three pages of `size` numbers."""
        return Pages(
            lambda token: Call(
                GET_VERSION,
                version_pb2.GetVersionRequest(),
                lambda response: (list(range(int(token or 0), int(token or 0) + size)), "" if token == "2" else "2"),
            )
        )

    @operation
    def both_versions(self, first: str, second: str) -> Call[str]:
        """Builds one call from two others."""
        one, two = self.version.call(first), self.version.call(second)
        return Call(GET_VERSION, version_pb2.GetVersionRequest(), lambda response: one.result(None) + two.result(None))

    echo = operation.of(lambda word: Call(GET_VERSION, version_pb2.GetVersionRequest(), lambda response: word))


class Blocking(Methods, SyncRunner):
    def __init__(self) -> None:
        self.ran: list[Call[Any]] = []

    def run(self, call: Call[Any]) -> Any:
        self.ran.append(call)
        return call.result(None)


class Awaiting(Methods, AsyncRunner):
    async def run(self, call: Call[Any]) -> Any:
        await asyncio.sleep(0)
        return call.result(None)


def test_an_operation_returns_its_result_on_a_blocking_client() -> None:
    client = Blocking()
    assert client.version("ab", times=2) == "abab"
    assert client.ran[0].rpc == GET_VERSION


def test_an_operation_returns_an_awaitable_on_an_async_client() -> None:
    assert asyncio.run(Awaiting().version("x", 3)) == "xxx"


def test_paged_walks_pages_on_both_clients() -> None:
    async def collect() -> list[int]:
        return [n async for n in Awaiting().numbers(2)]

    assert list(Blocking().numbers(2)) == [0, 1, 2, 3]
    assert asyncio.run(collect()) == [0, 1, 2, 3]


def test_methods_keep_the_builders_name_doc_and_parameters_without_self() -> None:
    method = Blocking().version
    assert method.__name__ == "version"
    assert method.__qualname__ == "Blocking.version"
    assert method.__doc__ == "Builds a call whose result repeats `label`."
    assert list(inspect.signature(method).parameters) == ["label", "times"]
    assert inspect.signature(method).return_annotation is inspect.Signature.empty


def test_call_builds_an_operations_call_without_running_it() -> None:
    client = Blocking()
    call = client.version.call("ab", times=2)
    assert client.ran == []
    assert call.result(None) == "abab"
    assert client.both_versions("a", "b") == "ab"
    assert len(client.ran) == 1


def test_of_makes_an_operation_of_a_builder_that_needs_no_client() -> None:
    client = Blocking()
    assert client.echo("hi") == "hi"
    assert asyncio.run(Awaiting().echo("hi")) == "hi"
    assert client.echo.__name__ == "echo"
    assert list(inspect.signature(client.echo).parameters) == ["word"]


def test_on_the_class_the_descriptor_itself_is_returned() -> None:
    assert isinstance(Methods.__dict__["version"], operation)
    assert Blocking.version is Methods.__dict__["version"]


def test_an_object_that_runs_nothing_cannot_use_operations() -> None:
    with pytest.raises(TypeError, match="cannot run Flyte operations"):
        Methods().version("x")  # type: ignore[call-overload]
