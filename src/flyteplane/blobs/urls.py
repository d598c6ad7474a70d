"""Who hands out blob URLs: this server's own signed `/blobs/` URLs for a local store, presigned S3 URLs otherwise.

The data proxy and the execution data answers ask for an upload or a download URL and never care which; with an
S3 store flytekit then moves the bytes straight to and from the object store, as it does with flyteadmin.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Protocol

from flyteplane.blobs.s3 import S3Presigner, seconds_until
from flyteplane.blobs.signing import CONTENT_MD5_METADATA_HEADER, Signer, blob_url
from flyteplane.blobs.store import BlobStore

__all__ = ["BlobUrls", "LocalBlobUrls", "S3BlobUrls", "SignedUpload", "blob_urls"]

IF_NONE_MATCH = "If-None-Match"


@dataclass(frozen=True)
class SignedUpload:
    url: str
    headers: dict[str, str]  # what the client must send with its PUT (the signature covers them)


class BlobUrls(Protocol):
    def upload(
        self, key: str, expires_at: datetime, content_md5: bytes | None, *, md5_metadata: bool, create_only: bool
    ) -> SignedUpload:
        """A PUT of `key`, pinned to `content_md5` when given; `create_only`: refused if the key exists by then."""
        ...

    def download(self, key: str, expires_at: datetime) -> str: ...


def _md5_headers(content_md5: bytes | None, md5_metadata: bool) -> dict[str, str]:
    if content_md5 is None:
        return {}
    encoded = base64.b64encode(content_md5).decode()
    headers = {"Content-MD5": encoded}
    if md5_metadata:
        headers[CONTENT_MD5_METADATA_HEADER] = encoded
    return headers


class LocalBlobUrls:
    """URLs to this server's `/blobs/` routes, HMAC-signed; the route itself refuses to overwrite an object with
    other content, so `create_only` needs no header."""

    def __init__(self, signer: Signer, public_url: Callable[[], str] | str) -> None:
        self._signer = signer
        self._public_url = public_url

    def upload(
        self, key: str, expires_at: datetime, content_md5: bytes | None, *, md5_metadata: bool, create_only: bool
    ) -> SignedUpload:
        url = self._url("PUT", key, expires_at, content_md5)
        return SignedUpload(url, _md5_headers(content_md5, md5_metadata))

    def download(self, key: str, expires_at: datetime) -> str:
        return self._url("GET", key, expires_at, None)

    def _url(self, method: str, key: str, expires_at: datetime, md5: bytes | None) -> str:
        public_url = self._public_url() if callable(self._public_url) else self._public_url
        return blob_url(public_url, key, self._signer.sign(method, key, expires_at, md5))


class S3BlobUrls:
    """Presigned S3 URLs for the objects of an s3:// store."""

    def __init__(self, store: BlobStore, presigner: S3Presigner, clock: Callable[[], datetime] | None = None) -> None:
        self._store = store
        self._presigner = presigner
        self._clock = clock or (lambda: datetime.now(timezone.utc))

    def upload(
        self, key: str, expires_at: datetime, content_md5: bytes | None, *, md5_metadata: bool, create_only: bool
    ) -> SignedUpload:
        bucket, object_key = self._store.bucket_and_key(key)
        headers = _md5_headers(content_md5, md5_metadata)
        metadata = {"flyteContentMD5": headers["Content-MD5"]} if md5_metadata and content_md5 else None
        url = self._presigner.put(
            bucket,
            object_key,
            seconds_until(expires_at, self._clock()),
            content_md5=headers.get("Content-MD5"),
            metadata=metadata,
            create_only=create_only,
        )
        if create_only:
            headers[IF_NONE_MATCH] = "*"
        return SignedUpload(url, headers)

    def download(self, key: str, expires_at: datetime) -> str:
        bucket, object_key = self._store.bucket_and_key(key)
        return self._presigner.get(bucket, object_key, seconds_until(expires_at, self._clock()))


def blob_urls(
    store: BlobStore, signer: Signer, public_url: Callable[[], str] | str, presigner: S3Presigner | None
) -> BlobUrls:
    """Presigned S3 URLs for an S3 store, this server's signed URLs otherwise."""
    if presigner is not None and not store.is_local:
        return S3BlobUrls(store, presigner)
    return LocalBlobUrls(signer, public_url)
