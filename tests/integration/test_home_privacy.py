"""The server's home is private to its user (issue 9): under umask 022 a fresh home, the database, the signing
secret and uploaded blobs are 0700 folders and 0600 files, and an existing home left readable is tightened."""

from __future__ import annotations

import hashlib
import os
import stat
import urllib.request
from pathlib import Path

import grpc
from flyteidl.service import dataproxy_pb2, dataproxy_pb2_grpc
from tests.integration.server import RunningServer, start_server

HARNESS_FILES = {"server.log"}  # written by the test harness beside the server, not by it


def loose_umask() -> None:
    os.umask(0o022)


def upload(server: RunningServer, content: bytes) -> Path:
    """Uploads through the data proxy as flytekit does; returns the blob's path on disk."""
    with grpc.insecure_channel(server.endpoint) as channel:
        location = dataproxy_pb2_grpc.DataProxyServiceStub(channel).CreateUploadLocation(
            dataproxy_pb2.CreateUploadLocationRequest(
                project="flytesnacks",
                domain="development",
                filename="data.txt",
                content_md5=hashlib.md5(content).digest(),
            ),
            timeout=10,
        )
    request = urllib.request.Request(location.signed_url, data=content, method="PUT", headers=dict(location.headers))
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status in (200, 201)
    return Path(location.native_url.removeprefix("local://"))


def loose_paths(home: Path) -> list[str]:
    """Everything in `home` that is not owner-only: folders other than 0700, files other than 0600."""
    found = []
    for path in [home, *home.rglob("*")]:
        if path.name in HARNESS_FILES or path.is_symlink():
            continue
        mode = stat.S_IMODE(path.stat().st_mode)
        wanted = 0o700 if path.is_dir() else 0o600
        if mode & ~wanted:
            found.append(f"{path.relative_to(home.parent)} {mode:o}")
    return found


def test_a_fresh_home_and_everything_in_it_is_private(tmp_path: Path) -> None:
    server = start_server(tmp_path / "home", preexec_fn=loose_umask)
    try:
        blob = upload(server, b"private bytes")
        assert blob.is_file() and blob.is_relative_to(server.home)
    finally:
        server.stop()
    for name in ("flyteplane.db", "secret.key", "blobs"):
        assert (server.home / name).exists()
    assert loose_paths(server.home) == []


def test_an_existing_readable_home_is_tightened_at_start(tmp_path: Path) -> None:
    home = tmp_path / "home"
    first = start_server(home, preexec_fn=loose_umask)
    first.stop()
    for path in [home, home / "blobs"]:
        path.chmod(0o755)
    for name in ("flyteplane.db", "secret.key"):
        (home / name).chmod(0o644)
    second = start_server(home, preexec_fn=loose_umask)
    second.stop()
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    for name in ("flyteplane.db", "secret.key"):
        assert stat.S_IMODE((home / name).stat().st_mode) == 0o600
    assert stat.S_IMODE((home / "blobs").stat().st_mode) == 0o700
