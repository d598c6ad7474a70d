"""One real flyteplane server per database backend (SQLite and PostgreSQL), shared by the integration tests.

Servers are session-wide (per xdist worker) because starting one costs a second; test files stay independent by
registering their own project (`project`), so no file sees another's entities or counts.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from flyteidl.service import admin_pb2_grpc
from tests.integration.server import RunningServer, start_server
from tests.integration.support import new_project
from tests.postgres import temporary_database


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    home: Path = tmp_path_factory.mktemp(f"home-{request.param}")
    if request.param == "sqlite":
        running = start_server(home)
        yield running
        running.stop()
        return
    with temporary_database() as url:
        running = start_server(home, url)
        yield running
        running.stop()


@pytest.fixture(scope="session")
def remote(server: RunningServer) -> Any:
    """flytekit's FlyteRemote for the server, connected the way the docs tell users to."""
    from flytekit.remote import FlyteRemote

    return FlyteRemote.for_endpoint(
        server.endpoint, insecure=True, default_project="flytesnacks", default_domain="development"
    )


@pytest.fixture(scope="session")
def channel(server: RunningServer) -> Iterator[grpc.Channel]:
    """A plain gRPC channel, for status codes flytekit's retrying interceptor would hide."""
    with grpc.insecure_channel(server.endpoint) as opened:
        yield opened


@pytest.fixture(scope="session")
def admin(channel: grpc.Channel) -> admin_pb2_grpc.AdminServiceStub:
    """flyteidl's AdminService stub, for RPCs flytekit's client does not wrap (GetProject, Delete*...)."""
    return admin_pb2_grpc.AdminServiceStub(channel)


@pytest.fixture(scope="module")
def project(remote: Any, request: pytest.FixtureRequest) -> str:
    """A project of this test file's own, registered through flytekit."""
    module = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_").replace("_", "-")
    return new_project(remote, module[:40])
