"""The blob store: uploaded code, task inputs/outputs and closures, in a local folder or an object store.

Objects are addressed by keys ("project/domain/prefix/file.tar.gz"); `native_url` turns a key into the URI
that Flyte literals and fast-execute arguments carry. Writes go to a temp file first and become visible in one
step, so a crash never leaves a half-written object. The MD5 of every object is recorded beside it (under a
reserved `.flyteplane/` prefix, never inside user folders) because the data proxy compares it on re-uploads.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import time
import uuid
from collections.abc import Mapping
from types import TracebackType
from typing import IO, Any

import fsspec.core
from fsspec.implementations.local import LocalFileSystem
from fsspec.utils import get_protocol

from flyteplane.errors import AlreadyExists, InvalidArgument, NotFound

__all__ = ["LOCAL_SCHEME", "BlobStore", "BlobWriter", "validate_key"]

LOCAL_SCHEME = "local://"
"""fsspec's second name for local files: a `local:///path` URL is local to fsspec but remote to flytekit, which
re-validates (and re-uploads) any bare path or file:// URL it is handed as a FlyteFile or FlyteDirectory."""

RESERVED_SEGMENT = ".flyteplane"
"""First key segment kept for the store's own bookkeeping (md5 records, temp files)."""

_MD5_DIR = f"{RESERVED_SEGMENT}/md5"
_TMP_DIR = f"{RESERVED_SEGMENT}/tmp"
_STALE_TEMP_SECONDS = 24 * 3600
_MAX_SEGMENT_BYTES = 255
_MAX_KEY_BYTES = 1024
_READ_CHUNK = 1024 * 1024


def validate_key(key: str) -> str:
    """Return `key` if it names an object inside the store, else raise InvalidArgument.

    Keys are relative, '/'-separated, without '.', '..' or empty segments, NUL, backslashes or control
    characters, so no key can reach outside the store's base or alias another key.
    """
    reason = _key_problem(key)
    if reason is not None:
        raise InvalidArgument(f"invalid blob key [{key!r}]: {reason}")
    return key


def _key_problem(key: str) -> str | None:
    if not key:
        return "empty key"
    if key.startswith("/"):
        return "absolute keys are not allowed"
    if "\\" in key:
        return "backslashes are not allowed"
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in key):
        return "control characters are not allowed"
    if len(key.encode("utf-8", "surrogatepass")) > _MAX_KEY_BYTES:
        return f"longer than {_MAX_KEY_BYTES} bytes"
    segments = key.split("/")
    if segments[0] == RESERVED_SEGMENT:
        return f"the prefix {RESERVED_SEGMENT}/ is reserved"
    for segment in segments:
        if segment in ("", ".", ".."):
            return "empty, '.' and '..' path segments are not allowed"
        if len(segment.encode("utf-8", "surrogatepass")) > _MAX_SEGMENT_BYTES:
            return f"a path segment is longer than {_MAX_SEGMENT_BYTES} bytes"
    return None


