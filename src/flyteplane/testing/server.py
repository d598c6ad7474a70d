"""The embedded control plane behind `flyteplane_server`: in-process, on a temporary home and a free port.

In-process rather than a subprocess: it starts in about a tenth of a second once imported, needs no free-port
guessing (the port is bound before it is reported), leaves no orphan process when a test run is killed, and its
failures show in the test's own traceback and log capture. Its state lives only under `home`, so two planes in
one process do not see each other.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from os import PathLike
from pathlib import Path
from typing import Any

from flyteidl.admin import project_pb2

from flyteplane.client import AsyncFlyteClient, PlatformConfig, SynchronousFlyteClient

__all__ = ["EmbeddedControlPlane", "flyteplane_server"]


class EmbeddedControlPlane:
    """A running control plane: where to reach it, and clients that are closed when it stops."""

    def __init__(self, plane: Any, home: Path) -> None:
        self._plane = plane
        self.home = home
        self._clients: list[SynchronousFlyteClient] = []

    @property
    def port(self) -> int:
        return int(self._plane.port)

    @property
    def endpoint(self) -> str:
        """`host:port` for gRPC clients, e.g. `FlyteRemote.for_endpoint(plane.endpoint, insecure=True)`."""
        return f"{self._plane.settings.host}:{self.port}"

    @property
    def url(self) -> str:
        """The HTTP base URL (health check, signed uploads and downloads)."""
        return str(self._plane.settings.advertised_url)

    @property
    def default_project(self) -> str:
        return str(self._plane.settings.default_project)

    @property
    def domains(self) -> tuple[str, ...]:
        return tuple(self._plane.settings.domains)

    def platform_config(self, **settings: Any) -> PlatformConfig:
        return PlatformConfig(endpoint=self.endpoint, insecure=True, **settings)

    def client(self, **settings: Any) -> SynchronousFlyteClient:
        """A client for this plane, closed when the plane stops; `settings` are PlatformConfig fields."""
        client = SynchronousFlyteClient(self.platform_config(**settings))
        self._clients.append(client)
        return client

    def async_client(self, **settings: Any) -> AsyncFlyteClient:
        """An asyncio client for this plane; close it (or use `async with`) in the loop that used it."""
        return AsyncFlyteClient(self.platform_config(**settings))

    def new_project(self, prefix: str = "test") -> str:
        """Registers a project with a unique id, so a test sees only the entities it registers itself."""
        project_id = f"{prefix}-{uuid.uuid4().hex[:8]}"
        with SynchronousFlyteClient(self.platform_config()) as client:
            client.register_project(project_pb2.Project(id=project_id, name=project_id))
        return project_id

    def stop(self) -> None:
        for client in self._clients:
            client.close()
        self._clients.clear()
        self._plane.stop()


@contextmanager
def flyteplane_server(
    home: str | PathLike[str] | None = None,
    *,
    domains: tuple[str, ...] | None = None,
    default_project: str | None = None,
    db: str = "",
) -> Iterator[EmbeddedControlPlane]:
    """Starts a control plane on 127.0.0.1 and a free port, and stops it on exit.

    Without `home`, state lives in a temporary directory removed afterwards. `db` selects another database
    (e.g. a PostgreSQL URL); by default SQLite under `home`.
    """
    from flyteplane.config import Settings  # server code loads only when a plane is wanted
    from flyteplane.server.app import ControlPlane

    with ExitStack() as stack:
        if home is None:
            home = stack.enter_context(tempfile.TemporaryDirectory(prefix="flyteplane-test-"))
        overrides: dict[str, Any] = {"db": db}
        if domains is not None:
            overrides["domains"] = tuple(domains)
        if default_project is not None:
            overrides["default_project"] = default_project
        settings = Settings(host="127.0.0.1", port=0, home=Path(home), **overrides)
        control_plane = ControlPlane(settings)
        control_plane.start()
        running = EmbeddedControlPlane(control_plane, Path(home))
        try:
            yield running
        finally:
            running.stop()
