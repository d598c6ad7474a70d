"""The front door sends HTTP/2 (gRPC) connections to one backend and everything else to the other."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

from flyteplane.server.front import HTTP2_PREFACE, FrontDoor, bind


async def _echo_backend(path: str, tag: bytes) -> asyncio.Server:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        data = await reader.read(1 << 16)
        writer.write(tag + data)
        await writer.drain()
        writer.close()

    return await asyncio.start_unix_server(handle, path)


async def _exchange(port: int, payload: bytes, *, then_close: bool = False) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(payload)
    await writer.drain()
    if then_close:
        writer.write_eof()
    answer = await reader.read()
    writer.close()
    return answer


def test_connections_are_routed_by_their_first_bytes(tmp_path: Path) -> None:
    async def scenario() -> tuple[bytes, bytes, bytes]:
        grpc_path, http_path = str(tmp_path / "g.sock"), str(tmp_path / "h.sock")
        backends = [await _echo_backend(grpc_path, b"grpc:"), await _echo_backend(http_path, b"http:")]
        listener = bind("127.0.0.1", 0)
        port = listener.getsockname()[1]
        front = FrontDoor(grpc_path, http_path)
        await front.start(listener)
        try:
            return (
                await _exchange(port, HTTP2_PREFACE + b"\r\nSM\r\n\r\n"),
                await _exchange(port, b"GET /healthcheck HTTP/1.1\r\n\r\n"),
                await _exchange(port, b"P", then_close=True),
            )
        finally:
            await front.stop()
            for backend in backends:
                backend.close()

    via_grpc, via_http, short = asyncio.run(scenario())
    assert via_grpc.startswith(b"grpc:PRI * HTTP/2.0")
    assert via_http == b"http:GET /healthcheck HTTP/1.1\r\n\r\n"
    assert short == b"http:P"  # a client that stops sending early goes to the HTTP side


def test_bind_resolves_port_zero() -> None:
    listener = bind("127.0.0.1", 0)
    try:
        assert listener.getsockname()[1] > 0
        assert listener.type == socket.SOCK_STREAM
    finally:
        listener.close()
