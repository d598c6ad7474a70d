"""The bundle cache: code fetched and unpacked once per bundle, read-only, only from allowed sources, within size
and time limits, and cleaned least-recently-used first."""

from __future__ import annotations

import http.server
import io
import os
import socket
import tarfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from flyteplane.engine.executors.bundles import Bundle, BundleCache, BundleRefused


def tarball(path: Path, members: dict[str, bytes]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


class Results:
    """Collects fetch callbacks; `wait` blocks until one arrived for the bundle."""

    def __init__(self) -> None:
        self.done: dict[str, list[str | None]] = {}
        self.event = threading.Condition()

    def __call__(self, bundle: Bundle, error: str | None) -> None:
        with self.event:
            self.done.setdefault(bundle.digest, []).append(error)
            self.event.notify_all()

    def wait(self, bundle: Bundle, timeout: float = 10.0) -> str | None:
        with self.event:
            assert self.event.wait_for(lambda: bundle.digest in self.done, timeout), "no fetch result in time"
            return self.done[bundle.digest][-1]


def fetched(cache: BundleCache, url: str) -> tuple[Bundle, str | None]:
    bundle = cache.locate(url)
    results = Results()
    cache.fetch(bundle, results)
    return bundle, results.wait(bundle)


def test_a_tarball_is_unpacked_once_read_only_and_compiled(tmp_path: Path) -> None:
    source = tarball(tmp_path / "src" / "fastabc.tar.gz", {"pkg/__init__.py": b"", "pkg/mod.py": b"X = 1\n"})
    cache = BundleCache(tmp_path / "home")
    bundle, error = fetched(cache, str(source))
    assert error is None
    code = Path(bundle.dir)
    assert (code / "pkg" / "mod.py").read_bytes() == b"X = 1\n"
    assert list((code / "pkg" / "__pycache__").glob("mod.*.pyc"))
    assert not os.access(code / "pkg" / "mod.py", os.W_OK) or os.geteuid() == 0
    assert (code / "pkg").stat().st_mode & 0o777 == 0o555
    assert (code / "pkg" / "mod.py").stat().st_mode & 0o777 == 0o444
    # A second fetch of the same bundle is answered from the cache, at once, on the caller's thread.
    results = Results()
    cache.fetch(cache.locate(str(source)), results)
    assert results.done == {bundle.digest: [None]}


def test_two_versions_of_a_module_live_in_two_folders(tmp_path: Path) -> None:
    one = tarball(tmp_path / "a" / "fast1.tar.gz", {"pkg/mod.py": b"V = 1\n"})
    two = tarball(tmp_path / "b" / "fast2.tar.gz", {"pkg/mod.py": b"V = 2\n"})
    cache = BundleCache(tmp_path / "home")
    (first, e1), (second, e2) = fetched(cache, str(one)), fetched(cache, str(two))
    assert e1 is None and e2 is None and first.dir != second.dir
    assert (Path(first.dir) / "pkg" / "mod.py").read_bytes() == b"V = 1\n"
    assert (Path(second.dir) / "pkg" / "mod.py").read_bytes() == b"V = 2\n"


def test_a_pickled_distribution_is_kept_not_unpacked(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "pkl.gz").write_bytes(b"pickled")
    bundle, error = fetched(BundleCache(tmp_path / "home"), str(tmp_path / "src" / "pkl.gz"))
    assert error is None and (Path(bundle.dir) / "pkl.gz").read_bytes() == b"pickled"


def test_an_archive_escaping_its_destination_is_refused(tmp_path: Path) -> None:
    source = tarball(tmp_path / "evil.tar.gz", {"../escaped.py": b"boom"})
    bundle, error = fetched(BundleCache(tmp_path / "home"), str(source))
    assert error is not None and "cannot unpack" in error
    assert not (tmp_path / "escaped.py").exists() and not Path(bundle.dir).exists()


@pytest.mark.parametrize("name", ["missing.tar.gz", "code.zip"])
def test_missing_or_unknown_distributions_are_reported(tmp_path: Path, name: str) -> None:
    (tmp_path / "code.zip").write_bytes(b"zip")
    _bundle, error = fetched(BundleCache(tmp_path / "home"), str(tmp_path / name))
    assert error is not None
    assert ("not found" in error) if name.startswith("missing") else ("Unrecognized" in error)


def test_only_allowed_sources_are_fetched(tmp_path: Path) -> None:
    store = tmp_path / "blobs"
    inside = tarball(store / "p" / "d" / "fast1.tar.gz", {"m.py": b""})
    outside = tarball(tmp_path / "elsewhere" / "fast2.tar.gz", {"m.py": b""})
    cache = BundleCache(tmp_path / "home", sources=[str(store), "s3://bucket/code"])
    assert cache.locate(str(inside)).url == str(inside)
    assert cache.locate(f"file://{inside}").url == f"file://{inside}"
    assert cache.locate("s3://bucket/code/fast3.tar.gz")
    for url in (
        str(outside),
        f"{store}/../elsewhere/fast2.tar.gz",
        "s3://bucket/codex/fast.tar.gz",
        "s3://bucket/code/../other/fast.tar.gz",
        "http://127.0.0.1:1/fast.tar.gz",
        "relative/fast.tar.gz",
    ):
        with pytest.raises(BundleRefused, match="not in the blob store or an allowed source"):
            cache.locate(url)


def test_a_bundle_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    source = tarball(tmp_path / "big.tar.gz", {"blob.bin": os.urandom(64 * 1024)})
    cache = BundleCache(tmp_path / "home", max_bytes=16 * 1024)
    bundle, error = fetched(cache, str(source))
    assert error is not None and "larger than 16384 bytes" in error and not Path(bundle.dir).exists()


def test_a_bundle_unpacking_beyond_the_cache_bound_is_refused(tmp_path: Path) -> None:
    source = tarball(tmp_path / "bomb.tar.gz", {"zeros.bin": bytes(4 * 1024 * 1024)})  # compresses to ~4 KB
    cache = BundleCache(tmp_path / "home", cache_bytes=1024 * 1024)
    _bundle, error = fetched(cache, str(source))
    assert error is not None and "unpacks to more than" in error


@pytest.fixture
def silent_server() -> Iterator[str]:
    """An HTTP server that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            accepted.append(connection)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    listener.close()


def test_a_source_that_never_answers_times_out_without_holding_up_other_fetches(
    tmp_path: Path, silent_server: str
) -> None:
    cache = BundleCache(tmp_path / "home", sources=[silent_server, str(tmp_path / "store")], fetch_timeout=1.0)
    results = Results()
    stuck = [cache.locate(f"{silent_server}/fast{i}.tar.gz") for i in range(6)]
    started = time.monotonic()
    for bundle in stuck:
        cache.fetch(bundle, results)
    local = cache.locate(str(tarball(tmp_path / "store" / "fastok.tar.gz", {"m.py": b""})))
    cache.fetch(local, results)  # another origin: not queued behind the stuck ones
    assert results.wait(local, timeout=10) is None
    assert time.monotonic() - started < 0.9
    for bundle in stuck:
        error = results.wait(bundle, timeout=10)
        assert error is not None and "longer than 1 s" in error
    assert time.monotonic() - started < 5


def test_an_http_source_serves_a_bundle(tmp_path: Path) -> None:
    tarball(tmp_path / "www" / "fastweb.tar.gz", {"web.py": b"W = 1\n"})

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, directory=str(tmp_path / "www"), **kwargs)  # type: ignore[arg-type]

        def log_message(self, *_args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        bundle, error = fetched(BundleCache(tmp_path / "home", sources=[url]), f"{url}/fastweb.tar.gz")
        assert error is None and (Path(bundle.dir) / "web.py").read_bytes() == b"W = 1\n"
    finally:
        server.shutdown()
        server.server_close()


def test_the_least_recently_used_bundles_nobody_needs_are_removed_first(tmp_path: Path) -> None:
    cache = BundleCache(tmp_path / "home", cache_bytes=3 * 100_000)
    bundles = []
    for i in range(4):
        source = tarball(tmp_path / "src" / f"fast{i}.tar.gz", {"data.bin": os.urandom(100_000)})
        bundle, error = fetched(cache, str(source))
        assert error is None
        bundles.append(bundle)
        time.sleep(0.02)  # distinct use times
    assert cache.ready(bundles[0])  # used again: now the most recent
    removed = cache.cleanup(in_use={bundles[1].digest})
    assert removed == [bundles[2].digest]
    assert [Path(b.dir).exists() for b in bundles] == [True, True, False, True]


def test_a_crash_mid_install_leaves_nothing_half_there(tmp_path: Path) -> None:
    home = tmp_path / "home"
    cache = BundleCache(home)
    bundle, error = fetched(cache, str(tarball(tmp_path / "fastx.tar.gz", {"m.py": b""})))
    assert error is None
    (home / "bundles" / "0123456789abcdef0123456789abcdef.json").write_text("{}")  # a record whose folder is gone
    (home / "bundles" / "fedcba9876543210fedcba9876543210").mkdir()  # a folder without its record
    (home / "bundles" / ".incoming" / "leftover").mkdir()
    BundleCache(home)
    assert sorted(p.name for p in (home / "bundles").iterdir()) == sorted(
        [".incoming", bundle.digest, f"{bundle.digest}.json"]
    )
    assert list((home / "bundles" / ".incoming").iterdir()) == []


def test_a_local_url_in_the_blob_store_is_fetched_and_one_outside_refused(tmp_path: Path) -> None:
    """The data proxy answers local:///... for uploads to a local store (flytekit takes it for a remote URL)."""
    store = tmp_path / "blobs"
    inside = tarball(store / "uploads" / "p" / "d" / "fast1.tar.gz", {"m.py": b"Y = 2\n"})
    cache = BundleCache(tmp_path / "home", sources=[str(store)])
    bundle, error = fetched(cache, f"local://{inside}")
    assert error is None
    assert (Path(bundle.dir) / "m.py").read_bytes() == b"Y = 2\n"
    outside = tarball(tmp_path / "elsewhere" / "fast2.tar.gz", {"m.py": b""})
    with pytest.raises(BundleRefused, match="not in the blob store"):
        cache.locate(f"local://{outside}")
