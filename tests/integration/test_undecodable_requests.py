"""A request body that is not the RPC's message is the caller's error: INVALID_ARGUMENT naming the RPC, no traceback
in the log, and no memory kept per request (grpcio's own deserializer failure kept ~20 KB each time, issue 9)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import grpc
import pytest
from flyteidl.admin import version_pb2
from flyteidl.service import admin_pb2_grpc
from tests.integration.server import RunningServer, start_server

WARM_UP = 300
SOAK = 3000
# Before the fix 3,000 bad bodies kept ~57 MB; allocator noise on a healthy server stays well below this.
RSS_GROWTH_LIMIT_MB = 12
BODIES = [b"\xff" * 10_000, b"\x0a\xff\xff\xff\xff\x0f", os.urandom(512), b"\x08" * 64]


@pytest.fixture(scope="module")
def lone_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server of this file's own: its memory and log are measured, so no other test may share it. No warm pool:
    its interpreter logs when it is ready, at a moment of its own, which is not what the log check looks for."""
    running = start_server(tmp_path_factory.mktemp("undecodable") / "home", "", "--no-warm-pool")
    yield running
    running.stop()


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc")


def send_bad_bodies(channel: grpc.Channel, count: int) -> dict[grpc.StatusCode, int]:
    rpcs = [
        channel.unary_unary("/flyteidl.service.AdminService/GetTask"),
        channel.unary_unary("/flyteidl.service.AdminService/CreateWorkflow"),
        channel.unary_unary("/flyteidl.service.DataProxyService/CreateUploadLocation"),
        channel.unary_unary("/flyteidl.service.SignalService/SetSignal"),
    ]
    codes: dict[grpc.StatusCode, int] = {}
    for index in range(count):
        try:
            rpcs[index % len(rpcs)](BODIES[index % len(BODIES)], timeout=10)
            code = grpc.StatusCode.OK
        except grpc.RpcError as exc:
            code = exc.code()  # type: ignore[attr-defined]
        codes[code] = codes.get(code, 0) + 1
    return codes


def test_an_undecodable_body_answers_invalid_argument_naming_the_rpc(lone_server: RunningServer) -> None:
    with grpc.insecure_channel(lone_server.endpoint) as channel, pytest.raises(grpc.RpcError) as caught:
        channel.unary_unary("/flyteidl.service.AdminService/GetTask")(b"\xff" * 10_000, timeout=10)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT  # type: ignore[attr-defined]
    assert caught.value.details() == (  # type: ignore[attr-defined]
        "AdminService.GetTask: the request body is not a valid flyteidl.admin.ObjectGetRequest"
    )


def test_thousands_of_undecodable_bodies_keep_memory_and_log_flat(lone_server: RunningServer) -> None:
    with grpc.insecure_channel(lone_server.endpoint) as channel:
        send_bad_bodies(channel, WARM_UP)  # threads, channels and allocator arenas settle first
        before = rss_mb(lone_server.process.pid)
        log_before = lone_server.log.stat().st_size
        codes = send_bad_bodies(channel, SOAK)
        after = rss_mb(lone_server.process.pid)
    assert codes == {grpc.StatusCode.INVALID_ARGUMENT: SOAK}
    assert after - before < RSS_GROWTH_LIMIT_MB, f"RSS grew from {before:.0f} MB to {after:.0f} MB"
    assert lone_server.log.stat().st_size == log_before, "undecodable requests were logged"
    assert lone_server.process.poll() is None


def test_a_server_that_refused_bad_bodies_still_serves(lone_server: RunningServer) -> None:
    with grpc.insecure_channel(lone_server.endpoint) as channel:
        version = admin_pb2_grpc.AdminServiceStub(channel).GetVersion(version_pb2.GetVersionRequest(), timeout=10)
    assert version.control_plane_version.Version
