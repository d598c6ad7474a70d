"""Uploads and downloads through signed URLs: the PUT flytekit's data proxy expects, content-addressed names,
directories under one prefix, and errors that say what the server answered."""

from __future__ import annotations

import base64
import hashlib
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flyteidl.service import dataproxy_pb2

from flyteplane.client import FlyteInvalidInputException
from flyteplane.remote.transfer import BlobTransfer, UploadError, filename_root_of


class Store(http.server.BaseHTTPRequestHandler):
    """A signed-URL endpoint: PUT stores the body under the path (checking Content-MD5), GET returns it."""

    blobs: dict[str, bytes] = {}
    headers_seen: list[dict[str, str]] = []
    fail_with: int | None = None

    def do_PUT(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Store.headers_seen.append(dict(self.headers))
        if Store.fail_with or base64.b64encode(hashlib.md5(body).digest()).decode() != self.headers["Content-MD5"]:
            self.send_response(Store.fail_with or 400)
            self.end_headers()
            self.wfile.write(b"refused")
            return
        Store.blobs[self.path] = body
        self.send_response(201)
        self.end_headers()

    def do_GET(self) -> None:
        body = Store.blobs[self.path]
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def store() -> Iterator[str]:
    Store.blobs, Store.headers_seen, Store.fail_with = {}, [], None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Store)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


class ProxyClient:
    """CreateUploadLocation and CreateDownloadLocation as flyteadmin answers them."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.requests: list[dict[str, Any]] = []

    def get_upload_signed_url(self, **kwargs: Any) -> Any:
        self.requests.append(kwargs)
        root = kwargs["filename_root"] or base64.b32encode(kwargs["content_md5"]).decode()
        key = f"/{kwargs['project']}/{kwargs['domain']}/{root}/{kwargs['filename']}"
        return dataproxy_pb2.CreateUploadLocationResponse(
            signed_url=self.base + key, native_url="s3://bucket" + key, headers={"X-Extra": "1"}
        )

    def get_download_signed_url(self, native_url: str) -> Any:
        if not native_url.startswith("s3://bucket/"):
            raise FlyteInvalidInputException("not a location in the blob store")
        return dataproxy_pb2.CreateDownloadLocationResponse(signed_url=self.base + native_url[len("s3://bucket") :])


def transfer(client: ProxyClient) -> BlobTransfer:
    return BlobTransfer(lambda: client, lambda: "proj", lambda: "dev")  # type: ignore[arg-type,return-value]


def test_a_file_is_put_with_its_md5_and_the_proxys_headers(store: str, tmp_path: Path) -> None:
    local = tmp_path / "data.bin"
    local.write_bytes(b"payload")
    client = ProxyClient(store)

    md5, native_url = transfer(client).upload(local)

    assert md5 == hashlib.md5(b"payload").digest()
    root = base64.b32encode(md5).decode()
    assert native_url == f"s3://bucket/proj/dev/{root}/data.bin"
    assert Store.blobs[f"/proj/dev/{root}/data.bin"] == b"payload"
    assert Store.headers_seen[0]["X-Extra"] == "1"
    assert client.requests[0]["content_md5"] == md5 and client.requests[0]["filename"] == "data.bin"


def test_a_directory_is_uploaded_under_one_prefix_which_is_its_uri(store: str, tmp_path: Path) -> None:
    (tmp_path / "d" / "sub").mkdir(parents=True)
    (tmp_path / "d" / "a.txt").write_text("a")
    (tmp_path / "d" / "sub" / "b.txt").write_text("b")
    client = ProxyClient(store)

    uri = transfer(client).upload_directory(str(tmp_path / "d"))

    root = filename_root_of([hashlib.md5(b"a").digest(), hashlib.md5(b"b").digest()])
    assert uri == f"s3://bucket/proj/dev/{root}"
    assert sorted(Store.blobs) == [f"/proj/dev/{root}/a.txt", f"/proj/dev/{root}/sub/b.txt"]


def test_downloads_go_through_signed_urls(store: str, tmp_path: Path) -> None:
    local = tmp_path / "x.txt"
    local.write_text("round trip")
    moved = transfer(ProxyClient(store))
    _, native_url = moved.upload(local)

    target = moved.fetch(native_url, str(tmp_path / "back.txt"))

    assert Path(target).read_text() == "round trip"


def test_locations_the_proxy_does_not_sign_are_read_directly(store: str, tmp_path: Path) -> None:
    local = tmp_path / "plain.txt"
    local.write_text("local")
    assert Path(transfer(ProxyClient(store)).fetch(str(local), str(tmp_path / "copy.txt"))).read_text() == "local"


def test_a_refused_upload_says_what_the_server_answered(store: str, tmp_path: Path) -> None:
    Store.fail_with = 403
    local = tmp_path / "x.txt"
    local.write_text("x")
    with pytest.raises(UploadError, match="failed with 403: refused"):
        transfer(ProxyClient(store)).upload(local)


def test_only_single_files_upload(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="is not a single file"):
        transfer(ProxyClient("http://unused")).upload(tmp_path)
