"""One public port for gRPC and HTTP, as Flyte's single binary has.

The front door reads the first bytes of each connection: an HTTP/2 preface (what gRPC clients send) goes to the
gRPC server, anything else to the HTTP app. Both listen on private Unix sockets; the front door only splices bytes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket

log = logging.getLogger(__name__)

HTTP2_PREFACE = b"PRI * HTTP/2.0\r\n"
FIRST_BYTES_TIMEOUT = 60.0
CHUNK = 256 * 1024


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(CHUNK):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        with contextlib.suppress(Exception):
            if writer.can_write_eof():
                writer.write_eof()


async def _read_head(reader: asyncio.StreamReader) -> bytes:
    """Reads until the protocol is known: enough bytes to compare against the HTTP/2 preface, or a mismatch."""
    head = b""
    while len(head) < len(HTTP2_PREFACE) and HTTP2_PREFACE.startswith(head):
        chunk = await reader.read(CHUNK)
        if not chunk:
            break
        head += chunk
    return head


class FrontDoor:
    """Accepts public connections and splices each to the gRPC or HTTP backend socket."""

    def __init__(self, grpc_socket: str, http_socket: str) -> None:
        self.grpc_socket = grpc_socket
        self.http_socket = http_socket
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()

    async def start(self, listener: socket.socket) -> None:
        self._server = await asyncio.start_server(self._accept, sock=listener, backlog=1024)

    def _accept(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        """Tracks each connection's task from the moment it is accepted, so stop() can never miss one that has
        not run yet; a plain callback also keeps asyncio (3.10, 3.11) from logging cancelled handlers as errors."""
        task = asyncio.get_running_loop().create_task(self._handle(client_reader, client_writer))
        self._connections.add(task)
        task.add_done_callback(self._connections.discard)
        # A task cancelled before its first step never runs _handle's cleanup; close the client here too.
        task.add_done_callback(lambda _: client_writer.close())

    async def _handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(_read_head(client_reader), FIRST_BYTES_TIMEOUT)
            if not head:
                return
            backend = self.grpc_socket if head.startswith(HTTP2_PREFACE) else self.http_socket
            backend_reader, backend_writer = await asyncio.open_unix_connection(backend, limit=CHUNK)
            backend_writer.write(head)
            try:
                await asyncio.gather(_pipe(client_reader, backend_writer), _pipe(backend_reader, client_writer))
            finally:
                backend_writer.close()
        except (TimeoutError, ConnectionError, OSError) as exc:
            log.debug("connection ended: %s", exc)
        finally:
            client_writer.close()

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._connections):
            task.cancel()
        if self._connections:
            await asyncio.gather(*self._connections, return_exceptions=True)


def bind(host: str, port: int) -> socket.socket:
    """Binds the public port up front, so port 0 resolves before anything needs the advertised URL."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, kind, proto, _, address = infos[0]
    listener = socket.socket(family, kind, proto)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind(address)
        listener.listen(1024)
    except OSError:
        listener.close()
        raise
    listener.setblocking(False)
    return listener
