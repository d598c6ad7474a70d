"""One real `flyteplane serve` subprocess (SQLite) for FlyteRemote's integration tests, and remotes for it.

FlyteRemote's behaviour does not depend on the database, so these tests run on SQLite only. Entities of the seed
samples live in `apps/remoteseeds` (a package, as a user's project is), put on sys.path here.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flyteidl.admin import project_pb2
from tests.integration.server import RunningServer, start_server

from flyteplane.remote import FlyteRemote

APPS = Path(__file__).parent / "apps"
DOMAIN = "development"

if str(APPS) not in sys.path:
    sys.path.insert(0, str(APPS))


@pytest.fixture(scope="session")
def plane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    running = start_server(tmp_path_factory.mktemp("remote-home"))
    yield running
    running.stop()


def new_project(remote: FlyteRemote, prefix: str) -> str:
    project_id = f"{prefix[:30]}-{uuid.uuid4().hex[:8]}"
    remote.client.register_project(project_pb2.Project(id=project_id, name=f"{prefix} tests"))
    return project_id


@pytest.fixture(scope="module")
def project_id(plane: RunningServer, request: pytest.FixtureRequest) -> str:
    """A project of this test file's own."""
    module = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_").replace("_", "-")
    with FlyteRemote.for_endpoint(plane.endpoint, insecure=True) as remote:
        return new_project(remote, module)


@pytest.fixture(scope="module")
def remote(plane: RunningServer, project_id: str) -> Iterator[FlyteRemote]:
    """flyteplane's FlyteRemote on this file's project."""
    with FlyteRemote.for_endpoint(
        plane.endpoint, insecure=True, default_project=project_id, default_domain=DOMAIN
    ) as r:
        yield r


@pytest.fixture(scope="module")
def flytekit_remote(plane: RunningServer, project_id: str) -> Any:
    """flytekit's own FlyteRemote on the same server and project, for differential checks."""
    from flytekit.remote import FlyteRemote as FlytekitRemote

    return FlytekitRemote.for_endpoint(plane.endpoint, insecure=True, default_project=project_id, default_domain=DOMAIN)
