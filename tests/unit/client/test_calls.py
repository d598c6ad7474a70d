"""`operation` and `paged`: one Call-building function becomes a blocking method and an awaitable one."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from flyteidl.admin import version_pb2

from flyteplane.client.calls import AsyncRunner, Call, Pages, SyncRunner, operation, paged
from flyteplane.client.rpcs import ADMIN

GET_VERSION = ADMIN["GetVersion"]


def build_version(label: str, times: int = 1) -> Call[str]:
    """Builds a call whose result repeats `label`."""
    return Call(GET_VERSION, version_pb2.GetVersionRequest(), lambda response: label * times)


def build_pages(size: int) -> Pages[int]:
    """Three pages of `size` numbers."""
    return Pages(
        lambda token: Call(
            GET_VERSION,
            version_pb2.GetVersionRequest(),
            lambda response: (list(range(int(token or 0), int(token or 0) + size)), "" if token == "2" else "2"),
        )
    )


class Methods:
    version = operation(build_version)
    numbers = paged(build_pages)


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


def test_methods_keep_the_builders_name_doc_and_parameters() -> None:
    import inspect

    method = Blocking().version
    assert method.__name__ == "build_version"
    assert method.__doc__ == "Builds a call whose result repeats `label`."
    assert list(inspect.signature(method).parameters) == ["label", "times"]
    assert inspect.signature(method).return_annotation is inspect.Signature.empty


def test_on_the_class_the_descriptor_itself_is_returned() -> None:
    assert isinstance(Methods.__dict__["version"], operation)
    assert Blocking.version.build is build_version


def test_an_object_that_runs_nothing_cannot_use_operations() -> None:
    with pytest.raises(TypeError, match="cannot run Flyte operations"):
        Methods().version("x")  # type: ignore[call-overload]
