"""FlyteRemote: flytekit's FlyteRemote API over flyteplane's client, as a thin facade.

Every method delegates to the module of its resource (fetching, launching, syncing, waiting, signals, transfers,
registration, backfill, console), so this class holds no logic of its own beyond argument plumbing. Constructing
one does no I/O; the client connects on first use. Only registration of Python-defined entities (and values
beyond the core types) needs flytekit, imported when used.
"""

from __future__ import annotations

import datetime
import os
import pathlib
from collections.abc import Mapping
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
from flyteplane.remote import registration as registering
from flyteplane.remote.config import Config
from flyteplane.remote.context import RemoteContext
from flyteplane.remote.entities import FlyteLaunchPlan, FlyteTask, FlyteWorkflow
from flyteplane.remote.executions import FlyteNodeExecution, FlyteWorkflowExecution
from flyteplane.remote.literals.resolver import LiteralsResolver
from flyteplane.remote.metrics import FlyteExecutionSpan

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

    def fetch_task(
        self, project: str | None = None, domain: str | None = None, name: str | None = None, version: str | None = None
    ) -> FlyteTask:
        """The task version, or the latest one when `version` is None or "latest"."""
        return fetching.fetch_task(self._ctx, project, domain, name, version)

    def fetch_workflow(
        self, project: str | None = None, domain: str | None = None, name: str | None = None, version: str | None = None
    ) -> FlyteWorkflow:
        return fetching.fetch_workflow(self._ctx, project, domain, name, version)

    def fetch_launch_plan(
        self, project: str | None = None, domain: str | None = None, name: str | None = None, version: str | None = None
    ) -> FlyteLaunchPlan:
        return fetching.fetch_launch_plan(self._ctx, project, domain, name, version)

    def fetch_active_launchplan(
        self, project: str | None = None, domain: str | None = None, name: str | None = None
    ) -> FlyteLaunchPlan | None:
        return fetching.fetch_active_launch_plan(self._ctx, project, domain, name)

    def fetch_execution(
        self, project: str | None = None, domain: str | None = None, name: str | None = None
    ) -> FlyteWorkflowExecution:
        return syncing.fetch_execution(self._ctx, project, domain, name)

    def list_tasks_by_version(
        self, version: str, project: str | None = None, domain: str | None = None, limit: int | None = 100
    ) -> list[FlyteTask]:
        return fetching.list_tasks_by_version(self._ctx, version, project, domain, limit)

    def recent_executions(
        self,
        project: str | None = None,
        domain: str | None = None,
        limit: int | None = 100,
        filters: FiltersLike = None,
    ) -> list[FlyteWorkflowExecution]:
        """The newest executions first (first page of `limit`)."""
        project, domain = self._ctx.scope(project, domain)
        found, _ = self.client.list_executions_paginated(
            project, domain, limit or 100, filters=filters, sort_by="-created_at"
        )
        return [FlyteWorkflowExecution(e, remote=self) for e in found]

    def list_projects(
        self, limit: int | None = 100, filters: FiltersLike = None, sort_by: SortLike = None
    ) -> list[Any]:
        """Project messages (`id`, `name`, `description`, `domains`, `state`), first page of `limit`."""
        return self.client.list_projects_paginated(limit=limit or 100, filters=filters, sort_by=sort_by)[0]

    def get_domains(self) -> list[Any]:
        return self.client.get_domains()

    # -- registration (flytekit needed) --

    def register_task(self, entity: Any, serialization_settings: Any = None, version: str | None = None) -> FlyteTask:
        """Registers a flytekit task (and uploads its code unless `serialization_settings` are given)."""
        return registering.register_task(self._ctx, entity, serialization_settings, version)

    def register_workflow(
        self,
        entity: Any,
        serialization_settings: Any = None,
        version: str | None = None,
        default_launch_plan: bool | None = True,
        options: Any = None,
    ) -> FlyteWorkflow:
        """Registers a flytekit workflow, its tasks and subworkflows, and its default launch plan."""
        return registering.register_workflow(
            self._ctx, entity, serialization_settings, version, bool(default_launch_plan), options
        )

    def register_launch_plan(
        self,
        entity: Any,
        version: str | None = None,
        project: str | None = None,
        domain: str | None = None,
        options: Any = None,
        serialization_settings: Any = None,
    ) -> FlyteLaunchPlan:
        return registering.register_launch_plan(
            self._ctx, entity, version, project, domain, options, serialization_settings
        )

    def register_script(
        self,
        entity: Any,
        image_config: Any = None,
        version: str | None = None,
        project: str | None = None,
        domain: str | None = None,
        destination_dir: str = ".",
        copy_all: bool = False,
        default_launch_plan: bool = True,
        options: Any = None,
        source_path: str | None = None,
        module_name: str | None = None,
        envs: Mapping[str, str] | None = None,
        default_resources: Any = None,
        fast_package_options: Any = None,
    ) -> FlyteTask | FlyteWorkflow | FlyteLaunchPlan:
        return registering.register_script(
            self._ctx,
            entity,
            image_config,
            version,
            project,
            domain,
            destination_dir,
            copy_all,
            default_launch_plan,
            options,
            source_path,
            module_name,
            envs,
            default_resources,
            fast_package_options,
        )

    def fast_register_workflow(
        self,
        entity: Any,
        serialization_settings: Any = None,
        version: str | None = None,
        default_launch_plan: bool | None = True,
        options: Any = None,
        fast_package_options: Any = None,
        source_path: str | None = None,
    ) -> FlyteWorkflow:
        return registering.fast_register_workflow(
            self._ctx,
            entity,
            serialization_settings,
            version,
            bool(default_launch_plan),
            options,
            fast_package_options,
            source_path,
        )

    # -- launch plans --

    def activate_launchplan(self, ident: Any) -> None:
        """Makes this version the active one of its name (the others are deactivated)."""
        self.client.update_launch_plan(ident, launch_plan_pb2.ACTIVE)

    def deactivate_launchplan(self, ident: Any) -> None:
        self.client.update_launch_plan(ident, launch_plan_pb2.INACTIVE)

    # -- executions --

    def execute(
        self,
        entity: Any,
        inputs: Mapping[str, Any] | None = None,
        project: str | None = None,
        domain: str | None = None,
        name: str | None = None,
        version: str | None = None,
        execution_name: str | None = None,
        execution_name_prefix: str | None = None,
        image_config: Any = None,
        options: Any = None,
        wait: bool = False,
        type_hints: Mapping[str, Any] | None = None,
        overwrite_cache: bool | None = None,
        interruptible: bool | None = None,
        envs: Mapping[str, str] | None = None,
        tags: list[str] | None = None,
        cluster_pool: str | None = None,
        execution_cluster_label: str | None = None,
        serialization_settings: Any = None,
    ) -> FlyteWorkflowExecution:
        """Launches a FlyteTask, FlyteWorkflow or FlyteLaunchPlan (or a flytekit task, workflow, launch plan or
        reference, registered first when needed) with Python `inputs`; `wait=True` returns it finished."""
        target = entity
        if not isinstance(entity, (FlyteTask, FlyteWorkflow, FlyteLaunchPlan)):
            target = registering.local_entity_to_execute(
                self._ctx, entity, project, domain, name, version, serialization_settings
            )
            if target is None:
                raise TypeError(f"cannot execute a {type(entity).__name__}: pass a task, workflow or launch plan")
        execution = launching.launch(
            self._ctx,
            target,
            inputs,
            project,
            domain,
            execution_name,
            execution_name_prefix,
            options,
            type_hints,
            overwrite_cache,
            interruptible,
            envs,
            tags,
            cluster_pool,
            execution_cluster_label,
        )
        return self.wait(execution) if wait else execution

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

    def sync_execution(
        self, execution: FlyteWorkflowExecution, entity_definition: Any = None, sync_nodes: bool = False
    ) -> FlyteWorkflowExecution:
        """Refreshes the execution's state, inputs and outputs (and every node's with `sync_nodes=True`)."""
        if entity_definition is not None:
            raise ValueError("Entity definition arguments aren't supported when syncing workflow executions")
        return syncing.sync_execution(self._ctx, execution, sync_nodes)

    def sync(
        self, execution: FlyteWorkflowExecution, entity_definition: Any = None, sync_nodes: bool = False
    ) -> FlyteWorkflowExecution:
        return self.sync_execution(execution, entity_definition, sync_nodes)

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

    def list_signals(
        self,
        execution_name: str,
        project: str | None = None,
        domain: str | None = None,
        limit: int = 100,
        filters: FiltersLike = None,
    ) -> list[Any]:
        return signals.list_signals(self._ctx, execution_name, project, domain, limit, filters)

    def approve(
        self, signal_id: str, execution_name: str, project: str | None = None, domain: str | None = None
    ) -> None:
        signals.set_signal(self._ctx, signal_id, execution_name, True, project, domain, python_type=bool)

    def reject(
        self, signal_id: str, execution_name: str, project: str | None = None, domain: str | None = None
    ) -> None:
        signals.set_signal(self._ctx, signal_id, execution_name, False, project, domain, python_type=bool)

    def set_input(
        self,
        signal_id: str,
        execution_name: str,
        value: Any,
        project: str | None = None,
        domain: str | None = None,
        python_type: Any = None,
        literal_type: Any = None,
    ) -> None:
        """Answers a `wait_for_input` gate with a Python value (or a Literal)."""
        signals.set_signal(self._ctx, signal_id, execution_name, value, project, domain, python_type, literal_type)

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

    def download(self, data: Any, download_to: str | os.PathLike[str], recursive: bool = True) -> None:
        """Writes outputs or inputs (a LiteralsResolver, a LiteralMap or one Literal) under `download_to`."""
        downloads.download(self._ctx, data, download_to, recursive)

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

    def launch_backfill(
        self,
        project: str,
        domain: str,
        from_date: datetime.datetime,
        to_date: datetime.datetime,
        launchplan: str,
        launchplan_version: str | None = None,
        execution_name: str | None = None,
        version: str | None = None,
        dry_run: bool = False,
        execute: bool = True,
        parallel: bool = False,
        failure_policy: Any = None,
        overwrite_cache: bool | None = None,
    ) -> FlyteWorkflowExecution | FlyteWorkflow:
        """Runs a scheduled launch plan for each scheduled time in (from_date, to_date); see backfill.py."""
        return backfill.launch_backfill(
            self._ctx,
            project,
            domain,
            from_date,
            to_date,
            launchplan,
            launchplan_version,
            execution_name,
            version,
            dry_run,
            execute,
            parallel,
            failure_policy,
            overwrite_cache,
        )

    def __repr__(self) -> str:
        return f"FlyteRemote({self._config.platform.endpoint}, {self.default_project}, {self.default_domain})"
