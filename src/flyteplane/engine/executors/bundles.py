"""Fast-registered code bundles: fetched once, unpacked once, into a read-only cache every attempt imports from.

`<home>/bundles/<digest>/` holds the unpacked tarball of one bundle (`<digest>.json` beside it: its URL and size,
its mtime the last use). The digest is a hash of the bundle's URL (plus size and mtime for a local file): flytekit
names uploaded code by the MD5 of its content and the data proxy never lets an object change under a name, so one
URL is one content. A bundle is downloaded and unpacked into `.incoming/`, compiled, made read-only and renamed
into place in one step, so readers see all of it or nothing; two versions of a module live in two folders and no
attempt ever sees another version's code.

Fetching never runs on the engine's threads: `fetch()` starts (or joins) a download on a thread of its own, with
a size limit and a deadline, and reports back through a callback. Each origin (a host, or the local disk) has its
own few fetch slots, so a source that never answers holds up only fetches from itself. Only URLs under an allowed
source are fetched (the blob store, plus the `bundle_sources` setting); anything else is refused at once. When
the cache outgrows its bound, the least recently used bundles no live attempt needs are removed.
"""

from __future__ import annotations

import compileall
import contextlib
import hashlib
import json
import logging
import os
import shutil
import stat
import tarfile
import threading
import time
import urllib.parse
import urllib.request
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import fsspec

__all__ = ["Bundle", "BundleCache", "BundleRefused"]

log = logging.getLogger(__name__)

BUNDLES = "bundles"
INCOMING = ".incoming"
PICKLED = "pkl.gz"  # flytekit's interactive-mode distribution: kept as it is, never unpacked
CHUNK = 1024 * 1024
MAX_CONCURRENT_FETCHES = 4  # per origin
MAX_STALLED_FETCHES = 16  # per origin: fetches past their deadline whose thread is still stuck in a read


class BundleRefused(Exception):
    """The bundle's URL is not one the executor may fetch, or it cannot be fetched or unpacked."""


@dataclass(frozen=True)
class Bundle:
    url: str
    digest: str
    dir: str  # where its code is (once fetched): what goes on PYTHONPATH and is linked into the working folder


Done = Callable[[Bundle, "str | None"], None]
"""Called once a fetch ends, on the fetching thread: the bundle, and why it failed (None when it is ready)."""


@dataclass
class _Fetch:
    bundle: Bundle
    origin: str
    callbacks: list[Done]
    deadline: float = 0.0
    started: bool = False
    abandoned: bool = False


