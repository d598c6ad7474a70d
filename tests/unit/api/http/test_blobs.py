"""The signed blob routes: where flytekit's upload PUTs and signed downloads meet the HTTP side."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flyteidl.service import dataproxy_pb2
from starlette.applications import Starlette
from starlette.testclient import TestClient

from flyteplane.api.http.blobs import blob_routes
from flyteplane.blobs.signing import Signer
from flyteplane.blobs.store import BlobStore
from flyteplane.services.data.data_proxy import DataProxyService

PUBLIC_URL = "http://testserver"
START = datetime(2025, 6, 1, 12, 0, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def b64md5(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path) -> BlobStore:
    return BlobStore(str(tmp_path / "blobs"))


@pytest.fixture
def service(store: BlobStore, clock: Clock) -> DataProxyService:
    return DataProxyService(store, Signer(b"k" * 32), public_url=PUBLIC_URL, clock=clock)


@pytest.fixture
def client(store: BlobStore, clock: Clock) -> Iterator[TestClient]:
    app = Starlette(routes=blob_routes(store, Signer(b"k" * 32), clock=clock))
    with TestClient(app) as client:
        yield client


def upload_location(
    service: DataProxyService, data: bytes | None, **fields: object
) -> dataproxy_pb2.CreateUploadLocationResponse:
    if data is not None:
        fields["content_md5"] = hashlib.md5(data).digest()
    request = dataproxy_pb2.CreateUploadLocationRequest(project="flytesnacks", domain="development", **fields)
    return service.create_upload_location(request)


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def put_as_flytekit(client: TestClient, resp: dataproxy_pb2.CreateUploadLocationResponse, data: bytes) -> int:
    """What FlyteRemote.upload_file sends: Content-Length, Content-MD5, then the response's headers."""
    headers = {"Content-Length": str(len(data)), "Content-MD5": b64md5(data), **dict(resp.headers)}
    return client.put(path_of(resp.signed_url), content=data, headers=headers).status_code


# -- PUT --


def test_an_upload_through_the_signed_url_lands_at_the_native_url(
    client: TestClient, service: DataProxyService
) -> None:
    data = b"fast-registered code" * 1000
    resp = upload_location(service, data, filename="fastabc.tar.gz", add_content_md5_metadata=True)
    assert put_as_flytekit(client, resp, data) == 201
    assert Path(resp.native_url.removeprefix("local://")).read_bytes() == data


def test_a_repeated_upload_of_the_same_content_succeeds(client: TestClient, service: DataProxyService) -> None:
    data = b"same bytes"
    first = upload_location(service, data, filename="f.txt", filename_root="root")
    assert put_as_flytekit(client, first, data) == 201
    again = upload_location(service, data, filename="f.txt", filename_root="root")
    assert put_as_flytekit(client, again, data) == 200
    assert Path(again.native_url.removeprefix("local://")).read_bytes() == data


def test_an_upload_without_md5_headers_is_accepted(client: TestClient, service: DataProxyService) -> None:
    """flytekit's streaming writer PUTs the buffer with no Content-MD5 and ignores the returned headers."""
    resp = upload_location(service, None, filename_root="frame.parquet")
    r = client.put(path_of(resp.signed_url), content=b"parquet bytes")
    assert r.status_code == 201
    assert Path(resp.native_url.removeprefix("local://")).read_bytes() == b"parquet bytes"
    assert r.headers["ETag"] == f'"{hashlib.md5(b"parquet bytes").hexdigest()}"'


def test_a_large_chunked_upload_streams_to_the_store(
    client: TestClient, service: DataProxyService, store: BlobStore
) -> None:
    data = bytes(range(256)) * 12_289  # ~3 MiB, not a multiple of the chunk size
    resp = upload_location(service, data, filename="big.bin")

    def body() -> Iterator[bytes]:
        for i in range(0, len(data), 65_536):
            yield data[i : i + 65_536]

    r = client.put(path_of(resp.signed_url), content=body(), headers={"Content-MD5": b64md5(data)})
    assert r.status_code == 201
    assert Path(resp.native_url.removeprefix("local://")).read_bytes() == data
    assert store.stored_md5(store.key_of(resp.native_url)) == hashlib.md5(data).digest()


def test_a_body_that_does_not_match_content_md5_is_refused_and_the_old_object_kept(
    client: TestClient, service: DataProxyService
) -> None:
    resp = upload_location(service, None, filename="f.txt", filename_root="root")
    assert client.put(path_of(resp.signed_url), content=b"old").status_code == 201
    r = client.put(path_of(resp.signed_url), content=b"new", headers={"Content-MD5": b64md5(b"different")})
    assert (r.status_code, r.text) == (400, "Content-MD5 mismatch")
    assert Path(resp.native_url.removeprefix("local://")).read_bytes() == b"old"