class BlobStore:
    """Blob storage over fsspec; `base` is a local directory path or an fsspec URL (s3://bucket/prefix)."""

    def __init__(self, base: str, *, storage_options: Mapping[str, Any] | None = None) -> None:
        if not base:
            raise ValueError("the blob store needs a base directory or URL")
        fs, root = fsspec.core.url_to_fs(base, **dict(storage_options or {}))
        self._fs: Any = fs
        self._local = isinstance(fs, LocalFileSystem)
        if self._local:
            root = os.path.abspath(root)
            os.makedirs(os.path.join(root, _TMP_DIR), exist_ok=True)
            self._base: str = root
        else:
            self._base = str(fs.unstrip_protocol(root)).rstrip("/")
        self._root: str = root.rstrip("/")
        if self._local:
            self._sweep_stale_temps()

    @property
    def base(self) -> str:
        """Absolute path for a local store, URL for a remote one."""
        return self._base

    @property
    def is_local(self) -> bool:
        return self._local

    def native_url(self, key: str) -> str:
        """The URI a literal carries for `key`: a bare absolute path locally (never file://, which breaks
        FlyteFile inputs), the object-store URL otherwise."""
        return f"{self._base}/{validate_key(key)}"

    def remote_url(self, key: str) -> str:
        """The URI handed to clients for an uploaded object (the data proxy's native_url): one flytekit treats as
        remote, so it never checks it against its own disk. `local:///...` for a local store, the object URL
        otherwise."""
        url = self.native_url(key)
        return LOCAL_SCHEME + url if self._local else url

    def bucket_and_key(self, key: str) -> tuple[str, str]:
        """An object store's bucket and the object's key in it (for presigned URLs)."""
        if self._local:
            raise ValueError("a local blob store has no buckets")
        bucket, _, prefix = self._root.partition("/")
        return bucket, f"{prefix}/{validate_key(key)}" if prefix else validate_key(key)

    def key_of(self, native_url: str) -> str:
        """Inverse of `native_url`; InvalidArgument if the URL points outside the store."""
        protocols = self._fs.protocol if isinstance(self._fs.protocol, tuple) else (self._fs.protocol,)
        outside = InvalidArgument(f"[{native_url}] is not a location in the blob store [{self._base}]")
        if get_protocol(native_url) not in protocols:
            raise outside
        if self._local and not native_url.startswith(("/", "file://", LOCAL_SCHEME)):
            raise outside
        path = str(type(self._fs)._strip_protocol(native_url))
        if not path.startswith(self._root + "/"):
            raise outside
        key = path[len(self._root) + 1 :]
        if _key_problem(key) is not None:
            raise outside
        return key

    def exists(self, key: str) -> bool:
        return bool(self._fs.isfile(self._path(key)))

    def put_bytes(self, key: str, data: bytes, *, content_md5: bytes | None = None, durable: bool = True) -> None:
        """Store `data` atomically; InvalidArgument("Content-MD5 mismatch") leaves any old object in place.
        `durable=False` skips the flush to disk, for what can be written again from what is stored (a process
        that dies loses nothing either way; only a machine that does may)."""
        with self.open_write(key, content_md5=content_md5, durable=durable) as writer:
            writer.write(data)

    def open_write(
        self, key: str, *, content_md5: bytes | None = None, create_only: bool = False, durable: bool = True
    ) -> BlobWriter:
        """Start a streamed write; the object appears only when the writer commits. `create_only`: the commit
        refuses (AlreadyExists) to replace an existing object with other content; the same content is a no-op.
        `durable=False`: see put_bytes."""
        return BlobWriter(self, validate_key(key), content_md5, create_only=create_only, durable=durable)

    def get_bytes(self, key: str) -> bytes:
        with self.open_read(key) as f:
            return f.read()

    def open_read(self, key: str) -> IO[bytes]:
        """Open an object for streaming; NotFound("object not found") if it is absent."""
        path = self._path(key)
        try:
            if self._local:
                return open(path, "rb")  # the caller owns the handle
            f: IO[bytes] = self._fs.open(path, "rb")
            return f
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise NotFound("object not found") from None

    def stored_md5(self, key: str) -> bytes | None:
        """The MD5 of the object's current content, or None if the object is absent or its digest unknown.

        A remote object's ETag wins when it is a plain MD5 (single-part uploads); otherwise the record written
        with the object is trusted only while the object is unchanged since, and a local object is re-hashed.
        """
        path = self._path(key)
        try:
            info = self._object_info(path)
        except (FileNotFoundError, NotADirectoryError):
            return None
        if not self._local:
            etag_md5 = _md5_from_etag(info)
            if etag_md5 is not None:
                return etag_md5
        identity = self._identity_of(info)
        recorded = self._read_md5_record(key)
        if recorded is not None and recorded[1] == identity:
            return recorded[0]
        if not self._local:
            return None
        digest = _md5_of_file(path)
        self._write_md5_record(key, digest, identity)
        return digest

    def probe(self) -> str:
        """Writes, reads back and deletes a small object under the store's reserved prefix: what `flyteplane
        doctor` checks. Returns the probe's location; raises OSError (or the object store's own error) saying
        what failed."""
        path = f"{self._root}/{RESERVED_SEGMENT}/probe/{uuid.uuid4().hex}"
        data = b"flyteplane doctor probe"
        if self._local:
            os.makedirs(os.path.dirname(path), exist_ok=True)
        self._fs.pipe_file(path, data)
        try:
            read = self._fs.cat_file(path)
            if read != data:
                raise OSError(f"read back {len(read)} bytes that differ from the {len(data)} written")
        finally:
            self._fs.rm_file(path)
        if self._fs.exists(path):
            raise OSError("the probe object is still there after deleting it")
        return path

    # -- internals shared with BlobWriter --

    def _path(self, key: str) -> str:
        return f"{self._root}/{validate_key(key)}"

    def _temp_dir(self) -> str:
        """Local temps live inside the store so the final rename never crosses filesystems."""
        if self._local:
            return os.path.join(self._root, _TMP_DIR)
        return tempfile.gettempdir()

    def _commit(self, temp_path: str, key: str, md5: bytes, *, create_only: bool = False) -> bool:
        """Make a finished temp file the object `key`; True if it did not exist before."""
        path = self._path(key)
        if create_only:
            return self._create(temp_path, key, md5)
        if not self._local:
            created = not self._fs.isfile(path)
            self._fs.put_file(temp_path, path)
            info = self._object_info(path)
            if _md5_from_etag(info) != md5:  # an ETag that is the MD5 already records it: no second PUT
                self._write_md5_record(key, md5, self._identity_of(info))
            return created
        try:
            os.chmod(temp_path, 0o600)  # owner-only, as everything in the server's home (issue 9)
            # Rename keeps inode and mtime, so the identity taken here is the published object's own; a writer
            # racing on the same key can then never pair its content with our digest.
            self._write_md5_record(key, md5, _local_identity(os.stat(temp_path)))
            os.makedirs(os.path.dirname(path), exist_ok=True)
            created = not os.path.isfile(path)
            os.replace(temp_path, path)
        except (NotADirectoryError, FileExistsError, IsADirectoryError) as e:
            raise InvalidArgument(f"cannot store an object at [{key}]: {e.strerror}") from None
        return created

    def _create(self, temp_path: str, key: str, md5: bytes) -> bool:
        """Publish only if `key` is absent (atomically on a local disk: link() never replaces); an existing object
        with the same content is left as it is, one with other content refuses."""
        path = self._path(key)
        if self._local:
            try:
                os.chmod(temp_path, 0o600)
                self._write_md5_record(key, md5, _local_identity(os.stat(temp_path)))
                os.makedirs(os.path.dirname(path), exist_ok=True)
                os.link(temp_path, path)
                return True
            except FileExistsError:
                pass
            except (NotADirectoryError, IsADirectoryError) as e:
                raise InvalidArgument(f"cannot store an object at [{key}]: {e.strerror}") from None
        elif not self._fs.isfile(path):
            return self._commit(temp_path, key, md5)
        if self.stored_md5(key) != md5:
            raise AlreadyExists(f"an object with other content already exists at [{key}]; it is never replaced")
        return False

    def _object_info(self, path: str) -> Mapping[str, Any]:
        """fsspec's info for an object; FileNotFoundError if there is none (a folder is no object)."""
        info: Mapping[str, Any] = self._fs.info(path)
        if info.get("type") != "file":
            raise FileNotFoundError(path)
        return info

    def _identity_of(self, info: Mapping[str, Any]) -> str:
        """What changes whenever the object is rewritten: lets a stale md5 record be detected."""
        if self._local:
            return _local_identity(os.stat(info["name"]))
        return ":".join(str(info.get(name)) for name in ("size", "ETag", "LastModified", "mtime", "created"))

    def _md5_record_path(self, key: str) -> str:
        return f"{self._root}/{_MD5_DIR}/{key}"

    def _read_md5_record(self, key: str) -> tuple[bytes, str] | None:
        try:
            raw = self._fs.cat_file(self._md5_record_path(key))
            record = json.loads(raw)
            return bytes.fromhex(record["md5"]), str(record["identity"])
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError, ValueError, KeyError, TypeError):
            return None

    def _write_md5_record(self, key: str, md5: bytes, identity: str) -> None:
        record = json.dumps({"md5": md5.hex(), "identity": identity}).encode()
        path = self._md5_record_path(key)
        if self._local:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=self._temp_dir(), prefix="md5-")
            with os.fdopen(fd, "wb") as f:
                f.write(record)
            os.replace(temp, path)
        else:
            self._fs.pipe_file(path, record)

    def _sweep_stale_temps(self) -> None:
        """Drop temp files a crashed writer left behind (old enough that no live writer owns them)."""
        cutoff = time.time() - _STALE_TEMP_SECONDS
        temp_dir = self._temp_dir()
        for entry in os.scandir(temp_dir):
            try:
                if entry.is_file(follow_symlinks=False) and entry.stat().st_mtime < cutoff:
                    os.unlink(entry.path)
            except FileNotFoundError:
                continue


