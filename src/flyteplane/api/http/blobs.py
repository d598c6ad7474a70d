"""Signed blob URLs over HTTP: the PUT target of CreateUploadLocation and the GET behind download links.

flytekit's `upload_file` PUTs the file with `Content-MD5` plus the headers the data proxy returned and accepts
200 or 201. A PUT never replaces an object with other content (412, as S3 answers `If-None-Match: *`): an
upload URL, even an unexpired one, cannot rewrite what was uploaded. Bodies can be hundreds of MB, so they are
streamed in chunks and all file I/O runs in worker threads, keeping the event loop (shared with gRPC) free.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timezone
from typing import IO

from anyio import to_thread
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from flyteplane.blobs.signing import (
    BLOBS_PATH,
    CONTENT_MD5_METADATA_HEADER,
    SignatureError,
    Signer,
    signed_content_md5,
)
from flyteplane.blobs.store import BlobStore, BlobWriter, validate_key
from flyteplane.errors import AlreadyExists, InvalidArgument, NotFound

__all__ = ["blob_routes"]

CHUNK_BYTES = 1024 * 1024
"""Bytes handed to a worker thread at a time: big enough that thread hops are rare, small enough to stream."""


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def blob_routes(store: BlobStore, signer: Signer, *, clock: Callable[[], datetime] = _utc_now) -> list[BaseRoute]:
    """`PUT`, `GET` and `HEAD` on `/blobs/{key}`, each allowed only by a URL the data proxy signed."""
    handler = _BlobHandler(store, signer, clock)
    return [Route(f"{BLOBS_PATH}/{{key:path}}", handler.dispatch, methods=["GET", "HEAD", "PUT"])]


class _BlobHandler:
    def __init__(self, store: BlobStore, signer: Signer, clock: Callable[[], datetime]) -> None:
        self._store = store
        self._signer = signer
        self._clock = clock

    async def dispatch(self, request: Request) -> Response:
        key = request.path_params["key"]
        try:
            validate_key(key)
        except InvalidArgument as e:
            return PlainTextResponse(e.message, status_code=400)
        signed_method = "PUT" if request.method == "PUT" else "GET"
        params = dict(request.query_params)
        try:
            self._signer.verify(signed_method, key, params, self._clock())
            signed_md5 = signed_content_md5(params)
        except SignatureError as e:
            return PlainTextResponse(e.message, status_code=403)
        if request.method == "PUT":
            return await self._put(request, key, signed_md5)
        return await self._get(key, head=request.method == "HEAD")

    async def _put(self, request: Request, key: str, signed_md5: bytes | None) -> Response:
        try:
            expected = _expected_md5(request, signed_md5)
        except _BadUpload as e:
            return PlainTextResponse(e.message, status_code=e.status)
        writer: BlobWriter = await to_thread.run_sync(
            lambda: self._store.open_write(key, content_md5=expected, create_only=True)
        )
        try:
            pending = bytearray()
            async for chunk in request.stream():
                pending += chunk
                if len(pending) >= CHUNK_BYTES:
                    data, pending = bytes(pending), bytearray()
                    await to_thread.run_sync(writer.write, data)
            if pending:
                await to_thread.run_sync(writer.write, bytes(pending))
            created = await to_thread.run_sync(writer.commit)
        except InvalidArgument as e:
            return PlainTextResponse(e.message, status_code=400)
        except AlreadyExists as e:
            return PlainTextResponse(e.message, status_code=412)
        except ClientDisconnect:
            return PlainTextResponse("upload interrupted", status_code=400)
        finally:
            await to_thread.run_sync(writer.abort)
        return Response(status_code=201 if created else 200, headers={"ETag": _etag(writer.md5)})

    async def _get(self, key: str, *, head: bool) -> Response:
        try:
            file, size = await to_thread.run_sync(self._open, key)
        except NotFound as e:
            return PlainTextResponse(e.message, status_code=404)
        md5 = await to_thread.run_sync(self._store.stored_md5, key)
        headers = {"Content-Length": str(size), "Content-Type": "application/octet-stream"}
        if md5 is not None:
            headers["ETag"] = _etag(md5)
        if head:
            await to_thread.run_sync(file.close)
            return Response(status_code=200, headers=headers)
        return StreamingResponse(_chunks(file), status_code=200, headers=headers)

    def _open(self, key: str) -> tuple[IO[bytes], int]:
        """Open first, then measure the open handle, so the length matches what is streamed."""
        file = self._store.open_read(key)
        size = file.seek(0, 2)
        file.seek(0)
        return file, size


async def _chunks(file: IO[bytes]) -> AsyncIterator[bytes]:
    try:
        while chunk := await to_thread.run_sync(file.read, CHUNK_BYTES):
            yield chunk
    finally:
        await to_thread.run_sync(file.close)


class _BadUpload(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _expected_md5(request: Request, signed_md5: bytes | None) -> bytes | None:
    """The digest the body must have: the Content-MD5 header, which must agree with what the URL pins."""
    header = _header_md5(request, "Content-MD5")
    metadata = _header_md5(request, CONTENT_MD5_METADATA_HEADER)
    if signed_md5 is not None and header is not None and header != signed_md5:
        raise _BadUpload(403, "the Content-MD5 header does not match the signed URL")
    expected = header if header is not None else signed_md5
    if metadata is not None and expected is not None and metadata != expected:
        raise _BadUpload(400, "Content-MD5 mismatch")
    return expected if expected is not None else metadata


def _header_md5(request: Request, name: str) -> bytes | None:
    value = request.headers.get(name)
    if value is None:
        return None
    try:
        digest = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise _BadUpload(400, f"invalid {name} header") from None
    if len(digest) != 16:
        raise _BadUpload(400, f"invalid {name} header")
    return digest


def _etag(md5: bytes) -> str:
    return f'"{md5.hex()}"'
