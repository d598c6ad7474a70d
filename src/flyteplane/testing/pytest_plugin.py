"""pytest fixtures for a flyteplane control plane: enable with `pytest_plugins = ["flyteplane.testing.pytest_plugin"]`.

- `flyteplane`: one embedded control plane for the whole session (an EmbeddedControlPlane).
- `flyteplane_client`: a SynchronousFlyteClient connected to it, closed after the test.
- `flyteplane_project`: a freshly registered project id, so each test starts from an empty namespace.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from flyteplane.client import SynchronousFlyteClient
from flyteplane.testing.server import EmbeddedControlPlane, flyteplane_server

__all__ = ["flyteplane", "flyteplane_client", "flyteplane_project"]


@pytest.fixture(scope="session")
def flyteplane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedControlPlane]:
    with flyteplane_server(tmp_path_factory.mktemp("flyteplane")) as plane:
        yield plane


@pytest.fixture
def flyteplane_client(flyteplane: EmbeddedControlPlane) -> Iterator[SynchronousFlyteClient]:
    with SynchronousFlyteClient(flyteplane.platform_config()) as client:
        yield client


@pytest.fixture
def flyteplane_project(flyteplane: EmbeddedControlPlane) -> str:
    return flyteplane.new_project()
