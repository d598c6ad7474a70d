"""One real `flyteplane serve` subprocess (SQLite) for the client's integration tests, and clients for it.

The client's behaviour does not depend on the database, so these tests run against SQLite only (the registry's
own integration tests cover PostgreSQL). Each test file registers its own project.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from flyteidl.admin import project_pb2
from tests.integration.server import RunningServer, start_server

from flyteplane.client import SynchronousFlyteClient


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "fake_admin: runs against an in-process fake Admin (deterministic answers); the same methods run "
        "against the real server in test_executions.py",
    )


@pytest.fixture(scope="session")
def plane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    running = start_server(tmp_path_factory.mktemp("client-home"))
    yield running
    running.stop()


@pytest.fixture(scope="session")
def client(plane: RunningServer) -> Iterator[SynchronousFlyteClient]:
    with SynchronousFlyteClient(plane.endpoint, insecure=True) as opened:
        yield opened


@pytest.fixture(scope="session")
def flytekit_client(plane: RunningServer) -> Any:
    """flytekit's own SynchronousFlyteClient, for differential tests."""
    from flytekit.clients.friendly import SynchronousFlyteClient as FlytekitClient
    from flytekit.configuration import PlatformConfig as FlytekitPlatformConfig

    return FlytekitClient(FlytekitPlatformConfig(endpoint=plane.endpoint, insecure=True))


def new_project(client: SynchronousFlyteClient, prefix: str) -> str:
    project_id = f"{prefix[:30]}-{uuid.uuid4().hex[:8]}"
    client.register_project(project_pb2.Project(id=project_id, name=f"{prefix} tests"))
    return project_id


@pytest.fixture(scope="module")
def project_id(client: SynchronousFlyteClient, request: pytest.FixtureRequest) -> str:
    """A project of this test file's own, registered through flyteplane's client."""
    module = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_").replace("_", "-")
    return new_project(client, module)
