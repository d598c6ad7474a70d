"""`flyteplane serve` as a process: ready when it says so on a fresh home, and a clean stop on SIGTERM / SIGINT."""

from __future__ import annotations

import signal
import socket
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from flyteidl.admin import project_pb2, version_pb2
from flyteidl.service import admin_pb2_grpc
from tests.integration.server import RunningServer, start_server
from tests.postgres import temporary_database


@pytest.fixture(params=["sqlite", "postgres"])
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RunningServer]:
    """A server started for this test alone, on a home folder (and database) that did not exist before."""
    home = tmp_path / "home"
    if request.param == "sqlite":
        running = start_server(home)
        yield running
        running.stop()
        return
    with temporary_database() as url:
        running = start_server(home, url)
        yield running
        running.stop()


def assert_serving(server: RunningServer) -> None:
    """One gRPC call and one HTTP call, each without waiting or retrying: ready means ready."""
    with grpc.insecure_channel(server.endpoint) as channel:
        stub = admin_pb2_grpc.AdminServiceStub(channel)
        projects = stub.ListProjects(project_pb2.ProjectListRequest(), timeout=5)
        assert [p.id for p in projects.projects] == ["flytesnacks"]
        assert stub.GetVersion(version_pb2.GetVersionRequest(), timeout=5).control_plane_version.Version
    with urllib.request.urlopen(server.url + "/healthcheck", timeout=5) as response:
        assert response.status == 200


def port_is_free(port: int) -> bool:
    """Whether a new server could listen on the port now (with SO_REUSEADDR, as flyteplane binds)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        probe.bind(("127.0.0.1", port))
        probe.listen(1)
    except OSError:
        return False
    finally:
        probe.close()
    return True


def test_a_fresh_home_is_ready_as_soon_as_the_ready_line_is_printed(fresh: RunningServer) -> None:
    print(f"flyteplane serve ({fresh.db.split(':')[0] or 'sqlite'}) was ready in {fresh.startup_seconds:.2f}s")
    assert_serving(fresh)
    assert (fresh.home / "secret.key").is_file()
    assert (fresh.home / "blobs").is_dir()
    if not fresh.db:
        assert (fresh.home / "flyteplane.db").is_file()


def test_a_second_start_on_the_same_home_keeps_its_state(tmp_path: Path) -> None:
    home = tmp_path / "home"
    first = start_server(home)
    with grpc.insecure_channel(first.endpoint) as channel:
        admin_pb2_grpc.AdminServiceStub(channel).RegisterProject(
            project_pb2.ProjectRegisterRequest(project=project_pb2.Project(id="kept", name="kept")), timeout=5
        )
    assert first.stop() == 0, first.log.read_text()
    second = start_server(home)
    try:
        print(f"restart on an existing home was ready in {second.startup_seconds:.2f}s")
        with grpc.insecure_channel(second.endpoint) as channel:
            projects = admin_pb2_grpc.AdminServiceStub(channel).ListProjects(
                project_pb2.ProjectListRequest(), timeout=5
            )
        assert [p.id for p in projects.projects] == ["flytesnacks", "kept"]
    finally:
        second.stop()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_stops_the_server_cleanly_and_releases_the_port(fresh: RunningServer, signum: int) -> None:
    """Stopped with open connections (an idle gRPC channel, a silent TCP client): exit 0, no traceback in the log,
    and the port is free for the next server."""
    with grpc.insecure_channel(fresh.endpoint) as channel:
        admin_pb2_grpc.AdminServiceStub(channel).GetVersion(version_pb2.GetVersionRequest(), timeout=5)
        with socket.create_connection(("127.0.0.1", fresh.port), timeout=5):
            code = fresh.stop(signum)
    log = fresh.log.read_text()
    assert code == 0, log
    assert "flyteplane stopping" in fresh.output()
    assert "Traceback" not in log and " ERROR " not in log, log
    assert port_is_free(fresh.port), log