def test_a_body_that_does_not_match_the_signed_md5_is_refused(client: TestClient, service: DataProxyService) -> None:
    resp = upload_location(service, b"promised", filename="f.txt")
    r = client.put(path_of(resp.signed_url), content=b"delivered")
    assert (r.status_code, r.text) == (400, "Content-MD5 mismatch")
    assert not Path(resp.native_url.removeprefix("local://")).exists()


def test_a_content_md5_header_other_than_the_signed_one_is_forbidden(
    client: TestClient, service: DataProxyService
) -> None:
    resp = upload_location(service, b"promised", filename="f.txt")
    r = client.put(path_of(resp.signed_url), content=b"other", headers={"Content-MD5": b64md5(b"other")})
    assert r.status_code == 403
    assert not Path(resp.native_url.removeprefix("local://")).exists()


def test_a_metadata_md5_that_disagrees_is_refused(client: TestClient, service: DataProxyService) -> None:
    data = b"x"
    resp = upload_location(service, data, filename="f.txt")
    headers = {"Content-MD5": b64md5(data), "x-amz-meta-flyteContentMD5": b64md5(b"y")}
    assert client.put(path_of(resp.signed_url), content=data, headers=headers).status_code == 400


def test_a_malformed_content_md5_is_a_bad_request(client: TestClient, service: DataProxyService) -> None:
    resp = upload_location(service, None, filename_root="root")
    for value in ("not base64!", base64.b64encode(b"short").decode()):
        r = client.put(path_of(resp.signed_url), content=b"x", headers={"Content-MD5": value})
        assert (r.status_code, r.text) == (400, "invalid Content-MD5 header")


# -- signatures --


def test_an_expired_upload_url_is_forbidden(client: TestClient, service: DataProxyService, clock: Clock) -> None:
    resp = upload_location(service, b"x", filename="f.txt")
    clock.now = START + timedelta(hours=1, seconds=1)
    r = client.put(path_of(resp.signed_url), content=b"x", headers={"Content-MD5": b64md5(b"x")})
    assert (r.status_code, r.text) == (403, "the URL has expired")
    assert r.headers["content-type"].startswith("text/plain")
    assert not Path(resp.native_url.removeprefix("local://")).exists()


def test_a_tampered_signature_is_forbidden(client: TestClient, service: DataProxyService) -> None:
    resp = upload_location(service, b"x", filename="f.txt")
    url = path_of(resp.signed_url)
    tampered = url[:-1] + ("0" if url[-1] != "0" else "1")
    r = client.put(tampered, content=b"x", headers={"Content-MD5": b64md5(b"x")})
    assert (r.status_code, r.text) == (403, "the URL's signature does not match")


def test_a_signature_does_not_carry_over_to_another_key(client: TestClient, service: DataProxyService) -> None:
    resp = upload_location(service, b"x", filename="f.txt")
    url = path_of(resp.signed_url).replace("/f.txt?", "/g.txt?")
    assert client.put(url, content=b"x", headers={"Content-MD5": b64md5(b"x")}).status_code == 403


def test_an_unsigned_request_is_forbidden(client: TestClient) -> None:
    assert client.put("/blobs/p/d/f", content=b"x").status_code == 403
    assert client.get("/blobs/p/d/f").status_code == 403


def test_an_upload_url_cannot_download(client: TestClient, service: DataProxyService) -> None:
    resp = upload_location(service, b"x", filename="f.txt")
    assert put_as_flytekit(client, resp, b"x") == 201
    r = client.get(path_of(resp.signed_url))
    assert (r.status_code, r.text) == (403, "the URL allows PUT, not GET")


def test_a_download_url_cannot_upload(client: TestClient, service: DataProxyService, store: BlobStore) -> None:
    store.put_bytes("p/d/f", b"original")
    link = service.create_download_location(
        dataproxy_pb2.CreateDownloadLocationRequest(native_url=store.native_url("p/d/f"))
    )
    assert client.put(path_of(link.signed_url), content=b"overwrite").status_code == 403
    assert store.get_bytes("p/d/f") == b"original"


# -- path confinement --


