"""Connections cannot exhaust the server's file descriptors (issue 9): a flood of silent connections leaves the port
serving, busy connections at the cap make newcomers get a clear refusal, and failed accepts log one line, not one
per backlog slot."""

from __future__ import annotations

import resource
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from flyteidl.admin import version_pb2
from flyteidl.service import admin_pb2_grpc
from tests.integration.server import RunningServer, start_server

FD_LIMIT = 300  # the server process's open files limit in the flood test: a flood of 1,000 exceeds it
FLOOD = 1000


def healthcheck(server: RunningServer, timeout: float = 5) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(server.url + "/healthcheck", timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def get_version(server: RunningServer) -> str:
    with grpc.insecure_channel(server.endpoint) as channel:
        stub = admin_pb2_grpc.AdminServiceStub(channel)
        return str(stub.GetVersion(version_pb2.GetVersionRequest(), timeout=10).control_plane_version.Version)


def open_silent(port: int, count: int) -> list[socket.socket]:
    """`count` connections that never send a byte (connects in flight, as a flood would leave them)."""
    sockets = []
    for _ in range(count):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        sock.connect_ex(("127.0.0.1", port))
        sockets.append(sock)
    return sockets


def closed_by_server(sock: socket.socket, within: float) -> bool:
    sock.settimeout(within)
    try:
        return sock.recv(1) == b""
    except ConnectionError:
        return True
    except TimeoutError:
        return False


@pytest.fixture
def low_fd_server(tmp_path: Path) -> Iterator[RunningServer]:
    """A server whose open files limit (soft and hard) is far below the flood it will get."""

    def limit_open_files() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (FD_LIMIT, FD_LIMIT))

    running = start_server(tmp_path / "home", preexec_fn=limit_open_files)
    yield running
    running.stop()


def test_a_flood_of_silent_connections_leaves_the_port_serving(low_fd_server: RunningServer) -> None:
    """The cap is lowered to fit the limit, newcomers displace silent connections, and the one line asyncio
    writes per failed accept() (a thousand at a time) comes at most once per interval."""
    flood = open_silent(low_fd_server.port, FLOOD)
    try:
        time.sleep(1.0)
        assert healthcheck(low_fd_server) == (200, b"")  # while the flood is held
        assert get_version(low_fd_server)
    finally:
        for sock in flood:
            sock.close()
    assert healthcheck(low_fd_server) == (200, b"")
    assert get_version(low_fd_server)
    log = low_fd_server.log.read_text()
    assert "serving at most 78 connections, not max_connections=4096: the open files limit is 300" in log
    assert log.count("cannot accept connections") <= 2, log[-3000:]
    assert "out of system resource" not in log and "Traceback" not in log, log[-3000:]
    assert len(log) < 20_000, f"{len(log)} bytes of log"


def test_at_the_cap_with_every_connection_busy_newcomers_are_refused_clearly(tmp_path: Path) -> None:
    server = start_server(tmp_path / "home", "", "--max-connections", "2")
    # Channels of one process share a connection unless each has its own subchannel pool.
    busy = [grpc.insecure_channel(server.endpoint, options=[("grpc.use_local_subchannel_pool", 1)]) for _ in range(2)]
    try:
        for channel in busy:  # each channel keeps its one HTTP/2 connection open after the call
            admin_pb2_grpc.AdminServiceStub(channel).GetVersion(version_pb2.GetVersionRequest(), timeout=10)
        status, body = healthcheck(server)
        assert (status, body) == (503, b"flyteplane: too many connections (max_connections=2); try again shortly\n")
        with pytest.raises(grpc.RpcError) as refused:
            get_version(server)
        assert refused.value.code() == grpc.StatusCode.UNAVAILABLE  # type: ignore[attr-defined]
        assert "HTTP status 503" in refused.value.details()  # type: ignore[attr-defined]
    finally:
        for channel in busy:
            channel.close()
    deadline = time.monotonic() + 10
    while healthcheck(server)[0] != 200 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert healthcheck(server) == (200, b"")
    assert get_version(server)
    server.stop()


def test_a_connection_silent_past_the_idle_timeout_is_closed(tmp_path: Path) -> None:
    server = start_server(tmp_path / "home", "", "--connection-idle-timeout", "0.5")
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as silent:
            assert closed_by_server(silent, within=5)
        assert healthcheck(server) == (200, b"")
    finally:
        server.stop()
