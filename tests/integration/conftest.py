"""One real flyteplane server per database backend (SQLite and PostgreSQL), shared by the integration tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.integration.server import RunningServer, start_server
from tests.postgres import temporary_database


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
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
def remote(server: RunningServer):  # type: ignore[no-untyped-def]
    from flytekit.configuration import Config
    from flytekit.remote import FlyteRemote

    return FlyteRemote(
        Config.for_endpoint(server.endpoint, insecure=True),
        default_project="flytesnacks",
        default_domain="development",
    )