class BundleCache:
    """See the module docstring. `sources` None allows every URL (tests, embedding); the server passes its blob
    store and the configured allow-list."""

    def __init__(
        self,
        home: Path,
        *,
        sources: Sequence[str] | None = None,
        max_bytes: int = 512 * 1024 * 1024,
        cache_bytes: int = 2 * 1024 * 1024 * 1024,
        fetch_timeout: float = 60.0,
        max_fetches: int = MAX_CONCURRENT_FETCHES,
        storage_options: Mapping[str, Any] | None = None,
    ) -> None:
        self.root = Path(home).absolute() / BUNDLES
        self.root.mkdir(parents=True, exist_ok=True)
        _remove_tree(self.root / INCOMING)
        (self.root / INCOMING).mkdir()
        self._sources = None if sources is None else [_normalized_source(s) for s in sources if s]
        self._max_bytes = max_bytes
        self._cache_bytes = cache_bytes
        self._timeout = fetch_timeout
        self._max_fetches = max_fetches
        self._storage_options = dict(storage_options or {})  # for fsspec URLs (e.g. the S3 store's endpoint, keys)
        self._lock = threading.Lock()
        self._fetches: dict[str, _Fetch] = {}
        self._waiting: dict[str, deque[str]] = {}  # origin -> digests waiting for a slot
        self._running: dict[str, int] = {}
        self._stalled: dict[str, int] = {}
        self._closed = False
        self._forget_partial_installs()

    # -- naming -------------------------------------------------------------------------------------------------

    def locate(self, url: str) -> Bundle:
        """Where `url`'s code lives (or will); BundleRefused if it is not from an allowed source. No network I/O."""
        if not self.allowed(url):
            raise BundleRefused(
                f"the task's code bundle [{url}] is not in the blob store or an allowed source "
                "(setting bundle_sources); it is not fetched"
            )
        identity = url
        local = _local_path(url)
        if local is not None:
            with contextlib.suppress(OSError):
                st = os.stat(local)
                identity = f"{url}\0{st.st_size}\0{st.st_mtime_ns}"
        digest = hashlib.sha256(identity.encode("utf-8", "surrogateescape")).hexdigest()[:32]
        return Bundle(url, digest, str(self.root / digest))

    def allowed(self, url: str) -> bool:
        if self._sources is None:
            return True
        local = _local_path(url)
        for source in self._sources:
            if local is not None and source.startswith("/"):
                if os.path.realpath(local).startswith(source.rstrip("/") + "/"):
                    return True
            elif local is None and not source.startswith("/") and url.startswith(source.rstrip("/") + "/"):
                return "/../" not in url and not url.endswith("/..")
        return False

    # -- the cache ----------------------------------------------------------------------------------------------

    @property
    def storage_options(self) -> dict[str, Any]:
        """What fsspec needs to read the blob store's URLs (empty for a local store)."""
        return dict(self._storage_options)

    def ready(self, bundle: Bundle) -> bool:
        """True if the bundle is unpacked; marks it used."""
        if not os.path.isdir(bundle.dir):
            return False
        with contextlib.suppress(OSError):
            os.utime(self._meta(bundle.digest))
        return True

    def fetch(self, bundle: Bundle, done: Done) -> None:
        """Fetches and unpacks the bundle in the background (joining a fetch of it already under way); `done` is
        called when it ends. A bundle already unpacked is reported ready at once, on this thread."""
        if self.ready(bundle):
            done(bundle, None)
            return
        with self._lock:
            if self._closed:
                raise RuntimeError("the bundle cache is closed")
            existing = self._fetches.get(bundle.digest)
            if existing is not None:
                existing.callbacks.append(done)
                return
            origin = _origin(bundle.url)
            self._fetches[bundle.digest] = _Fetch(bundle, origin, [done])
            self._waiting.setdefault(origin, deque()).append(bundle.digest)
            self._start_waiting(origin)

    def cleanup(self, in_use: Iterable[str]) -> list[str]:
        """Removes least recently used bundles, none of `in_use` (digests), until the cache fits its bound."""
        keep = set(in_use)
        with self._lock:
            keep |= set(self._fetches)
        entries = []
        for meta in self.root.glob("*.json"):
            digest = meta.stem
            try:
                record = json.loads(meta.read_text())
                entries.append((meta.stat().st_mtime, digest, int(record.get("bytes", 0))))
            except (OSError, ValueError, TypeError, AttributeError):
                continue
        total = sum(size for _, _, size in entries)
        removed = []
        for _, digest, size in sorted(entries):
            if total <= self._cache_bytes:
                break
            if digest in keep:
                continue
            self._remove(digest)
            total -= size
            removed.append(digest)
        return removed

    def close(self) -> None:
        """Stops starting fetches; ones under way end on their own (their threads are daemons)."""
        with self._lock:
            self._closed = True
            self._waiting.clear()

    # -- fetching ------------------------------------------------------------------------------------------------

    def _start_waiting(self, origin: str) -> None:
        """Under the lock: starts the origin's queued fetches while fewer than `max_fetches` of it run."""
        waiting = self._waiting.get(origin)
        while waiting and self._running.get(origin, 0) < self._max_fetches and not self._closed:
            fetch = self._fetches[waiting.popleft()]
            if self._stalled.get(origin, 0) >= MAX_STALLED_FETCHES:
                self._end(fetch, f"cannot fetch [{fetch.bundle.url}]: too many earlier fetches from it are stalled")
                continue
            fetch.started = True
            fetch.deadline = time.monotonic() + self._timeout
            self._running[origin] = self._running.get(origin, 0) + 1
            threading.Thread(target=self._run, args=(fetch,), name="flyteplane-bundle-fetch", daemon=True).start()
            timer = threading.Timer(self._timeout, self._expire, args=(fetch,))
            timer.daemon = True
            timer.start()

    def _run(self, fetch: _Fetch) -> None:
        error: str | None = None
        try:
            self._install(fetch)
        except BundleRefused as e:
            error = str(e)
        except TimeoutError:
            error = f"fetching the task's code from [{fetch.bundle.url}] took longer than {self._timeout:g} s"
        except Exception as e:  # whatever a hostile archive or server does, the attempt fails with the reason
            error = f"cannot fetch the task's code from [{fetch.bundle.url}]: {e!r}"
        with self._lock:
            if fetch.abandoned:
                self._stalled[fetch.origin] -= 1
                return
            self._running[fetch.origin] -= 1
            callbacks = self._finish(fetch)
            self._start_waiting(fetch.origin)
        for done in callbacks:
            _call(done, fetch.bundle, error)

    def _expire(self, fetch: _Fetch) -> None:
        with self._lock:
            if self._fetches.get(fetch.bundle.digest) is not fetch:
                return  # already over
            fetch.abandoned = True
            self._running[fetch.origin] -= 1
            self._stalled[fetch.origin] = self._stalled.get(fetch.origin, 0) + 1
            callbacks = self._finish(fetch)
            self._start_waiting(fetch.origin)
        message = f"fetching the task's code from [{fetch.bundle.url}] took longer than {self._timeout:g} s"
        log.warning("%s; the fetch is abandoned", message)
        for done in callbacks:
            _call(done, fetch.bundle, message)

    def _end(self, fetch: _Fetch, message: str) -> None:
        """Under the lock: ends a fetch that never started; callbacks run on a thread of their own."""
        callbacks = self._finish(fetch)

        def report() -> None:
            for done in callbacks:
                _call(done, fetch.bundle, message)

        threading.Thread(target=report, daemon=True).start()

    def _finish(self, fetch: _Fetch) -> list[Done]:
        self._fetches.pop(fetch.bundle.digest, None)
        callbacks, fetch.callbacks = fetch.callbacks, []
        return callbacks

    def _install(self, fetch: _Fetch) -> None:
        bundle = fetch.bundle
        incoming = self.root / INCOMING / uuid.uuid4().hex
        archive = incoming.with_suffix(".download")
        try:
            self._download(bundle.url, archive, fetch)
            unpacked = incoming / "code"
            _unpack(bundle.url, archive, unpacked, limit=self._cache_bytes)
            if fetch.abandoned:
                return
            with contextlib.suppress(Exception):  # bytecode is an optimisation; a syntax error is the task's to raise
                compileall.compile_dir(str(unpacked), quiet=2, ddir=bundle.dir, workers=1)
            size = _tree_size(unpacked)
            _read_only(unpacked)
            meta = {"url": bundle.url, "bytes": size, "installed_at": time.time()}
            meta_path = self._meta(bundle.digest)
            temporary = meta_path.with_suffix(f".{uuid.uuid4().hex}.tmp")
            temporary.write_text(json.dumps(meta))
            os.replace(temporary, meta_path)
            try:
                os.rename(unpacked, bundle.dir)  # atomic: the folder appears complete or not at all
            except OSError:
                if not os.path.isdir(bundle.dir):  # not merely installed by someone else first
                    raise
        finally:
            archive.unlink(missing_ok=True)
            _remove_tree(incoming)

    def _download(self, url: str, target: Path, fetch: _Fetch) -> None:
        total = 0
        with (
            _open_source(url, timeout=self._timeout, storage_options=self._storage_options) as source,
            open(target, "wb") as sink,
        ):
            while True:
                if fetch.abandoned or time.monotonic() > fetch.deadline:
                    raise BundleRefused(f"fetching the task's code from [{url}] took longer than {self._timeout:g} s")
                chunk = source.read(CHUNK)
                if not chunk:
                    return
                total += len(chunk)
                if total > self._max_bytes:
                    raise BundleRefused(
                        f"the task's code bundle [{url}] is larger than {self._max_bytes} bytes "
                        "(setting bundle_max_bytes)"
                    )
                sink.write(chunk)

    # -- housekeeping --------------------------------------------------------------------------------------------

    def _meta(self, digest: str) -> Path:
        return self.root / f"{digest}.json"

    def _remove(self, digest: str) -> None:
        folder = self.root / digest
        if folder.exists():
            trash = self.root / INCOMING / f"trash-{uuid.uuid4().hex}"
            with contextlib.suppress(OSError):
                os.rename(folder, trash)  # gone from view at once, deleted after
                _remove_tree(trash)
        self._meta(digest).unlink(missing_ok=True)

    def _forget_partial_installs(self) -> None:
        """A crash between writing a bundle's record and renaming its folder leaves a record without a folder."""
        for meta in self.root.glob("*.json"):
            if not (self.root / meta.stem).is_dir():
                meta.unlink(missing_ok=True)
        for folder in self.root.iterdir():
            if folder.is_dir() and folder.name != INCOMING and not self._meta(folder.name).exists():
                trash = self.root / INCOMING / f"trash-{uuid.uuid4().hex}"
                os.rename(folder, trash)
                _remove_tree(trash)


