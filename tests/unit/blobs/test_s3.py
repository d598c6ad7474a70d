"""The S3 blob store and its presigned URLs against moto's S3 server (real HTTP on 127.0.0.1; unit tests only:
the integration tests use SeaweedFS)."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest

from flyteplane.blobs.s3 import S3Access, seconds_until
from flyteplane.blobs.store import BlobStore
from flyteplane.blobs.urls import S3BlobUrls
from flyteplane.errors import AlreadyExists

BUCKET = "my-s3-bucket"


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    pytest.importorskip("moto.server", reason="moto[s3] and flask are in the dev extra")
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    assert host == "127.0.0.1"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def access(endpoint: str) -> S3Access:
    env = {"AWS_ACCESS_KEY_ID": "minio", "AWS_SECRET_ACCESS_KEY": "miniostorage"}
    return S3Access.from_settings(endpoint, "", env)


@pytest.fixture
def store(access: S3Access, request: pytest.FixtureRequest) -> BlobStore:
    import botocore.session

    client = botocore.session.get_session().create_client(
        "s3",
        endpoint_url=access.endpoint,
        region_name=access.region,
        aws_access_key_id=access.access_key_id,
        aws_secret_access_key=access.secret_access_key,
    )
    with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
        client.create_bucket(Bucket=BUCKET)
    return BlobStore(f"s3://{BUCKET}/{request.node.name}", storage_options=access.storage_options())


def http(method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    # urllib would call the body a form otherwise (and moto's server would read it as one)
    headers = {"Content-Type": "application/octet-stream", **(headers or {})}
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def test_settings_and_the_environment_make_storage_options_and_task_variables() -> None:
    env = {"AWS_ACCESS_KEY_ID": "id", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_REGION": "eu-west-1"}
    access = S3Access.from_settings("http://127.0.0.1:8333/", "", env)
    assert access.region == "eu-west-1"
    assert access.storage_options()["client_kwargs"] == {
        "endpoint_url": "http://127.0.0.1:8333",
        "region_name": "eu-west-1",
    }
    assert access.storage_options()["key"] == "id"
    assert access.task_env() == {
        "AWS_REGION": "eu-west-1",
        "FLYTE_AWS_ENDPOINT": "http://127.0.0.1:8333",
        "FLYTE_AWS_ACCESS_KEY_ID": "id",
        "FLYTE_AWS_SECRET_ACCESS_KEY": "secret",
    }
    assert S3Access.from_settings("", "ap-south-1", {}).region == "ap-south-1"
    assert S3Access.from_settings("", "", {}).region == "us-east-1"
    assert "key" not in S3Access.from_settings("", "", {}).storage_options()  # botocore's own chain then


def test_seconds_until_is_bounded_by_s3s_week() -> None:
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert seconds_until(now + timedelta(hours=1), now) == 3600
    assert seconds_until(now - timedelta(hours=1), now) == 1
    assert seconds_until(now + timedelta(days=30), now) == 7 * 24 * 3600


def test_objects_round_trip_with_their_md5(store: BlobStore) -> None:
    store.put_bytes("metadata/p/d/e/inputs.pb", b"inputs")
    assert store.exists("metadata/p/d/e/inputs.pb")
    assert store.get_bytes(store.key_of(store.native_url("metadata/p/d/e/inputs.pb"))) == b"inputs"
    assert store.stored_md5("metadata/p/d/e/inputs.pb") == hashlib.md5(b"inputs").digest()
    assert not store.exists("metadata/p/d/e/outputs.pb")
    bucket, key = store.bucket_and_key("metadata/p/d/e/inputs.pb")
    record = f"{bucket}/{key.replace('metadata/', '.flyteplane/md5/metadata/', 1)}"
    assert not store._fs.exists(record), "the ETag is the MD5: no record object is written beside it"


def test_a_create_only_write_refuses_other_content(store: BlobStore) -> None:
    with store.open_write("u/k", create_only=True) as writer:
        writer.write(b"one")
    writer = store.open_write("u/k", create_only=True)
    writer.write(b"two")
    with pytest.raises(AlreadyExists):
        writer.commit()
    assert store.get_bytes("u/k") == b"one"


def test_presigned_put_pins_the_content_md5_and_get_reads_it(store: BlobStore, access: S3Access) -> None:
    urls = S3BlobUrls(store, access.presigner())
    data = b"a code tarball"
    md5 = hashlib.md5(data).digest()
    expires = datetime.now(timezone.utc) + timedelta(minutes=5)
    upload = urls.upload("uploads/p/d/x/fast.tar.gz", expires, md5, md5_metadata=True, create_only=False)
    assert upload.headers["Content-MD5"] == base64.b64encode(md5).decode()
    assert "X-Amz-Signature=" in upload.url
    assert "content-md5" in upload.url.lower()  # signed: the client must send it (moto does not check the body)
    status, _ = http("PUT", upload.url, data, upload.headers)
    assert status == 200
    assert store.get_bytes("uploads/p/d/x/fast.tar.gz") == data
    status, body = http("GET", urls.download("uploads/p/d/x/fast.tar.gz", expires))
    assert (status, body) == (200, data)


def test_a_create_only_upload_url_carries_if_none_match(store: BlobStore, access: S3Access) -> None:
    urls = S3BlobUrls(store, access.presigner())
    expires = datetime.now(timezone.utc) + timedelta(minutes=5)
    upload = urls.upload("uploads/p/d/root/outputs.pb", expires, None, md5_metadata=False, create_only=True)
    assert upload.headers == {"If-None-Match": "*"}
    assert "if-none-match" in upload.url.lower()
    assert http("PUT", upload.url, b"first", upload.headers)[0] == 200
    assert http("PUT", upload.url, b"forged", upload.headers)[0] == 412
    assert store.get_bytes("uploads/p/d/root/outputs.pb") == b"first"
