"""FlyteRemote: flytekit's FlyteRemote API over flyteplane's client, as a thin facade.

Every method is the function of the module of its resource (fetching, launching, syncing, waiting, signals,
transfers, registration, backfill, console): most are that function itself, bound to this remote's context by
`delegate`, so flytekit's parameters are written once, where the work is done. Constructing
one does no I/O; the client connects on first use. Only registration of Python-defined entities (and values
beyond the core types) needs flytekit, imported when used.
"""

from __future__ import annotations

import datetime
import os
import pathlib
from types import TracebackType
from typing import Any

from flyteidl.admin import launch_plan_pb2

from flyteplane.client import SynchronousFlyteClient
from flyteplane.client.filters import FiltersLike, SortLike
from flyteplane.remote import (
    backfill,
    console,
    downloads,
    fetching,
    launching,
    signals,
    syncing,
    waiting,
)
from flyteplane.remote.config import Config
from flyteplane.remote.context import RemoteContext
from flyteplane.remote.delegate import delegate
from flyteplane.remote.executions import FlyteNodeExecution, FlyteWorkflowExecution
from flyteplane.remote.literals.resolver import LiteralsResolver
from flyteplane.remote.metrics import FlyteExecutionSpan
from flyteplane.remote.registration import register as registering

__all__ = ["DEFAULT_UPLOAD_LOCATION", "FlyteRemote"]

DEFAULT_UPLOAD_LOCATION = "flyte://my-s3-bucket/"
Timeout = datetime.timedelta | float | None


