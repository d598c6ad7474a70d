"""The server side of TLS over an accepted connection, driven through memory buffers.

The front door has already read the connection's first bytes to tell TLS from plaintext; asyncio's start_tls would
lose them, so the handshake starts from those bytes here, and the connection's streams carry the records.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl

__all__ = ["TlsStream"]

CHUNK = 256 * 1024


class TlsStream:
    """Decrypted reads and encrypted writes over a client's asyncio streams (a reader and a writer in one)."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        context: ssl.SSLContext,
        head: bytes,
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._incoming = ssl.MemoryBIO()
        self._outgoing = ssl.MemoryBIO()
        self._tls = context.wrap_bio(self._incoming, self._outgoing, server_side=True)
        self._incoming.write(head)

    async def handshake(self) -> None:
        """Completes the handshake; raises ssl.SSLError (bad client hello, no shared cipher) or ConnectionError."""
        while True:
            try:
                self._tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                self._send()
                await self._writer.drain()
                if not await self._receive():
                    raise ConnectionError("closed during the TLS handshake") from None
        self._send()
        await self._writer.drain()

    @property
    def alpn(self) -> str | None:
        """The protocol the client and server agreed on (h2 or http/1.1), None when the client offered none."""
        return self._tls.selected_alpn_protocol()

    async def read(self, size: int = CHUNK) -> bytes:
        """Decrypted bytes as they come; b"" once the client has closed (with or without close_notify)."""
        while True:
            try:
                data = self._tls.read(size)
            except ssl.SSLWantReadError:
                self._send()  # TLS 1.3 may answer (a key update) while reading
                if not await self._receive():
                    return b""
                continue
            except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
                return b""
            self._send()
            return data

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            written = self._tls.write(view)
            view = view[written:]
        self._send()

    async def drain(self) -> None:
        await self._writer.drain()

    def can_write_eof(self) -> bool:
        return self._writer.can_write_eof()

    def write_eof(self) -> None:
        """Says close_notify, then ends the sending side of the connection."""
        with contextlib.suppress(ssl.SSLError):
            self._tls.unwrap()
        self._send()
        self._writer.write_eof()

    def _send(self) -> None:
        pending = self._outgoing.read()
        if pending:
            self._writer.write(pending)

    async def _receive(self) -> bool:
        data = await self._reader.read(CHUNK)
        if data:
            self._incoming.write(data)
        else:
            self._incoming.write_eof()
        return bool(data)