class BlobWriter:
    """An upload in progress: bytes go to a temp file, hashed on the way; `commit` makes them the object.

    Used as a context manager it commits on a clean exit and discards the temp file on an exception.
    """

    def __init__(
        self,
        store: BlobStore,
        key: str,
        expected_md5: bytes | None,
        *,
        create_only: bool = False,
        durable: bool = True,
    ) -> None:
        self._store = store
        self._create_only = create_only
        self._durable = durable
        self._key = key
        self._expected_md5 = expected_md5
        self._hash = hashlib.md5(usedforsecurity=False)
        fd, self._temp_path = tempfile.mkstemp(dir=store._temp_dir(), prefix="put-")
        self._file: IO[bytes] | None = os.fdopen(fd, "wb")
        self.size = 0

    @property
    def key(self) -> str:
        return self._key

    @property
    def md5(self) -> bytes:
        """Digest of the bytes written so far (of the whole object once committed)."""
        return self._hash.digest()

    def write(self, data: bytes) -> None:
        if self._file is None:
            raise ValueError("write to a finished blob writer")
        self._file.write(data)
        self._hash.update(data)
        self.size += len(data)

    def commit(self) -> bool:
        """Publish the object; True if it is new.

        InvalidArgument("Content-MD5 mismatch") discards the upload and leaves any stored object untouched."""
        if self._file is None:
            raise ValueError("commit of a finished blob writer")
        file, self._file = self._file, None
        try:
            file.flush()
            if self._durable:
                os.fsync(file.fileno())
            file.close()
            digest = self._hash.digest()
            if self._expected_md5 is not None and digest != self._expected_md5:
                raise InvalidArgument("Content-MD5 mismatch")
            return self._store._commit(self._temp_path, self._key, digest, create_only=self._create_only)
        finally:
            file.close()
            _unlink_quietly(self._temp_path)

    def abort(self) -> None:
        """Throw the upload away; the stored object (if any) is untouched."""
        if self._file is not None:
            file, self._file = self._file, None
            file.close()
        _unlink_quietly(self._temp_path)

    def __enter__(self) -> BlobWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()


def _local_identity(st: os.stat_result) -> str:
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}"


def _md5_of_file(path: str) -> bytes:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        while chunk := f.read(_READ_CHUNK):
            digest.update(chunk)
    return digest.digest()


def _md5_from_etag(info: Mapping[str, Any]) -> bytes | None:
    """Object stores report a single-part upload's MD5 as its ETag (multipart ETags carry a '-N' suffix)."""
    etag = str(info.get("ETag") or info.get("etag") or "").strip('"')
    if len(etag) == 32:
        try:
            return bytes.fromhex(etag)
        except ValueError:
            return None
    return None


def _unlink_quietly(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
