"""Signed, expiring blob URLs: how the data proxy lets a client PUT or GET one object without credentials.

A URL grants one method on one key until a deadline, optionally pinned to the content's MD5 (as an S3
presigned PUT pins Content-MD5). The HMAC secret must outlive server restarts, or URLs handed out earlier stop
working.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from urllib.parse import quote, urlencode

__all__ = [
    "BLOBS_PATH",
    "CONTENT_MD5_METADATA_HEADER",
    "BadSignature",
    "ExpiredSignature",
    "SignatureError",
    "Signer",
    "WrongMethod",
    "blob_url",
    "load_or_create_secret",
    "signed_content_md5",
]

BLOBS_PATH = "/blobs"
"""Where the HTTP server mounts signed blob access; signed URLs are `<public url>/blobs/<key>?<signature>`."""

CONTENT_MD5_METADATA_HEADER = "x-amz-meta-flyteContentMD5"
"""Header flyteadmin asks uploads to carry when add_content_md5_metadata is set (S3 metadata)."""

_MIN_SECRET_BYTES = 16
_SECRET_BYTES = 32
_PARAMS = ("method", "expires", "signature")


class SignatureError(Exception):
    """A signed URL that does not grant the request; `message` is safe to show to the client."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadSignature(SignatureError):
    """The URL was not issued by this server, or was altered."""


class ExpiredSignature(SignatureError):
    """The URL was genuine but its deadline has passed."""


class WrongMethod(SignatureError):
    """The URL was issued for another HTTP method (an upload URL used to download, say)."""


class Signer:
    """HMAC-SHA256 signatures over (method, key, deadline, content MD5)."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < _MIN_SECRET_BYTES:
            raise ValueError(f"the signing secret must be at least {_MIN_SECRET_BYTES} bytes")
        self._secret = secret

    def sign(self, method: str, key: str, expires_at: datetime, content_md5: bytes | None) -> str:
        """The query string that makes `<blob url>?<it>` grant `method` on `key` until `expires_at`."""
        if expires_at.tzinfo is None:
            raise ValueError("expires_at must be timezone-aware")
        method = method.upper()
        expires = int(expires_at.timestamp())
        md5 = _b64url(content_md5) if content_md5 else ""
        params = {"method": method, "expires": str(expires)}
        if md5:
            params["md5"] = md5
        params["signature"] = self._mac(method, key, expires, md5)
        return urlencode(params)

    def verify(self, method: str, key: str, params: Mapping[str, str], now: datetime) -> None:
        """Raise a SignatureError unless `params` (the URL's query) grant `method` on `key` at `now`."""
        if any(name not in params for name in _PARAMS):
            raise BadSignature("the URL is not signed")
        try:
            expires = int(params["expires"])
        except ValueError:
            raise BadSignature("the URL's signature is malformed") from None
        md5 = params.get("md5", "")
        expected = self._mac(params["method"], key, expires, md5)
        if not hmac.compare_digest(expected, params["signature"]):
            raise BadSignature("the URL's signature does not match")
        if params["method"] != method.upper():
            raise WrongMethod(f"the URL allows {params['method']}, not {method.upper()}")
        if now.timestamp() >= expires:
            raise ExpiredSignature("the URL has expired")

    def _mac(self, method: str, key: str, expires: int, md5: str) -> str:
        # JSON framing keeps the fields unambiguous whatever characters the key holds.
        payload = json.dumps([method, key, expires, md5], separators=(",", ":")).encode()
        return hmac.new(self._secret, payload, hashlib.sha256).hexdigest()


def signed_content_md5(params: Mapping[str, str]) -> bytes | None:
    """The MD5 a verified URL pins the uploaded content to, if any."""
    md5 = params.get("md5", "")
    if not md5:
        return None
    try:
        return base64.urlsafe_b64decode(md5 + "=" * (-len(md5) % 4))
    except (binascii.Error, ValueError):
        raise BadSignature("the URL's signature is malformed") from None


def blob_url(public_url: str, key: str, query: str) -> str:
    """The URL a client uses to reach `key` through this server."""
    return f"{public_url.rstrip('/')}{BLOBS_PATH}/{quote(key, safe='/')}?{query}"


def load_or_create_secret(path: Path) -> bytes:
    """Read the signing secret at `path`, creating it (owner-only) on first use so URLs survive restarts."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_bytes(_SECRET_BYTES)
    temp = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(secret)
        f.flush()
        os.fsync(f.fileno())
    try:
        # link() fails if another process created the secret first; then everyone uses that one.
        os.link(temp, path)
    except FileExistsError:
        return path.read_bytes()
    finally:
        os.unlink(temp)
    return secret


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")
