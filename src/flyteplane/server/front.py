"""One public port for gRPC and HTTP, as Flyte's single binary has.

The front door reads the first bytes of each connection: an HTTP/2 preface (what gRPC clients send) goes to the
gRPC server, anything else to the HTTP app. Both listen on private Unix sockets; the front door only splices bytes.

It also keeps connections from exhausting the process's file descriptors (issue 9): at most `max_connections` are
served at once, and one that stays silent for `idle_timeout` seconds before its first bytes is closed. At the cap a
new connection first takes the place of the oldest one still silent (a client that says nothing loses to one that
may speak); when every served connection has spoken, the newcomer is refused with an HTTP 503 naming the limit
(gRPC clients report it as UNAVAILABLE, "HTTP status 503", and retry), or closed if it says nothing either.

With TLS (issue 13) the front door also terminates TLS: a connection whose first byte is 0x16 (a TLS handshake
record; no HTTP/1 request or HTTP/2 preface starts so) is decrypted here and routed by the protocol the handshake
agreed on (ALPN h2: gRPC, http/1.1: the HTTP app; the first decrypted bytes decide when the client named none).
The private sockets stay plaintext. Any other first byte is plaintext, served as before when the port is bound to
a loopback address (and `plaintext_on_loopback` is on), else answered with a 400 that says TLS is required.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from typing import Any, Protocol

from flyteplane.server.rate_limited_log import RateLimitedLog
from flyteplane.server.tls import ServerTls
from flyteplane.server.tls_stream import TlsStream

log = logging.getLogger(__name__)

HTTP2_PREFACE = b"PRI * HTTP/2.0\r\n"
TLS_HANDSHAKE = 0x16  # the first byte of every TLS connection: a handshake record carrying the ClientHello
CHUNK = 256 * 1024
DEFAULT_MAX_CONNECTIONS = 4096
DEFAULT_IDLE_TIMEOUT = 10.0
# Connections being refused at once; past this a newcomer is closed without a word, so refusing costs bounded fds.
MAX_REFUSING = 64
REFUSAL_READ_TIMEOUT = 1.0  # a refused client gets this long to send its request before the 503
REFUSAL_LINGER = 1.0  # and this long to read the answer before the socket closes
# How often a dead peer (half-open connection) is probed once idle for a minute.
KEEPALIVE = {"TCP_KEEPIDLE": 60, "TCP_KEEPINTVL": 10, "TCP_KEEPCNT": 6}
ACCEPT_OUT_OF_RESOURCES = "socket.accept() out of system resource"  # asyncio's message when accept() fails


def refusal(max_connections: int) -> bytes:
    body = (f"flyteplane: too many connections (max_connections={max_connections}); try again shortly\n").encode()
    head = (
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nRetry-After: 1\r\n"
        f"Connection: close\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    return head + body


def tls_required() -> bytes:
    body = b"flyteplane: this port requires TLS; use https:// (flytekit: insecure: false)\n"
    head = (
        "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"Connection: close\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    return head + body


class Source(Protocol):
    async def read(self, n: int = -1, /) -> bytes: ...


class Sink(Protocol):
    def write(self, data: bytes, /) -> None: ...

    async def drain(self) -> None: ...

    def can_write_eof(self) -> bool: ...

    def write_eof(self) -> None: ...


async def _pipe(reader: Source, writer: Sink) -> None:
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


async def _read_head(reader: Source) -> bytes:
    """Reads until the protocol is known: enough bytes to compare against the HTTP/2 preface, or a mismatch."""
    head = b""
    while len(head) < len(HTTP2_PREFACE) and HTTP2_PREFACE.startswith(head):
        chunk = await reader.read(CHUNK)
        if not chunk:
            break
        head += chunk
    return head


def _keep_alive(writer: asyncio.StreamWriter) -> None:
    """TCP keepalive, so a peer that vanished (half-open connection) frees its slot in minutes, not hours."""
    sock = writer.get_extra_info("socket")
    if sock is None:
        return
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        for option, value in KEEPALIVE.items():
            if hasattr(socket, option):
                sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, option), value)


class FrontDoor:
    """Accepts public connections and splices each to the gRPC or HTTP backend socket, within the caps."""

    def __init__(
        self,
        grpc_socket: str,
        http_socket: str,
        *,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
        tls: ServerTls | None = None,
    ) -> None:
        self.grpc_socket = grpc_socket
        self.tls = tls
        self.http_socket = http_socket
        self.max_connections = max_connections
        self.idle_timeout = idle_timeout
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()  # every task, served or refused, for stop()
        self._served: set[asyncio.Task[None]] = set()
        self._silent: dict[asyncio.Task[None], asyncio.StreamWriter] = {}  # served, no first bytes yet; oldest first
        self._refusing = 0
        self._shed_log = RateLimitedLog(log, logging.WARNING)
        self._plaintext_log = RateLimitedLog(log, logging.WARNING)

    @property
    def served(self) -> int:
        return len(self._served)

    async def start(self, listener: socket.socket, fd_limit: int = 0) -> None:
        limit_accept_errors(asyncio.get_running_loop(), fd_limit)
        self._server = await asyncio.start_server(self._accept, sock=listener, backlog=1024)

    def _accept(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        """Tracks each connection's task from the moment it is accepted, so stop() can never miss one that has
        not run yet; a plain callback also keeps asyncio (3.10, 3.11) from logging cancelled handlers as errors."""
        if len(self._served) >= self.max_connections and self._silent:
            self._evict_oldest_silent()
        if len(self._served) < self.max_connections:
            task = asyncio.get_running_loop().create_task(self._handle(client_reader, client_writer))
            self._served.add(task)
            self._silent[task] = client_writer
            task.add_done_callback(self._served.discard)
        elif self._refusing < MAX_REFUSING:
            task = asyncio.get_running_loop().create_task(self._refuse(client_reader, client_writer))
        else:
            self._shed_log.emit(
                "closed connections at once: at max_connections=%d and refusing too many", self.max_connections
            )
            client_writer.transport.abort()
            return
        self._connections.add(task)
        task.add_done_callback(self._connections.discard)
        # A task cancelled before its first step never runs its cleanup; close the client here too.
        task.add_done_callback(lambda _: client_writer.close())

    def _evict_oldest_silent(self) -> None:
        task, writer = next(iter(self._silent.items()))
        del self._silent[task]
        self._served.discard(task)
        writer.transport.abort()
        task.cancel()
        self._shed_log.emit("closed silent connections to make room: at max_connections=%d", self.max_connections)

    async def _handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        _keep_alive(client_writer)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.idle_timeout
        try:
            try:
                head = await asyncio.wait_for(_read_head(client_reader), self.idle_timeout)
            finally:
                self._silent.pop(task, None)  # type: ignore[arg-type]
            if not head:
                return
            source: Source = client_reader
            sink: Sink = client_writer
            if self.tls is not None and head[0] == TLS_HANDSHAKE:
                tls = TlsStream(client_reader, client_writer, self.tls.context, head)
                head, backend = await asyncio.wait_for(self._open_tls(tls), max(0.0, deadline - loop.time()))
                source = sink = tls
            elif self.tls is not None and not self.tls.plaintext:
                await self._refuse_plaintext(client_reader, client_writer)
                return
            else:
                backend = self._backend_for(head)
            backend_reader, backend_writer = await asyncio.open_unix_connection(backend, limit=CHUNK)
            if head:
                backend_writer.write(head)
            try:
                await asyncio.gather(_pipe(source, backend_writer), _pipe(backend_reader, sink))
            finally:
                backend_writer.close()
        except (TimeoutError, ConnectionError, OSError) as exc:  # ssl.SSLError is an OSError: a failed handshake
            log.debug("connection ended: %s", exc)
        finally:
            client_writer.close()

    def _backend_for(self, head: bytes) -> str:
        return self.grpc_socket if head.startswith(HTTP2_PREFACE) else self.http_socket

    async def _open_tls(self, tls: TlsStream) -> tuple[bytes, str]:
        """Completes the handshake and picks the backend: by ALPN, else by the first decrypted bytes (returned
        for the backend)."""
        await tls.handshake()
        if tls.alpn == "h2":
            return b"", self.grpc_socket
        if tls.alpn == "http/1.1":
            return b"", self.http_socket
        head = await _read_head(tls)
        if not head:
            raise ConnectionError("closed after the TLS handshake")
        return head, self._backend_for(head)

    async def _refuse_plaintext(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Answers plaintext with a 400 saying TLS is required (after reading what was sent, so it arrives)."""
        self._plaintext_log.emit("refused plaintext connections: this port requires TLS")
        writer.write(tls_required())
        writer.write_eof()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(_drain_input(reader), REFUSAL_LINGER)

    async def _refuse(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        """Answers a connection over the cap with a 503 once it has spoken, reading its request first: closing a
        socket with unread input resets it, and the client would lose the answer."""
        self._refusing += 1
        self._shed_log.emit("refused connections with 503: at max_connections=%d", self.max_connections)
        try:
            with contextlib.suppress(TimeoutError, ConnectionError, OSError):
                if await asyncio.wait_for(client_reader.read(CHUNK), REFUSAL_READ_TIMEOUT):
                    client_writer.write(refusal(self.max_connections))
                    client_writer.write_eof()
                    await asyncio.wait_for(_drain_input(client_reader), REFUSAL_LINGER)
        finally:
            self._refusing -= 1
            client_writer.close()

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._connections):
            task.cancel()
        if self._connections:
            await asyncio.gather(*self._connections, return_exceptions=True)


def limit_accept_errors(loop: asyncio.AbstractEventLoop, fd_limit: int) -> None:
    """asyncio logs every failed accept() with a traceback, once per backlog slot of a burst (1,024 lines at a time
    when the process is out of file descriptors); this keeps one line per interval. Other errors pass through."""
    previous = loop.get_exception_handler()
    limited = RateLimitedLog(log, logging.ERROR)

    def handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if context.get("message") == ACCEPT_OUT_OF_RESOURCES:
            exc = context.get("exception")
            reason = getattr(exc, "strerror", None) or str(exc)
            limited.emit("cannot accept connections: %s (open files limit %d); retrying", reason, fd_limit)
        elif previous is not None:
            previous(loop, context)
        else:
            loop.default_exception_handler(context)

    loop.set_exception_handler(handler)


async def _drain_input(reader: asyncio.StreamReader) -> None:
    while await reader.read(CHUNK):
        pass


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
