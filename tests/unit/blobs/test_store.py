"""BlobStore: keys confined to the store, atomic writes, recorded MD5s, local and remote (fsspec) backends."""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from pathlib import Path

import fsspec
import pytest

from flyteplane.blobs.store import BlobStore, validate_key
from flyteplane.errors import AlreadyExists, InvalidArgument, NotFound


def md5(data: bytes) -> bytes:
    return hashlib.md5(data).digest()


@pytest.fixture
def store(tmp_path: Path) -> BlobStore:
    return BlobStore(str(tmp_path / "blobs"))


@pytest.fixture
def memory_store() -> BlobStore:
    return BlobStore(f"memory://bucket-{uuid.uuid4().hex}/prefix")


def files_under(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


# -- keys and URLs --


def test_local_base_is_an_absolute_path_even_when_given_relative(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store = BlobStore("blobs")
    assert store.base == str(tmp_path / "blobs")
    assert store.is_local


def test_local_native_url_is_a_bare_absolute_path(store: BlobStore) -> None:
    url = store.native_url("flytesnacks/development/ABC=/fast.tar.gz")
    assert url == f"{store.base}/flytesnacks/development/ABC=/fast.tar.gz"
    assert url.startswith("/")
    assert "file://" not in url


def test_file_url_base_is_treated_as_the_local_path(tmp_path: Path) -> None:
    store = BlobStore(f"file://{tmp_path}/blobs")
    assert store.is_local
    assert store.native_url("a/b") == f"{tmp_path}/blobs/a/b"


def test_key_of_inverts_native_url(store: BlobStore) -> None:
    key = "p/d/root/file.txt"
    assert store.key_of(store.native_url(key)) == key
    assert store.key_of(f"file://{store.base}/{key}") == key


@pytest.mark.parametrize(
    "url",
    [
        "/etc/passwd",
        "relative/p/d/file",
        "s3://bucket/p/d/file",
        "",
    ],
)
def test_key_of_rejects_urls_outside_the_local_store(store: BlobStore, url: str) -> None:
    with pytest.raises(InvalidArgument, match="is not a location in the blob store"):
        store.key_of(url)


def test_key_of_rejects_traversal_and_sibling_prefixes(store: BlobStore) -> None:
    for url in (
        f"{store.base}/../x",
        f"{store.base}/p/../../x",
        f"{store.base}-other/x",
        store.base,
        f"{store.base}/",
    ):
        with pytest.raises(InvalidArgument):
            store.key_of(url)


def test_key_of_rejects_the_reserved_bookkeeping_prefix(store: BlobStore) -> None:
    with pytest.raises(InvalidArgument):
        store.key_of(f"{store.base}/.flyteplane/md5/p/d/f")


@pytest.mark.parametrize(
    "key",
    [
        "",
        "..",
        "../escape",
        "a/../../escape",
        "a/./b",
        "/etc/passwd",
        "a//b",
        "a/",
        "a\\..\\b",
        "a\x00b",
        "a\nb",
        ".flyteplane/tmp/x",
        "a/" + "x" * 256,
        "/".join(["abcd"] * 300),
    ],
)
def test_keys_that_could_leave_or_alias_the_store_are_invalid(store: BlobStore, key: str) -> None:
    with pytest.raises(InvalidArgument, match="invalid blob key"):
        validate_key(key)
    with pytest.raises(InvalidArgument):
        store.put_bytes(key, b"x")
    with pytest.raises(InvalidArgument):
        store.get_bytes(key)
    with pytest.raises(InvalidArgument):
        store.exists(key)
    with pytest.raises(InvalidArgument):
        store.native_url(key)


def test_keys_may_hold_base32_padding_spaces_and_unicode(store: BlobStore) -> None:
    for key in ("p/d/ZGOFGTXP24======/a b.txt", "p/d/r/ünï.txt", "p/d/r/.hidden"):
        store.put_bytes(key, b"ok")
        assert store.get_bytes(key) == b"ok"


# -- local writes and reads --


def test_put_then_get_round_trips_and_writes_the_file_at_the_native_url(store: BlobStore) -> None:
    store.put_bytes("p/d/r/f.bin", b"\x00\x01payload")
    assert store.get_bytes("p/d/r/f.bin") == b"\x00\x01payload"
    assert Path(store.native_url("p/d/r/f.bin")).read_bytes() == b"\x00\x01payload"
    assert store.exists("p/d/r/f.bin")


def test_missing_object_is_not_found(store: BlobStore) -> None:
    assert not store.exists("p/d/nothing")
    with pytest.raises(NotFound, match=r"^object not found$"):
        store.get_bytes("p/d/nothing")
    with pytest.raises(NotFound, match=r"^object not found$"):
        store.open_read("p/d/nothing")


def test_a_folder_is_not_an_object(store: BlobStore) -> None:
    store.put_bytes("p/d/r/f", b"x")
    assert not store.exists("p/d/r")
    assert store.stored_md5("p/d/r") is None
    with pytest.raises(NotFound):
        store.get_bytes("p/d/r")


def test_put_replaces_an_existing_object(store: BlobStore) -> None:
    store.put_bytes("k/v", b"one")
    store.put_bytes("k/v", b"two")
    assert store.get_bytes("k/v") == b"two"
    assert store.stored_md5("k/v") == md5(b"two")


def test_put_with_a_matching_content_md5_is_accepted(store: BlobStore) -> None:
    store.put_bytes("k/v", b"data", content_md5=md5(b"data"))
    assert store.get_bytes("k/v") == b"data"


def test_content_md5_mismatch_is_refused_and_leaves_the_old_object(store: BlobStore) -> None:
    store.put_bytes("k/v", b"old")
    with pytest.raises(InvalidArgument, match=r"^Content-MD5 mismatch$"):
        store.put_bytes("k/v", b"new", content_md5=md5(b"something else"))
    assert store.get_bytes("k/v") == b"old"
    assert store.stored_md5("k/v") == md5(b"old")
    assert files_under(Path(store.base) / ".flyteplane" / "tmp") == []


def test_content_md5_mismatch_on_a_new_key_stores_nothing(store: BlobStore) -> None:
    with pytest.raises(InvalidArgument):
        store.put_bytes("k/new", b"new", content_md5=md5(b"other"))
    assert not store.exists("k/new")


def test_a_streamed_write_is_invisible_until_commit(store: BlobStore) -> None:
    writer = store.open_write("p/d/big.bin")
    for _ in range(8):
        writer.write(b"x" * 100_000)
    assert not store.exists("p/d/big.bin")
    assert writer.commit() is True
    assert store.get_bytes("p/d/big.bin") == b"x" * 800_000
    assert store.stored_md5("p/d/big.bin") == md5(b"x" * 800_000)


def test_commit_reports_whether_the_object_is_new(store: BlobStore) -> None:
    with store.open_write("a/b") as w:
        w.write(b"1")
    second = store.open_write("a/b")
    second.write(b"2")
    assert second.commit() is False


def test_an_aborted_or_failed_write_leaves_no_object_and_no_temp_file(store: BlobStore) -> None:
    writer = store.open_write("a/aborted")
    writer.write(b"partial")
    writer.abort()
    with pytest.raises(RuntimeError), store.open_write("a/crashed") as w:
        w.write(b"partial")
        raise RuntimeError("client went away")
    assert not store.exists("a/aborted")
    assert not store.exists("a/crashed")
    assert files_under(Path(store.base) / ".flyteplane" / "tmp") == []


def test_bookkeeping_never_appears_inside_user_folders(store: BlobStore) -> None:
    """A FlyteDirectory upload is the folder `<base>/p/d/<root>`: it must hold exactly the user's files."""
    store.put_bytes("p/d/root/a.txt", b"a")
    store.put_bytes("p/d/root/b.txt", b"b", content_md5=md5(b"b"))
    assert store.stored_md5("p/d/root/a.txt") == md5(b"a")
    assert files_under(Path(store.base) / "p") == ["d/root/a.txt", "d/root/b.txt"]


def test_stored_md5_is_none_for_a_missing_object(store: BlobStore) -> None:
    assert store.stored_md5("nope/x") is None


def test_stored_md5_follows_content_changed_behind_the_stores_back(store: BlobStore) -> None:
    store.put_bytes("k/v", b"original")
    path = Path(store.native_url("k/v"))
    path.write_bytes(b"edited in place, longer")
    assert store.stored_md5("k/v") == md5(b"edited in place, longer")


def test_stored_md5_is_computed_for_objects_written_without_the_store(store: BlobStore) -> None:
    path = Path(store.base) / "p" / "d" / "external.bin"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"written by someone else")
    assert store.stored_md5("p/d/external.bin") == md5(b"written by someone else")


def test_an_object_cannot_be_stored_beneath_another_object(store: BlobStore) -> None:
    store.put_bytes("p/d/file", b"x")
    with pytest.raises(InvalidArgument, match="cannot store an object"):
        store.put_bytes("p/d/file/child", b"y")
    assert store.get_bytes("p/d/file") == b"x"


def test_stale_temp_files_from_a_crash_are_swept_on_start(tmp_path: Path) -> None:
    BlobStore(str(tmp_path / "blobs"))
    temp_dir = tmp_path / "blobs" / ".flyteplane" / "tmp"
    stale, fresh = temp_dir / "put-stale", temp_dir / "put-fresh"
    stale.write_bytes(b"half")
    fresh.write_bytes(b"in progress")
    old = time.time() - 2 * 24 * 3600
    os.utime(stale, (old, old))
    BlobStore(str(tmp_path / "blobs"))
    assert not stale.exists()
    assert fresh.exists()


# -- remote (fsspec) backend --


def test_remote_native_url_is_the_object_store_url(memory_store: BlobStore) -> None:
    assert not memory_store.is_local
    assert memory_store.base.startswith("memory://")
    url = memory_store.native_url("p/d/r/f.txt")
    assert url == f"{memory_store.base}/p/d/r/f.txt"
    assert memory_store.key_of(url) == "p/d/r/f.txt"


def test_remote_key_of_rejects_other_protocols_and_buckets(memory_store: BlobStore) -> None:
    for url in ("s3://bucket/prefix/p/d/f", "/tmp/p/d/f", "memory://other-bucket/prefix/p/d/f"):
        with pytest.raises(InvalidArgument):
            memory_store.key_of(url)


def test_remote_put_get_and_md5(memory_store: BlobStore) -> None:
    memory_store.put_bytes("p/d/r/f.txt", b"remote bytes", content_md5=md5(b"remote bytes"))
    assert memory_store.exists("p/d/r/f.txt")
    assert memory_store.get_bytes("p/d/r/f.txt") == b"remote bytes"
    assert memory_store.stored_md5("p/d/r/f.txt") == md5(b"remote bytes")


def test_remote_md5_mismatch_leaves_the_old_object(memory_store: BlobStore) -> None:
    memory_store.put_bytes("k/v", b"old")
    with pytest.raises(InvalidArgument, match="Content-MD5 mismatch"):
        memory_store.put_bytes("k/v", b"new", content_md5=md5(b"nope"))
    assert memory_store.get_bytes("k/v") == b"old"


def test_remote_missing_object(memory_store: BlobStore) -> None:
    assert not memory_store.exists("p/none")
    assert memory_store.stored_md5("p/none") is None
    with pytest.raises(NotFound, match="object not found"):
        memory_store.get_bytes("p/none")


def test_the_blobs_package_exports_the_store_and_the_signer() -> None:
    import flyteplane.blobs

    assert flyteplane.blobs.__all__ == ["BlobStore", "Signer"]
    assert flyteplane.blobs.BlobStore is BlobStore


# -- create-only writes, and the URLs handed to clients --


def test_a_create_only_write_never_replaces_other_content(tmp_path: Path) -> None:
    store = BlobStore(str(tmp_path / "blobs"))
    with store.open_write("u/a.bin", create_only=True) as writer:
        writer.write(b"first")
    writer = store.open_write("u/a.bin", create_only=True)
    writer.write(b"second")
    with pytest.raises(AlreadyExists):
        writer.commit()
    assert store.get_bytes("u/a.bin") == b"first"
    again = store.open_write("u/a.bin", create_only=True)
    again.write(b"first")
    assert again.commit() is False  # the same content: nothing to do
    assert store.stored_md5("u/a.bin") == hashlib.md5(b"first").digest()


def test_a_local_stores_remote_url_is_local_to_fsspec_and_remote_to_flytekit(tmp_path: Path) -> None:
    from flytekit.core.data_persistence import FileAccessProvider

    store = BlobStore(str(tmp_path / "blobs"))
    store.put_bytes("u/d/f.txt", b"x")
    url = store.remote_url("u/d/f.txt")
    assert url == f"local://{store.base}/u/d/f.txt"
    assert store.key_of(url) == "u/d/f.txt"
    assert FileAccessProvider.is_remote(url)
    assert not FileAccessProvider.is_remote(store.native_url("u/d/f.txt"))
    assert fsspec.open(url, "rb").open().read() == b"x"


def test_an_s3_store_names_bucket_and_object_keys(tmp_path: Path) -> None:
    store = BlobStore(
        "s3://my-s3-bucket/flyte", storage_options={"client_kwargs": {"endpoint_url": "http://127.0.0.1:9"}}
    )
    assert store.native_url("a/b") == store.remote_url("a/b") == "s3://my-s3-bucket/flyte/a/b"
    assert store.bucket_and_key("a/b") == ("my-s3-bucket", "flyte/a/b")
    assert store.key_of("s3://my-s3-bucket/flyte/a/b") == "a/b"
    with pytest.raises(InvalidArgument):
        store.key_of("s3://other-bucket/flyte/a/b")
    bare = BlobStore("s3://bucket", storage_options={"client_kwargs": {"endpoint_url": "http://127.0.0.1:9"}})
    assert bare.bucket_and_key("a/b") == ("bucket", "a/b")