class FlyteRemote:
    """Register, fetch, execute and follow Flyte entities: `FlyteRemote(Config.auto(), "flytesnacks", "development")`.

    `config` is a Config, a PlatformConfig, an endpoint string or flytekit's Config. `data_upload_location` is
    where flytekit-typed values (DataFrames, FlyteFiles...) are uploaded when flytekit converts them; core values
    and local files always go through the data proxy. `client_kwargs` go to SynchronousFlyteClient.
    """

    def __init__(
        self,
        config: Config | Any = None,
        default_project: str | None = None,
        default_domain: str | None = None,
        data_upload_location: str = DEFAULT_UPLOAD_LOCATION,
        interactive_mode_enabled: bool | None = None,
        **client_kwargs: Any,
    ) -> None:
        self._config = Config.coerce(config)
        self._interactive = bool(interactive_mode_enabled)
        self._ctx = RemoteContext(
            self,
            self._config,
            lambda: SynchronousFlyteClient(self._config.platform, **client_kwargs),
            default_project or self._config.default_project,
            default_domain or self._config.default_domain,
            data_upload_location,
        )

    # -- construction --

    @classmethod
    def for_sandbox(
        cls,
        default_project: str | None = None,
        default_domain: str | None = None,
        data_upload_location: str = DEFAULT_UPLOAD_LOCATION,
        **kwargs: Any,
    ) -> FlyteRemote:
        """The local sandbox (or `flyteplane serve` on its default port): plaintext gRPC on localhost:30080."""
        return cls(Config.for_sandbox(), default_project, default_domain, data_upload_location, **kwargs)

    @classmethod
    def for_endpoint(
        cls,
        endpoint: str,
        insecure: bool = False,
        data_config: Any = None,
        config_file: str | os.PathLike[str] | None = None,
        default_project: str | None = None,
        default_domain: str | None = None,
        data_upload_location: str = DEFAULT_UPLOAD_LOCATION,
        **kwargs: Any,
    ) -> FlyteRemote:
        """`endpoint` (host:port); `data_config` is accepted for flytekit compatibility and not needed here."""
        config = Config.for_endpoint(endpoint, insecure, config_file)
        return cls(config, default_project, default_domain, data_upload_location, **kwargs)

    @classmethod
    def auto(
        cls,
        config_file: str | os.PathLike[str] | None = None,
        default_project: str | None = None,
        default_domain: str | None = None,
        data_upload_location: str = DEFAULT_UPLOAD_LOCATION,
        **kwargs: Any,
    ) -> FlyteRemote:
        """From FLYTE_* variables and the usual config file (`~/.flyte/config.yaml`, ...), as flytekit finds them."""
        return cls(Config.auto(config_file), default_project, default_domain, data_upload_location, **kwargs)

    @property
    def client(self) -> SynchronousFlyteClient:
        return self._ctx.client

    @property
    def config(self) -> Config:
        return self._config

    @property
    def default_project(self) -> str | None:
        return self._ctx.default_project

    @property
    def default_domain(self) -> str | None:
        return self._ctx.default_domain

    @property
    def interactive_mode_enabled(self) -> bool:
        return self._interactive

    def close(self) -> None:
        self._ctx.close()

    def __enter__(self) -> FlyteRemote:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- fetching and listing --

    fetch_task = delegate(fetching.fetch_task)
    fetch_workflow = delegate(fetching.fetch_workflow)
    fetch_launch_plan = delegate(fetching.fetch_launch_plan)
    fetch_active_launchplan = delegate(fetching.fetch_active_launch_plan)
    fetch_execution = delegate(syncing.fetch_execution)
    list_tasks_by_version = delegate(fetching.list_tasks_by_version)
    recent_executions = delegate(syncing.recent_executions)

    def list_projects(
        self, limit: int | None = 100, filters: FiltersLike = None, sort_by: SortLike = None
    ) -> list[Any]:
        """Project messages (`id`, `name`, `description`, `domains`, `state`), first page of `limit`."""
        return self.client.list_projects_paginated(limit=limit or 100, filters=filters, sort_by=sort_by)[0]

    def get_domains(self) -> list[Any]:
        return self.client.get_domains()

    # -- registration (flytekit needed) --

    register_task = delegate(registering.register_task)
    register_workflow = delegate(registering.register_workflow)
    register_launch_plan = delegate(registering.register_launch_plan)
    register_script = delegate(registering.register_script)
    fast_register_workflow = delegate(registering.fast_register_workflow)

    # -- launch plans --

    def activate_launchplan(self, ident: Any) -> None:
        """Makes this version the active one of its name (the others are deactivated)."""
        self.client.update_launch_plan(ident, launch_plan_pb2.ACTIVE)

    def deactivate_launchplan(self, ident: Any) -> None:
        self.client.update_launch_plan(ident, launch_plan_pb2.INACTIVE)

    # -- executions --

    execute = delegate(launching.execute)

    def wait(
        self,
        execution: FlyteWorkflowExecution,
        timeout: Timeout = None,
        poll_interval: Timeout = None,
        sync_nodes: bool = True,
        show_progress: bool | None = None,
    ) -> FlyteWorkflowExecution:
        """Blocks until done, showing progress on a terminal; FlyteTimeout after `timeout` (seconds or timedelta)."""
        return waiting.wait(self._ctx, execution, timeout, poll_interval, sync_nodes, show_progress=show_progress)

    sync_execution = delegate(syncing.sync_execution)
    sync = sync_execution

    def sync_node_execution(self, execution: FlyteNodeExecution, node_mapping: Any = None) -> FlyteNodeExecution:
        return syncing.sync_node_execution(self._ctx, self.client.get_node_execution(execution.id))

    def terminate(self, execution: FlyteWorkflowExecution, cause: str) -> None:
        self.client.terminate_execution(execution.id, cause)

    def recover(self, execution: FlyteWorkflowExecution | Any, name: str | None = None) -> FlyteWorkflowExecution:
        """A new execution of a failed one that reuses its successful nodes' outputs."""
        new_id = self.client.recover_execution(getattr(execution, "id", execution), name)
        return FlyteWorkflowExecution(self.client.get_execution(new_id), remote=self)

    def relaunch(
        self, execution: FlyteWorkflowExecution | Any, name: str | None = None, overwrite_cache: bool = False
    ) -> FlyteWorkflowExecution:
        """A new execution with the same launch plan and inputs."""
        new_id = self.client.relaunch_execution(getattr(execution, "id", execution), name, overwrite_cache)
        return FlyteWorkflowExecution(self.client.get_execution(new_id), remote=self)

    def get_execution_metrics(self, id: Any, depth: int = 10) -> FlyteExecutionSpan:
        return FlyteExecutionSpan(self.client.get_execution_metrics(getattr(id, "id", id), depth))

    # -- signals --

    list_signals = delegate(signals.list_signals)

    def approve(
        self, signal_id: str, execution_name: str, project: str | None = None, domain: str | None = None
    ) -> None:
        signals.set_input(self._ctx, signal_id, execution_name, True, project, domain, python_type=bool)

    def reject(
        self, signal_id: str, execution_name: str, project: str | None = None, domain: str | None = None
    ) -> None:
        signals.set_input(self._ctx, signal_id, execution_name, False, project, domain, python_type=bool)

    set_input = delegate(signals.set_input)
    set_signal = set_input

    # -- data --

    def upload_file(
        self,
        to_upload: pathlib.Path,
        project: str | None = None,
        domain: str | None = None,
        filename_root: str | None = None,
    ) -> tuple[bytes, str]:
        """Uploads one local file through the data proxy; returns its md5 and its native URL."""
        return self._ctx.transfer.upload(pathlib.Path(to_upload), project, domain, filename_root)

    download = delegate(downloads.download)

    def get(self, flyte_uri: str) -> LiteralsResolver | Any:
        """Data by `flyte://v1/...` URI: a node's inputs or outputs (a LiteralsResolver), one value, or a deck."""
        response = self.client.get_data(flyte_uri)
        which = response.WhichOneof("data")
        if which == "literal_map":
            return LiteralsResolver(response.literal_map.literals, converter=self._ctx.converter)
        if which == "literal":
            return self._ctx.converter.to_python(response.literal)
        if which == "pre_signed_urls" and response.pre_signed_urls.signed_url:
            return pathlib.Path(self._ctx.transfer.fetch_url(response.pre_signed_urls.signed_url[0])).read_bytes()
        return None

    @staticmethod
    def get_extra_headers_for_protocol(native_url: str) -> dict[str, str]:
        return {"x-ms-blob-type": "BlockBlob"} if native_url.startswith("abfs://") else {}

    # -- console, backfill --

    def generate_console_http_domain(self) -> str:
        return console.console_http_domain(self._config.platform)

    def generate_console_url(self, entity: Any) -> str:
        """The console page of an execution (node and task executions: theirs) or of a task, workflow, launch plan."""
        return console.console_url(self._config.platform, entity)

    launch_backfill = delegate(backfill.launch_backfill)

    def __repr__(self) -> str:
        return f"FlyteRemote({self._config.platform.endpoint}, {self.default_project}, {self.default_domain})"
