"""One real `flyteplane serve` (SQLite) for the HTTP API tests, with a gRPC channel and an HTTP client to it.

The gateway does not depend on the database, so these tests run against SQLite only; the registry's own
integration tests cover PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import httpx2
import pytest
from tests.integration.gateway.world import World, build_world
from tests.integration.server import RunningServer, start_server


@pytest.fixture(scope="session")
def plane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The event RPCs are open on this server (accept_external_events), so both wires can be compared on them."""
    home = tmp_path_factory.mktemp("gateway-home")
    config = home / "flyteplane.yaml"
    config.write_text("accept_external_events: true\n")
    running = start_server(home, "", "--config", str(config))
    yield running
    running.stop()


@pytest.fixture(scope="session")
def channel(plane: RunningServer) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(plane.endpoint) as opened:
        yield opened


@pytest.fixture(scope="session")
def http(plane: RunningServer) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=plane.url, timeout=60) as opened:
        yield opened


@pytest.fixture(scope="session")
def world(plane: RunningServer, channel: grpc.Channel, http: httpx2.Client) -> World:
    """What the RPCs read: entities, finished executions, a gate waiting, attributes, a blob."""
    return build_world(plane, channel, http)
