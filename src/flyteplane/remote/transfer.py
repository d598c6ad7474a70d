"""Moving blobs through the data proxy: CreateUploadLocation plus an HTTP PUT, CreateDownloadLocation plus a GET.

Plain urllib, so no HTTP library is needed. Uploads are content-addressed (the md5 is sent), so uploading the
same bytes twice lands at the same native URL, which flytekit's version hashes rely on. Directories are uploaded
file by file under one `filename_root` derived from the files' digests, and become the common prefix. Reading a
directory back needs a listing the data proxy does not offer, so directories (and files the proxy will not sign)
are read with fsspec, as flytekit reads them: local paths always work, object stores need their fsspec package
and credentials.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import ssl
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import grpc

from flyteplane.client import FlyteClientException, FlyteInvalidInputException, SynchronousFlyteClient

__all__ = ["BlobTransfer", "UploadError", "file_md5", "filename_root_of"]

_CHUNK = 1024 * 1024


class UploadError(RuntimeError):
    """The signed URL refused the upload (or the download)."""


def file_md5(path: Path) -> bytes:
    digest = hashlib.md5()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.digest()


def filename_root_of(digests: list[bytes]) -> str:
    """One prefix for files uploaded together, stable for the same contents (as flytekit's FlyteFS derives it)."""
    combined = hashlib.md5()
    for digest in digests:
        combined.update(digest)
    return base64.b32encode(combined.digest()).decode()


class BlobTransfer:
    """Uploads and downloads for one remote; `project`/`domain` say where uploads go by default."""

    def __init__(
        self,
        client: Callable[[], SynchronousFlyteClient],
        project: Callable[[], str],
        domain: Callable[[], str],
        ca_cert_file_path: str | None = None,
    ) -> None:
        self._client = client
        self._project = project
        self._domain = domain
        self._ca_cert_file_path = ca_cert_file_path
        self._ssl: ssl.SSLContext | None = None

    # -- uploads --

    def upload(
        self,
        path: Path,
        project: str | None = None,
        domain: str | None = None,
        filename_root: str | None = None,
        filename: str | None = None,
    ) -> tuple[bytes, str]:
        """Uploads one file; returns its md5 and the native URL it now lives at."""
        if not path.is_file():
            raise ValueError(f"{path} is not a single file, upload arg must be a single file.")
        md5 = file_md5(path)
        location = self._client().get_upload_signed_url(
            project=project or self._project(),
            domain=domain or self._domain(),
            content_md5=md5,
            filename=filename or path.name,
            filename_root=filename_root,
        )
        headers = {"Content-Length": str(path.stat().st_size), "Content-MD5": base64.b64encode(md5).decode()}
        headers.update(dict(location.headers))
        if str(location.native_url).startswith("abfs://"):
            headers["x-ms-blob-type"] = "BlockBlob"
        with path.open("rb") as body:
            self._send("PUT", str(location.signed_url), body, headers)
        return md5, str(location.native_url)

    def upload_file(self, path: str) -> str:
        """The native URL of a local file sent as an input (one upload per distinct content)."""
        local = Path(path)
        md5 = file_md5(local)
        _, native_url = self.upload(local, filename_root=filename_root_of([md5]))
        return native_url

    def upload_directory(self, path: str) -> str:
        """Uploads every file under `path`; returns the URI prefix they share (the directory's URI)."""
        root = Path(path)
        files = sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())
        if not files:
            raise ValueError(f"{path} is an empty directory; there is nothing to upload")
        prefix = filename_root_of([file_md5(p) for p in files])
        uri = ""
        for file in files:
            relative = file.relative_to(root).as_posix()
            _, native_url = self.upload(file, filename_root=prefix, filename=relative)
            if not native_url.endswith(relative):
                raise UploadError(f"the data proxy stored {relative} at {native_url}, outside the directory")
            uri = native_url[: -len(relative)].rstrip("/")
        return uri

    # -- downloads --

    def fetch(self, uri: str, destination: str | None = None, directory: bool | None = None) -> str:
        """Downloads a file or (`directory=True`) a directory to `destination` (a fresh temporary path by default).

        Unknown kind: a local path is looked at, a remote URI is taken for a file (no storage call to find out).
        """
        target = Path(destination) if destination else Path(tempfile.mkdtemp(prefix="flyteplane-")) / _basename(uri)
        if directory is None:
            directory = "://" not in uri and os.path.isdir(uri)
        if directory:
            self.download_directory(uri, target)
        else:
            self.download_file(uri, target)
        return str(target)

    def download_file(self, uri: str, target: Path) -> Path:
        """Through a signed URL when the data proxy signs the location, else with fsspec."""
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            signed = self._client().get_download_signed_url(uri)
        except FlyteClientException as e:
            # Not a location this proxy signs (another bucket), or a proxy without downloads: read it directly.
            if not isinstance(e, FlyteInvalidInputException) and e.code != grpc.StatusCode.UNIMPLEMENTED:
                raise
            return self._fsspec_get(uri, target, recursive=False)
        with target.open("wb") as out:
            self._send("GET", str(signed.signed_url), None, {}, out)
        return target

    def fetch_url(self, url: str) -> str:
        """Downloads an already signed URL (e.g. a deck link) to a temporary file."""
        target = Path(tempfile.mkdtemp(prefix="flyteplane-")) / (_basename(url.split("?", 1)[0]) or "data")
        with target.open("wb") as out:
            self._send("GET", url, None, {}, out)
        return str(target)

    def download_directory(self, uri: str, target: Path) -> Path:
        return self._fsspec_get(uri, target, recursive=True)

    # -- helpers --

    @staticmethod
    def _fsspec_get(uri: str, target: Path, recursive: bool) -> Path:
        import fsspec

        try:
            fs, path = fsspec.core.url_to_fs(uri)
        except (ImportError, ValueError) as e:
            raise UploadError(f"cannot read {uri}: {e} (install the fsspec package for its scheme)") from None
        if recursive:
            if target.exists():
                shutil.rmtree(target)
            fs.get(path.rstrip("/") + "/", str(target), recursive=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            fs.get(path, str(target))
        return target

    def _send(self, method: str, url: str, body: Any, headers: dict[str, str], out: Any = None) -> None:
        request = urllib.request.Request(url, data=body, headers=headers, method=method)
        if self._ssl is None and self._ca_cert_file_path and url.startswith("https:"):
            self._ssl = ssl.create_default_context(cafile=self._ca_cert_file_path)  # on first use: no I/O before
        try:
            with urllib.request.urlopen(request, context=self._ssl) as response:
                if response.status not in (200, 201):
                    raise UploadError(f"{method} {url} answered {response.status}")
                if out is not None:
                    shutil.copyfileobj(response, out, _CHUNK)
        except urllib.error.HTTPError as e:
            detail = e.read().decode(errors="replace")[:500]
            raise UploadError(f"Request to {method} data at {url} failed with {e.code}: {detail}") from None
        except urllib.error.URLError as e:
            raise UploadError(f"Request to {method} data at {url} failed: {e.reason}") from None


def _basename(uri: str) -> str:
    return uri.rstrip("/").rsplit("/", 1)[-1] or "data"