def _call(done: Done, bundle: Bundle, error: str | None) -> None:
    try:
        done(bundle, error)
    except Exception:
        log.exception("bundle cache: a fetch callback failed")


def _origin(url: str) -> str:
    """Fetches from one origin share its slots: a host (scheme and address), or the local disk."""
    if _local_path(url) is not None:
        return "local"
    parsed = urllib.parse.urlparse(url)
    return f"{parsed.scheme}://{parsed.netloc}"


def _normalized_source(source: str) -> str:
    if source.startswith(("file://", "local://")):
        source = urllib.parse.urlparse(source).path
    if source.startswith("/"):
        return os.path.realpath(source)
    return source


def _local_path(url: str) -> str | None:
    if url.startswith("/"):
        return url
    if url.startswith(("file://", "local://")):
        return urllib.parse.urlparse(url).path
    return None


def _open_source(url: str, *, timeout: float, storage_options: Mapping[str, Any] | None = None) -> Any:
    """A binary stream of the bundle; http(s) reads time out, so a server that never answers cannot hold a thread
    beyond the deadline."""
    local = _local_path(url)
    if local is not None:
        try:
            return open(local, "rb")
        except FileNotFoundError:
            raise BundleRefused(f"task execution code was not found at {url}") from None
    if url.startswith(("http://", "https://")):
        return urllib.request.urlopen(url, timeout=timeout)  # an allow-listed source
    try:
        opened: IO[bytes] = fsspec.open(url, "rb", **dict(storage_options or {})).open()
    except FileNotFoundError:
        raise BundleRefused(f"task execution code was not found at {url}") from None
    return opened


