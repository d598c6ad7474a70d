"""The front door sends HTTP/2 (gRPC) connections to one backend and everything else to the other, and keeps
connections within its caps: silent ones time out, and at the cap newcomers displace silent ones or are refused."""

from __future__ import annotations

import asyncio
import errno
import logging
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from flyteplane.server.front import ACCEPT_OUT_OF_RESOURCES, HTTP2_PREFACE, FrontDoor, bind, limit_accept_errors

HTTP_GET = b"GET /healthcheck HTTP/1.1\r\nHost: x\r\n\r\n"


async def _echo_backend(path: str, tag: bytes) -> asyncio.Server:
    """Answers the first chunk with `tag` + the chunk, then keeps the connection open until the client leaves."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        data = await reader.read(1 << 16)
        writer.write(tag + data)
        await writer.drain()
        if data.startswith(b"HOLD"):
            await reader.read()
        writer.close()

    return await asyncio.start_unix_server(handle, path)


@asynccontextmanager
async def front_door(tmp_path: Path, **caps: Any) -> AsyncIterator[tuple[FrontDoor, int]]:
    grpc_path, http_path = str(tmp_path / "g.sock"), str(tmp_path / "h.sock")
    backends = [await _echo_backend(grpc_path, b"grpc:"), await _echo_backend(http_path, b"http:")]
    listener = bind("127.0.0.1", 0)
    front = FrontDoor(grpc_path, http_path, **caps)
    await front.start(listener)
    try:
        yield front, listener.getsockname()[1]
    finally:
        await front.stop()
        for backend in backends:
            backend.close()
        listener.close()


async def _exchange(port: int, payload: bytes, *, then_close: bool = False) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(payload)
    await writer.drain()
    if then_close:
        writer.write_eof()
    answer = await asyncio.wait_for(reader.read(), 5)
    writer.close()
    return answer


async def _closed_by_server(reader: asyncio.StreamReader, within: float) -> bool:
    try:
        return await asyncio.wait_for(reader.read(), within) == b""
    except ConnectionError:
        return True
    except TimeoutError:
        return False


async def _settle(front: FrontDoor, served: int) -> None:
    """Waits until the front door has taken in the connections the test opened."""
    for _ in range(200):
        if front.served == served:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{front.served} connections served, expected {served}")


def test_connections_are_routed_by_their_first_bytes(tmp_path: Path) -> None:
    async def scenario() -> tuple[bytes, bytes, bytes]:
        async with front_door(tmp_path) as (_, port):
            return (
                await _exchange(port, HTTP2_PREFACE + b"\r\nSM\r\n\r\n"),
                await _exchange(port, b"GET /healthcheck HTTP/1.1\r\n\r\n"),
                await _exchange(port, b"P", then_close=True),
            )

    via_grpc, via_http, short = asyncio.run(scenario())
    assert via_grpc.startswith(b"grpc:PRI * HTTP/2.0")
    assert via_http == b"http:GET /healthcheck HTTP/1.1\r\n\r\n"
    assert short == b"http:P"  # a client that stops sending early goes to the HTTP side


def test_a_connection_silent_past_the_idle_timeout_is_closed(tmp_path: Path) -> None:
    async def scenario() -> bool:
        async with front_door(tmp_path, idle_timeout=0.2) as (_, port):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            closed = await _closed_by_server(reader, within=3)
            writer.close()
            return closed

    assert asyncio.run(scenario())


def test_at_the_cap_a_newcomer_takes_the_place_of_the_oldest_silent_connection(tmp_path: Path) -> None:
    async def scenario() -> tuple[bool, bool, bytes]:
        async with front_door(tmp_path, max_connections=2) as (front, port):
            oldest = await asyncio.open_connection("127.0.0.1", port)
            await _settle(front, 1)
            younger = await asyncio.open_connection("127.0.0.1", port)
            await _settle(front, 2)
            answer = await _exchange(port, HTTP_GET, then_close=True)
            oldest_closed = await _closed_by_server(oldest[0], within=3)
            younger_closed = await _closed_by_server(younger[0], within=0.3)
            for _, writer in (oldest, younger):
                writer.close()
            return oldest_closed, younger_closed, answer

    oldest_closed, younger_closed, answer = asyncio.run(scenario())
    assert answer == b"http:" + HTTP_GET
    assert oldest_closed and not younger_closed


def test_at_the_cap_with_every_connection_busy_a_newcomer_gets_a_503_naming_the_limit(tmp_path: Path) -> None:
    async def scenario() -> tuple[bytes, bool]:
        async with front_door(tmp_path, max_connections=1) as (front, port):
            busy_reader, busy_writer = await asyncio.open_connection("127.0.0.1", port)
            busy_writer.write(b"HOLD / HTTP/1.1\r\n\r\n")
            assert (await busy_reader.readexactly(5)) == b"http:"
            refused = await _exchange(port, HTTP_GET)
            silent_reader, silent_writer = await asyncio.open_connection("127.0.0.1", port)
            silent_closed = await _closed_by_server(silent_reader, within=3)
            silent_writer.close()
            busy_writer.close()
            assert front.served <= 1
            return refused, silent_closed

    refused, silent_closed = asyncio.run(scenario())
    assert refused.startswith(b"HTTP/1.1 503 Service Unavailable\r\n")
    assert b"Retry-After: 1\r\n" in refused
    assert refused.endswith(b"flyteplane: too many connections (max_connections=1); try again shortly\n")
    assert silent_closed  # one that says nothing over the cap is closed, not answered


def test_failed_accepts_are_logged_once_per_interval(caplog: pytest.LogCaptureFixture) -> None:
    """asyncio reports one error per backlog slot when the process is out of file descriptors."""
    loop = asyncio.new_event_loop()
    passed_on: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _loop, context: passed_on.append(context))
    try:
        limit_accept_errors(loop, fd_limit=300)
        with caplog.at_level(logging.ERROR, logger="flyteplane.server.front"):
            for _ in range(1024):
                loop.call_exception_handler(
                    {"message": ACCEPT_OUT_OF_RESOURCES, "exception": OSError(errno.EMFILE, "Too many open files")}
                )
            loop.call_exception_handler({"message": "something else"})
    finally:
        loop.close()
    assert [record.getMessage() for record in caplog.records] == [
        "cannot accept connections: Too many open files (open files limit 300); retrying"
    ]
    assert [context["message"] for context in passed_on] == ["something else"]


def test_bind_resolves_port_zero() -> None:
    listener = bind("127.0.0.1", 0)
    try:
        assert listener.getsockname()[1] > 0
        assert listener.type == socket.SOCK_STREAM
    finally:
        listener.close()
