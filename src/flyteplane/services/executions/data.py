"""Execution data in the blob store: offloading literal maps and closures, and inlining them in responses.

flyteadmin keeps inputs, inline event outputs and dynamic workflow closures under its `metadata/` prefix and
answers Get*Data with the full literal maps inline below a size threshold (2 MiB), or a download URL above.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import IO, Any

from flyteidl.admin import common_pb2
from flyteidl.core import literals_pb2
from google.protobuf.message import DecodeError, Message

from flyteplane.blobs.signing import Signer
from flyteplane.blobs.store import BlobStore
from flyteplane.blobs.urls import BlobUrls, LocalBlobUrls
from flyteplane.errors import FlyteplaneError

__all__ = ["DOWNLOAD_EXPIRY", "MAX_INLINE_BYTES", "ExecutionData", "metadata_key"]

log = logging.getLogger(__name__)

MAX_INLINE_BYTES = 2 * 1024 * 1024
"""flyteadmin's `remoteData.maxSizeInBytes`: larger inline event data is refused, larger maps not inlined."""

DOWNLOAD_EXPIRY = timedelta(hours=1)

METADATA_PREFIX = "metadata"


def metadata_key(*parts: str) -> str:
    """A key under flyteadmin's `metadata/` prefix, e.g. metadata/<project>/<domain>/<execution>/inputs.pb."""
    return "/".join((METADATA_PREFIX, *parts))


class ExecutionData:
    """Reads and writes execution data; `signer` and `public_url` turn large blobs into download URLs."""

    def __init__(
        self,
        blobs: BlobStore,
        signer: Signer | None = None,
        public_url: str = "",
        max_inline_bytes: int = MAX_INLINE_BYTES,
        urls: BlobUrls | None = None,
    ) -> None:
        self.blobs = blobs
        if urls is None and signer is not None and public_url:
            urls = LocalBlobUrls(signer, public_url.rstrip("/"))
        self._urls = urls
        self.max_inline_bytes = max_inline_bytes

    def write(self, key: str, message: Message) -> str:
        """Store a message at `key` and return its native URL (what literals and closures carry)."""
        self.blobs.put_bytes(key, message.SerializeToString(deterministic=True))
        return self.blobs.native_url(key)

    def offload(self, parts: Sequence[str], literal_map: literals_pb2.LiteralMap) -> str:
        """flyteadmin's OffloadLiteralMap: the map under metadata/<parts...>; returns its native URL."""
        return self.write(metadata_key(*parts), literal_map)

    def read_literal_map(self, uri: str) -> literals_pb2.LiteralMap:
        """The literal map at a native URL; raises NotFound/InvalidArgument when it cannot be read."""
        literal_map = literals_pb2.LiteralMap()
        literal_map.ParseFromString(self.blobs.get_bytes(self.blobs.key_of(uri)))
        return literal_map

    def read_message(self, uri: str, message: Message) -> Message:
        message.ParseFromString(self.blobs.get_bytes(self.blobs.key_of(uri)))
        return message

    def for_response(self, uri: str) -> tuple[literals_pb2.LiteralMap, common_pb2.UrlBlob]:
        """The map inline when smaller than the threshold, else a signed download URL and its size.

        As in flyteadmin, a blob that cannot be read leaves the map empty instead of failing the request.
        """
        empty = literals_pb2.LiteralMap()
        if not uri:
            return empty, common_pb2.UrlBlob()
        try:
            key = self.blobs.key_of(uri)
            with self.blobs.open_read(key) as handle:
                size = _size_of(handle)
                if size >= self.max_inline_bytes:
                    return empty, common_pb2.UrlBlob(url=self._download_url(key, uri), bytes=size)
                literal_map = literals_pb2.LiteralMap()
                literal_map.ParseFromString(handle.read())
                return literal_map, common_pb2.UrlBlob()
        except (FlyteplaneError, OSError, DecodeError) as exc:
            log.warning("cannot read literal map at [%s]: %s", uri, exc)
            return empty, common_pb2.UrlBlob()

    def inline_for_response(self, literal_map: literals_pb2.LiteralMap) -> literals_pb2.LiteralMap:
        """Inline data stored on a closure is returned only below the threshold."""
        if literal_map.ByteSize() < self.max_inline_bytes:
            return literal_map
        return literals_pb2.LiteralMap()

    def fill_response(
        self, response: Any, inputs_uri: str, outputs: literals_pb2.LiteralMap | None, outputs_uri: str
    ) -> None:
        """A GetData response's inputs and outputs: outputs kept inline on a closure, else read from their URI."""
        full_inputs, inputs = self.for_response(inputs_uri)
        response.full_inputs.CopyFrom(full_inputs)
        response.inputs.CopyFrom(inputs)
        if outputs is not None:
            response.full_outputs.CopyFrom(self.inline_for_response(outputs))
        elif outputs_uri:
            full_outputs, urls = self.for_response(outputs_uri)
            response.full_outputs.CopyFrom(full_outputs)
            response.outputs.CopyFrom(urls)

    def too_large(self, literal_map: literals_pb2.LiteralMap) -> bool:
        return bool(literal_map.ByteSize() > self.max_inline_bytes)

    def _download_url(self, key: str, native_url: str) -> str:
        if self._urls is None:
            return native_url
        return self._urls.download(key, datetime.now(UTC) + DOWNLOAD_EXPIRY)


def _size_of(handle: IO[bytes]) -> int:
    size = handle.seek(0, os.SEEK_END)
    handle.seek(0)
    return int(size)