@pytest.mark.parametrize(
    "path",
    [
        "/blobs/p/%2e%2e/%2e%2e/%2e%2e/outside.txt",
        "/blobs/%2e%2e/outside.txt",
        "/blobs/p/..%2f..%2f..%2foutside.txt",
        "/blobs//tmp/outside.txt",
        "/blobs/%2Ftmp/outside.txt",
        "/blobs/p/a%5c..%5c..%5coutside.txt",
        "/blobs/p/a%00b",
        "/blobs/.flyteplane/md5/p/d/f",
        "/blobs/",
    ],
)
def test_paths_that_leave_the_store_are_refused(client: TestClient, tmp_path: Path, path: str) -> None:
    for method in ("PUT", "GET"):
        r = client.request(method, path + "?method=PUT&expires=99999999999&signature=00", content=b"evil")
        assert r.status_code == 400, (method, path, r.status_code, r.text)
        assert r.text.startswith("invalid blob key")
    assert not (tmp_path / "outside.txt").exists()
    assert not Path("/tmp/outside.txt").exists()


# -- GET / HEAD --


def download_path(service: DataProxyService, store: BlobStore, key: str) -> str:
    request = dataproxy_pb2.CreateDownloadLocationRequest(native_url=store.native_url(key))
    return path_of(service.create_download_location(request).signed_url)


def test_a_signed_download_streams_the_object_with_length_and_etag(
    client: TestClient, service: DataProxyService, store: BlobStore
) -> None:
    data = b"0123456789" * 300_000
    store.put_bytes("p/d/exec/n0/outputs.pb", data)
    r = client.get(download_path(service, store, "p/d/exec/n0/outputs.pb"))
    assert r.status_code == 200
    assert r.content == data
    assert r.headers["Content-Length"] == str(len(data))
    assert r.headers["ETag"] == f'"{hashlib.md5(data).hexdigest()}"'


def test_head_reports_length_and_etag_without_a_body(
    client: TestClient, service: DataProxyService, store: BlobStore
) -> None:
    store.put_bytes("p/d/deck.html", b"<html/>")
    r = client.head(download_path(service, store, "p/d/deck.html"))
    assert r.status_code == 200
    assert r.content == b""
    assert r.headers["Content-Length"] == "7"
    assert r.headers["ETag"] == f'"{hashlib.md5(b"<html/>").hexdigest()}"'


def test_a_download_of_a_missing_object_is_not_found(
    client: TestClient, service: DataProxyService, store: BlobStore
) -> None:
    r = client.get(download_path(service, store, "p/d/none"))
    assert (r.status_code, r.text) == (404, "object not found")


def test_an_expired_download_url_is_forbidden(
    client: TestClient, service: DataProxyService, store: BlobStore, clock: Clock
) -> None:
    store.put_bytes("p/d/f", b"x")
    path = download_path(service, store, "p/d/f")
    clock.now = START + timedelta(hours=2)
    assert client.get(path).status_code == 403


def test_a_download_link_for_a_deck_serves_it(client: TestClient, service: DataProxyService, store: BlobStore) -> None:
    store.put_bytes("p/d/exec/n0/deck.html", b"<h1>deck</h1>")
    link = service.create_download_link_for_uri(store.native_url("p/d/exec/n0/deck.html"), None)
    assert client.get(path_of(link.signed_url[0])).content == b"<h1>deck</h1>"


def test_keys_with_padding_and_spaces_survive_the_url_round_trip(client: TestClient, service: DataProxyService) -> None:
    data = b"file input"
    resp = upload_location(service, data, filename="my data.csv", filename_root="ZGOFGTXP24======")
    assert "%3D%3D" in resp.signed_url
    assert put_as_flytekit(client, resp, data) == 201
    assert Path(resp.native_url.removeprefix("local://")).read_bytes() == data


def test_an_unexpired_upload_url_cannot_replace_what_it_uploaded(
    client: TestClient, service: DataProxyService, store: BlobStore
) -> None:
    """The no-overwrite rule holds at PUT time: a second PUT with other content is refused, the object kept."""
    resp = upload_location(service, None, filename="outputs.pb", filename_root="p-d-exec/n0/data/0")
    assert client.put(path_of(resp.signed_url), content=b"first").status_code == 201
    r = client.put(path_of(resp.signed_url), content=b"forged")
    assert r.status_code == 412
    assert store.get_bytes(store.key_of(resp.native_url)) == b"first"
    assert client.put(path_of(resp.signed_url), content=b"first").status_code == 200  # the same bytes: harmless


def test_a_put_never_replaces_an_object_written_by_the_server(
    client: TestClient, service: DataProxyService, store: BlobStore
) -> None:
    resp = upload_location(service, None, filename="f.bin", filename_root="root")
    store.put_bytes(store.key_of(resp.native_url), b"written first")
    assert client.put(path_of(resp.signed_url), content=b"other").status_code == 412
    assert store.get_bytes(store.key_of(resp.native_url)) == b"written first"