def _unpack(url: str, archive: Path, target: Path, *, limit: int) -> int:
    """Unpacks (or, for a pickled distribution, copies) into `target`; returns the bytes written."""
    name = os.path.basename(urllib.parse.urlparse(url).path.rstrip("/") or url)
    target.mkdir(parents=True)
    if name == PICKLED:
        shutil.copyfile(archive, target / PICKLED)
        return archive.stat().st_size
    if not name.endswith(".tar.gz"):
        raise BundleRefused(f"Unrecognized additional distribution format for {url}")
    total = 0
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            for member in tar:
                total += max(member.size, 0)
                if total > limit:
                    raise BundleRefused(
                        f"the task's code bundle [{url}] unpacks to more than {limit} bytes "
                        "(setting bundle_cache_bytes)"
                    )
                tar.extract(member, target, filter="data")
    except (tarfile.TarError, OSError, EOFError, ValueError) as e:
        raise BundleRefused(f"cannot unpack the task's code from {url}: {e}") from None
    return total


def _tree_size(root: Path) -> int:
    total = 0
    for folder, _dirs, files in os.walk(root):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(folder, name)).st_size
    return total


def _read_only(root: Path) -> None:
    """Files keep their execute bits; nobody (the tasks included) may change a cached bundle."""
    for folder, dirs, files in os.walk(root, topdown=False):
        for name in files:
            path = os.path.join(folder, name)
            st = os.lstat(path)
            if stat.S_ISREG(st.st_mode):
                os.chmod(path, 0o555 if st.st_mode & stat.S_IXUSR else 0o444)
        for name in dirs:
            path = os.path.join(folder, name)
            if not os.path.islink(path):
                os.chmod(path, 0o555)
    os.chmod(root, 0o555)


def _remove_tree(root: Path) -> None:
    """Removes a folder that may hold read-only folders (a cached bundle)."""
    if not root.exists():
        return
    for folder, dirs, _files in os.walk(root):
        for name in dirs:
            with contextlib.suppress(OSError):
                if not os.path.islink(os.path.join(folder, name)):
                    os.chmod(os.path.join(folder, name), 0o700)
    with contextlib.suppress(OSError):
        os.chmod(root, 0o700)
    shutil.rmtree(root, ignore_errors=True)
