"""DataProxyService: hands out signed URLs so clients move blobs without storage credentials.

flytekit uploads every code tarball and local input through CreateUploadLocation followed by an HTTP PUT; the
native_url it gets back ends up in task templates and literals, and is hashed into registration versions, so
the same content must map to the same path. Rules and messages follow flyteadmin's data proxy.

Uploads live in a namespace of their own (`uploads/<org>/<project>/<domain>/...`, for an existing project and
domain), so no signed upload can ever address what the engine writes (`metadata/...`, raw outputs); and an object
once uploaded is never replaced by other content: the HTTP route refuses such a PUT, and an S3 PUT to a name the
caller chose is signed with `If-None-Match: *`.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from flyteidl.core import identifier_pb2
from flyteidl.service import dataproxy_pb2

from flyteplane.blobs.signing import Signer
from flyteplane.blobs.store import BlobStore
from flyteplane.blobs.urls import BlobUrls, LocalBlobUrls
from flyteplane.errors import AlreadyExists, InvalidArgument, NotFound

__all__ = ["UPLOADS_PREFIX", "DataProxyService", "go_duration"]

UPLOADS_PREFIX = "uploads"
"""The first key segment of every upload; nothing the engine writes starts with it."""

FILENAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
FILENAME_LENGTH = 20

_MAX_DURATION_SECONDS = 315_576_000_000
_INT64_MAX = 2**63 - 1
_INT64_MIN = -(2**63)


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class DataProxyService:
    """CreateUploadLocation, CreateDownloadLocation and the signing half of CreateDownloadLink."""

    def __init__(
        self,
        store: BlobStore,
        signer: Signer,
        *,
        public_url: Callable[[], str] | str,
        upload_max_expires: timedelta = timedelta(hours=1),
        download_max_expires: timedelta = timedelta(hours=1),
        upload_storage_prefix: str = UPLOADS_PREFIX,
        clock: Callable[[], datetime] = _utc_now,
        deck_uri_of: Callable[[identifier_pb2.NodeExecutionIdentifier], str] | None = None,
        check_project_domain: Callable[[str, str], None] | None = None,
        urls: BlobUrls | None = None,
    ) -> None:
        self._store = store
        self._urls = urls or LocalBlobUrls(signer, public_url)
        self._upload_max = upload_max_expires
        self._download_max = download_max_expires
        self._upload_prefix = upload_storage_prefix.strip("/")
        if not self._upload_prefix:
            raise ValueError("uploads need a prefix of their own, apart from the engine's keys")
        self._clock = clock
        self._deck_uri_of = deck_uri_of or _no_node_executions
        self._check_project_domain = check_project_domain

    def create_upload_location(
        self, req: dataproxy_pb2.CreateUploadLocationRequest
    ) -> dataproxy_pb2.CreateUploadLocationResponse:
        if not req.project or not req.domain:
            raise InvalidArgument("project and domain are required parameters")
        if not req.filename_root and not req.content_md5:
            raise InvalidArgument("content_md5 or filename_root is a required parameter")
        if self._check_project_domain is not None:
            self._check_project_domain(req.project, req.domain)
        md5: bytes | None = req.content_md5 or None
        create_only = False
        if req.filename and req.filename_root:
            # A caller-chosen path: only a re-upload of the same content may overwrite what is there.
            exists = self._check_rewrite_allowed(self._upload_key(req, req.filename_root, req.filename), md5)
            create_only = not exists
        expires_in = self._upload_expiry(req)

        filename = req.filename or "".join(secrets.choice(FILENAME_ALPHABET) for _ in range(FILENAME_LENGTH))
        prefix = req.filename_root or base64.b32encode(req.content_md5).decode()
        key = self._upload_key(req, prefix, filename)

        expires_at = self._clock() + expires_in
        upload = self._urls.upload(
            key, expires_at, md5, md5_metadata=req.add_content_md5_metadata, create_only=create_only
        )
        resp = dataproxy_pb2.CreateUploadLocationResponse(
            signed_url=upload.url, native_url=self._store.remote_url(key), headers=upload.headers
        )
        resp.expires_at.FromDatetime(expires_at)
        return resp

    def create_download_location(
        self, req: dataproxy_pb2.CreateDownloadLocationRequest
    ) -> dataproxy_pb2.CreateDownloadLocationResponse:
        """Deprecated RPC, still served: a signed GET for any native_url in the store."""
        prefix = "error while validating request: "
        expires_in = self._download_expiry(req.expires_in if req.HasField("expires_in") else None, prefix)
        if any(ord(c) < 0x20 or ord(c) == 0x7F for c in req.native_url):
            raise InvalidArgument(f"{prefix}failed to parse native_url [{req.native_url}]")
        try:
            key = self._store.key_of(req.native_url)
        except InvalidArgument as e:
            raise InvalidArgument(prefix + e.message) from None
        expires_at = self._clock() + expires_in
        resp = dataproxy_pb2.CreateDownloadLocationResponse(signed_url=self._urls.download(key, expires_at))
        resp.expires_at.FromDatetime(expires_at)
        return resp

    def check_download_link_expiry(self, expires_in: Any | None) -> timedelta:
        """Validate CreateDownloadLink's expires_in (a Duration, None when unset) as its first check does."""
        return self._download_expiry(expires_in, "error while validating request. Error: ")

    def create_download_link(
        self, req: dataproxy_pb2.CreateDownloadLinkRequest
    ) -> dataproxy_pb2.CreateDownloadLinkResponse:
        """A signed link to a node execution's deck (the only artifact type Flyte 1.16 defines)."""
        expires_in = self.check_download_link_expiry(req.expires_in if req.HasField("expires_in") else None)
        if req.artifact_type == dataproxy_pb2.ARTIFACT_TYPE_UNDEFINED:
            raise InvalidArgument("error while validating request: invalid artifact type [ARTIFACT_TYPE_UNDEFINED]")
        if not req.HasField("node_execution_id"):
            raise InvalidArgument("error while validating request: source is required")
        deck_uri = self._deck_uri_of(req.node_execution_id)
        if not deck_uri:
            raise NotFound(f"no deckUrl found for request [{req.node_execution_id}]".replace("\n", " "))
        return self.create_download_link_for_uri(deck_uri, expires_in)

    def create_download_link_for_uri(
        self, native_uri: str, expires_in: timedelta | None
    ) -> dataproxy_pb2.CreateDownloadLinkResponse:
        """A signed GET for an existing object, shaped as CreateDownloadLink answers (e.g. a node's deck)."""
        if expires_in is None or expires_in == timedelta(0):
            expires_in = self._download_max
        else:
            problem = _download_duration_problem(_timedelta_ns(expires_in), self._download_max)
            if problem is not None:
                raise InvalidArgument(f"error while validating request. Error: expiresIn is invalid. Error: {problem}")
        key = self._store.key_of(native_uri)
        if not self._store.exists(key):
            raise NotFound("object not found")
        expires_at = self._clock() + expires_in
        url = self._urls.download(key, expires_at)
        resp = dataproxy_pb2.CreateDownloadLinkResponse(signed_url=[url])
        resp.expires_at.FromDatetime(expires_at)
        resp.pre_signed_urls.signed_url.append(url)
        resp.pre_signed_urls.expires_at.CopyFrom(resp.expires_at)
        return resp

    # -- helpers --

    def _upload_key(self, req: dataproxy_pb2.CreateUploadLocationRequest, prefix: str, filename: str) -> str:
        parts = [self._upload_prefix, req.org, req.project, req.domain, prefix, filename]
        key = "/".join(part for part in parts if part)
        self._store.native_url(key)  # rejects keys that would leave the store, with InvalidArgument
        return key

    def _check_rewrite_allowed(self, key: str, md5: bytes | None) -> bool:
        """True if the object exists (with this very content: anything else is refused)."""
        if not self._store.exists(key):
            return False
        if md5 is None or self._store.stored_md5(key) != md5:
            raise AlreadyExists(
                f"file already exists at location [{self._store.remote_url(key)}], "
                "specify a matching hash if you wish to rewrite"
            )
        return True

    def _upload_expiry(self, req: dataproxy_pb2.CreateUploadLocationRequest) -> timedelta:
        if not req.HasField("expires_in"):
            return self._upload_max
        duration = req.expires_in
        if not _is_valid_duration(duration) or duration.seconds < 0 or duration.nanos < 0:
            raise InvalidArgument(f"expiresIn [{_duration_text(duration)}] is invalid")
        ns = _duration_ns(duration)
        if ns == 0:
            return self._upload_max
        if ns > _timedelta_ns(self._upload_max):
            raise InvalidArgument(
                f"expiresIn [{go_duration(ns)}] cannot exceed max allowed expiration "
                f"[{go_duration(_timedelta_ns(self._upload_max))}]"
            )
        return timedelta(microseconds=ns // 1000)

    def _download_expiry(self, duration: Any | None, prefix: str) -> timedelta:
        if duration is None:
            return self._download_max
        error = f"{prefix}expiresIn is invalid. Error: "
        if not _is_valid_duration(duration):
            raise InvalidArgument(f"{error}input duration [{_duration_text(duration)}] is invalid")
        ns = _duration_ns(duration)
        problem = _download_duration_problem(ns, self._download_max)
        if problem is not None:
            raise InvalidArgument(error + problem)
        # A zero deadline would sign an already-expired URL; treat it like an unset one.
        return self._download_max if ns == 0 else timedelta(microseconds=ns // 1000)


def _download_duration_problem(ns: int, maximum: timedelta) -> str | None:
    if ns < 0:
        return f"input duration [{go_duration(ns)}] should not less than 0"
    if ns > _timedelta_ns(maximum):
        return (
            f"input duration [{go_duration(ns)}] cannot exceed max allowed expiration "
            f"[{go_duration(_timedelta_ns(maximum))}]"
        )
    return None


def _is_valid_duration(duration: Any) -> bool:
    """protobuf's Duration rules: bounded seconds, sub-second nanos, both of the same sign."""
    seconds, nanos = int(duration.seconds), int(duration.nanos)
    if abs(seconds) > _MAX_DURATION_SECONDS or abs(nanos) >= 1_000_000_000:
        return False
    return not ((seconds < 0 < nanos) or (nanos < 0 < seconds))


def _duration_ns(duration: Any) -> int:
    """Nanoseconds, saturated to Go's time.Duration range as flyteadmin's AsDuration does."""
    ns = int(duration.seconds) * 1_000_000_000 + int(duration.nanos)
    return max(_INT64_MIN, min(_INT64_MAX, ns))


def _duration_text(duration: Any) -> str:
    """A Duration message as Go prints it in error messages (text format, zero fields omitted)."""
    fields = [f"{name}:{value}" for name, value in (("seconds", duration.seconds), ("nanos", duration.nanos)) if value]
    return " ".join(fields)


def _timedelta_ns(delta: timedelta) -> int:
    return ((delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds) * 1_000


def go_duration(ns: int) -> str:
    """Go's time.Duration.String(), which flyteadmin's messages embed ("1h0m0s", "1.5s", "250ms")."""
    if ns == 0:
        return "0s"
    sign = "-" if ns < 0 else ""
    u = abs(ns)
    if u < 1_000:
        return f"{sign}{u}ns"
    if u < 1_000_000:
        return f"{sign}{_decimal(u, 1_000)}µs"
    if u < 1_000_000_000:
        return f"{sign}{_decimal(u, 1_000_000)}ms"
    text = f"{_decimal(u % 60_000_000_000, 1_000_000_000)}s"
    minutes = u // 60_000_000_000
    if minutes:
        text = f"{minutes % 60}m{text}"
        hours = minutes // 60
        if hours:
            text = f"{hours}h{text}"
    return sign + text


def _decimal(value: int, scale: int) -> str:
    whole, fraction = divmod(value, scale)
    digits = str(fraction).rjust(len(str(scale)) - 1, "0").rstrip("0")
    return f"{whole}.{digits}" if digits else str(whole)


def _no_node_executions(node_execution_id: identifier_pb2.NodeExecutionIdentifier) -> str:
    """The resolver until executions exist: every node execution lookup fails, as flyteadmin reports it."""
    execution = node_execution_id.execution_id
    raise InvalidArgument(
        f"failed to get node execution with id [{execution.project}/{execution.domain}/{execution.name}/"
        f"{node_execution_id.node_id}]: node execution does not exist"
    )
