"""RemoteContext: what every resource module of FlyteRemote shares, built lazily.

The client opens on first use (so constructing a FlyteRemote does no I/O, as in flytekit), uploads go to the
default project and domain, and the literal converter uploads and downloads through this remote's data proxy.
"""

from __future__ import annotations

from collections.abc import Callable

from flyteplane.client import SynchronousFlyteClient
from flyteplane.remote.config import Config
from flyteplane.remote.errors import FlyteAssertion
from flyteplane.remote.executions import RemoteHandle
from flyteplane.remote.flytekit_support import flytekit_context
from flyteplane.remote.literals.converter import LiteralConverter
from flyteplane.remote.transfer import BlobTransfer

__all__ = ["RemoteContext"]


class RemoteContext:
    def __init__(
        self,
        handle: RemoteHandle,
        config: Config,
        client_factory: Callable[[], SynchronousFlyteClient],
        default_project: str | None,
        default_domain: str | None,
        data_upload_location: str,
    ) -> None:
        self.handle = handle
        self.config = config
        self._client_factory = client_factory
        self._client: SynchronousFlyteClient | None = None
        self.default_project = default_project
        self.default_domain = default_domain
        self.data_upload_location = data_upload_location
        self.transfer = BlobTransfer(
            lambda: self.client,
            self.project,
            self.domain,
            ca_cert_file_path=config.platform.ca_cert_file_path,
        )
        self.converter = LiteralConverter(
            uploads=self.transfer,
            fetch=self.transfer.fetch,
            flytekit_context=lambda: flytekit_context(handle, data_upload_location),
        )

    @property
    def client(self) -> SynchronousFlyteClient:
        if self._client is None:
            self._client = self._client_factory()
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def project(self, project: str | None = None) -> str:
        chosen = project or self.default_project
        if not chosen:
            raise FlyteAssertion("no project given: pass project=... or create FlyteRemote with default_project=...")
        return chosen

    def domain(self, domain: str | None = None) -> str:
        chosen = domain or self.default_domain
        if not chosen:
            raise FlyteAssertion("no domain given: pass domain=... or create FlyteRemote with default_domain=...")
        return chosen

    def scope(self, project: str | None, domain: str | None) -> tuple[str, str]:
        return self.project(project), self.domain(domain)
