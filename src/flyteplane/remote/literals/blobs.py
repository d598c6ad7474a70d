"""`File` and `Directory`: blob values without flytekit, either a local path to upload or a URI where data lives.

An input given as a local path is uploaded through the data proxy when the execution is launched, and the literal
then carries the URI the upload returned. An output arrives as a URI; `download()` (or `os.fspath`) fetches it
through the remote that read it, so the caller needs no storage credentials for single files.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

__all__ = ["Directory", "Fetcher", "File", "has_scheme"]

Fetcher = Callable[[str, "str | None", bool], str]
"""(uri, destination or None, is a directory) -> the local path the blob was downloaded to."""


def has_scheme(text: str) -> bool:
    """`s3://...`, `gs://...`, `flyte://...` are URIs; anything else is taken for a local path."""
    head, sep, _ = text.partition("://")
    return bool(sep) and head.replace("+", "").replace("-", "").replace(".", "").isalnum()


B = TypeVar("B", bound="_Blob")


class _Blob:
    """What File and Directory share: a local path, a remote URI, or both once one was turned into the other."""

    _kind = "blob"
    _directory = False

    def __init__(self, path: str | os.PathLike[str], *, format: str = "") -> None:
        text = os.fspath(path)
        if not text:
            raise ValueError(f"a {self._kind} needs a path or a URI")
        self.format = format
        self.uri: str | None = text if has_scheme(text) else None
        self.local_path: str | None = None if self.uri else text
        self._fetch: Fetcher | None = None

    @classmethod
    def from_uri(cls: type[B], uri: str, *, format: str = "", fetch: Fetcher | None = None) -> B:
        """A blob that lives at `uri` (any scheme, or a bare path in the control plane's blob store)."""
        blob = cls.__new__(cls)
        blob.format = format
        blob.uri = uri
        blob.local_path = None
        blob._fetch = fetch
        return blob

    @property
    def path(self) -> str:
        """The local copy when there is one, else the URI."""
        return self.local_path or self.uri or ""

    @property
    def is_remote(self) -> bool:
        return self.uri is not None and self.local_path is None

    def download(self, to: str | os.PathLike[str] | None = None) -> str:
        """The local path of the content, fetched first if it is only remote (into `to` when given)."""
        if self.local_path is not None and to is None:
            return self.local_path
        if self.uri is None:
            raise ValueError(f"{self!r} is local only; there is nothing to download")
        if self._fetch is None:
            raise ValueError(f"{self!r} was not read through a FlyteRemote, so it cannot download itself")
        self.local_path = self._fetch(self.uri, os.fspath(to) if to is not None else None, self._directory)
        return self.local_path

    def __fspath__(self) -> str:
        return self.download()

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, _Blob)
        return (self.uri, self.local_path, self.format) == (other.uri, other.local_path, other.format)

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.uri, self.local_path, self.format))

    def __repr__(self) -> str:
        where = f"uri={self.uri!r}" if self.uri else f"path={self.local_path!r}"
        if self.uri and self.local_path:
            where += f", path={self.local_path!r}"
        fmt = f", format={self.format!r}" if self.format else ""
        return f"{type(self).__name__}({where}{fmt})"


class File(_Blob):
    """A single file: `File("report.csv")` (uploaded when used as an input) or `File("s3://bucket/report.csv")`."""

    _kind = "file"

    def open(self, mode: str = "rb") -> object:
        """Opens the (downloaded) file; text modes are allowed."""
        return Path(self.download()).open(mode)


class Directory(_Blob):
    """A directory (a multipart blob): a local folder to upload, or the URI prefix its files live under."""

    _kind = "directory"
    _directory = True

    def files(self) -> list[str]:
        """Paths of every file in the (downloaded) directory, sorted."""
        root = Path(self.download())
        return sorted(str(p) for p in root.rglob("*") if p.is_file())
