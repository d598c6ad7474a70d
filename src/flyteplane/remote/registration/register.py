"""FlyteRemote's registration of Python-defined entities (flytekit needed) and execution of local entities.

Without serialization settings, registering a task, workflow or launch plan also uploads its code (the loaded
modules of its source tree, as `pyflyte run --remote` does), and without a version the version is derived from
that code. So what is registered runs as written, and registering unchanged code again is idempotent. With
serialization settings, they are used as given (the code is then expected in the image, as with flytekit).
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from flyteidl.core import identifier_pb2

from flyteplane.client import FlyteEntityNotExistException
from flyteplane.remote.context import RemoteContext
from flyteplane.remote.entities import FlyteLaunchPlan, FlyteTask, FlyteWorkflow
from flyteplane.remote.fetching import fetch_launch_plan, fetch_task, fetch_workflow
from flyteplane.remote.flytekit_support import require_flytekit
from flyteplane.remote.registration.packaging import CodeLocation, archive, code_location, version_from_hash
from flyteplane.remote.registration.serialize import register_serialized

__all__ = [
    "fast_register_workflow",
    "local_entity_to_execute",
    "register_launch_plan",
    "register_script",
    "register_task",
    "register_workflow",
]

E = TypeVar("E", FlyteTask, FlyteWorkflow, FlyteLaunchPlan)


def _settings(
    ctx: RemoteContext,
    project: str | None,
    domain: str | None,
    version: str | None = None,
    image_config: Any = None,
    native_url: str | None = None,
    destination_dir: str = ".",
    source_root: str | None = None,
    envs: Mapping[str, str] | None = None,
    default_resources: Any = None,
) -> Any:
    from flytekit.configuration import FastSerializationSettings, ImageConfig, SerializationSettings

    project, domain = ctx.scope(project, domain)
    fast = None
    if native_url is not None:
        fast = FastSerializationSettings(
            enabled=True, destination_dir=destination_dir, distribution_location=native_url
        )
    return SerializationSettings(
        image_config=image_config or ImageConfig.auto_default_image(),
        project=project,
        domain=domain,
        version=version,
        env=dict(envs) if envs else None,
        default_resources=default_resources,
        fast_serialization_settings=fast,
        source_root=source_root,
    )


def _with_code(
    ctx: RemoteContext,
    location: CodeLocation,
    version: str | None,
    project: str | None = None,
    domain: str | None = None,
    fast_package_options: Any = None,
    **settings: Any,
) -> tuple[Any, str]:
    """Archives and uploads the code; returns the settings naming it and the version (given or derived)."""
    with tempfile.TemporaryDirectory(prefix="flyteplane-code-") as folder:
        path = archive(location, folder, fast_package_options)
        md5, native_url = ctx.transfer.upload(Path(path), project, domain)
    result = _settings(ctx, project, domain, native_url=native_url, source_root=location.source_path, **settings)
    result.version = version or version_from_hash(md5, result)
    return result, result.version


def _prepared(
    ctx: RemoteContext,
    entity: Any,
    settings: Any,
    version: str | None,
    project: str | None = None,
    domain: str | None = None,
) -> tuple[Any, str]:
    if settings is None:
        return _with_code(ctx, code_location(entity), version, project, domain)
    version = version or settings.version
    if not version:
        raise ValueError("Version must be provided when serialization_settings carry none (or pass neither).")
    if settings.version is None:
        settings.version = version
    return settings, version


def _as_registered(ctx: RemoteContext, fetch: Callable[..., E], ident: Any, entity: Any) -> E:
    """The version just registered, fetched, knowing the Python interface of the entity it was registered from."""
    registered = fetch(ctx, ident.project, ident.domain, ident.name, ident.version)
    registered.python_interface = entity.python_interface
    return registered


def register_task(
    ctx: RemoteContext, entity: Any, serialization_settings: Any = None, version: str | None = None
) -> FlyteTask:
    """Registers a flytekit task (and uploads its code unless `serialization_settings` are given)."""
    require_flytekit("register_task")
    settings, version = _prepared(ctx, entity, serialization_settings, version)
    return _as_registered(ctx, fetch_task, register_serialized(ctx, entity, settings), entity)


def register_workflow(
    ctx: RemoteContext,
    entity: Any,
    serialization_settings: Any = None,
    version: str | None = None,
    default_launch_plan: bool | None = True,
    options: Any = None,
) -> FlyteWorkflow:
    """Registers a flytekit workflow, its tasks and subworkflows, and its default launch plan."""
    require_flytekit("register_workflow")
    settings, version = _prepared(ctx, entity, serialization_settings, version)
    ident = register_serialized(ctx, entity, settings, options, bool(default_launch_plan))
    return _as_registered(ctx, fetch_workflow, ident, entity)


def _translate_fixed_inputs(ctx: RemoteContext, entity: Any) -> None:
    """Fixed inputs as literals uploaded through this remote (local files become data-proxy URIs)."""
    if not entity.raw_fixed_inputs:
        return
    from flytekit.core.promise import translate_inputs_to_literals
    from flytekit.models import literals as literal_models

    from flyteplane.remote.flytekit_support import flytekit_context

    literals = translate_inputs_to_literals(
        flytekit_context(ctx.handle, ctx.data_upload_location),
        incoming_values=entity.raw_fixed_inputs,
        flyte_interface_types=entity.workflow.interface.inputs,
        native_types=entity.workflow.python_interface.inputs,
    )
    entity._fixed_inputs = literal_models.LiteralMap(literals=literals)


def register_launch_plan(
    ctx: RemoteContext,
    entity: Any,
    version: str | None = None,
    project: str | None = None,
    domain: str | None = None,
    options: Any = None,
    serialization_settings: Any = None,
) -> FlyteLaunchPlan:
    """Registers the launch plan, and its workflow first when that version of the workflow is missing."""
    require_flytekit("register_launch_plan")
    settings, version = _prepared(ctx, entity, serialization_settings, version, project, domain)
    try:
        fetch_workflow(ctx, settings.project, settings.domain, entity.workflow.name, version)
    except FlyteEntityNotExistException:
        register_serialized(ctx, entity.workflow, settings, options, default_launch_plan=False)
    _translate_fixed_inputs(ctx, entity)
    return _as_registered(ctx, fetch_launch_plan, register_serialized(ctx, entity, settings, options), entity)


def register_script(
    ctx: RemoteContext,
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
    """flytekit's register_script: package the code under `source_path`, upload it, register the entity."""
    require_flytekit("register_script")
    from flytekit.core.base_task import PythonTask
    from flytekit.core.launch_plan import LaunchPlan
    from flytekit.core.workflow import WorkflowBase

    if copy_all:
        from flytekit.constants import CopyFileDetection
        from flytekit.tools.fast_registration import FastPackageOptions

        fast_package_options = FastPackageOptions([], copy_style=CopyFileDetection.ALL)
    found = code_location(entity) if source_path is None or module_name is None else None
    location = CodeLocation(
        source_path or (found.source_path if found else "."), module_name or (found.module_name if found else "")
    )
    settings, version = _with_code(
        ctx,
        location,
        version,
        project,
        domain,
        fast_package_options,
        image_config=image_config,
        destination_dir=destination_dir,
        envs=envs,
        default_resources=default_resources,
    )
    if isinstance(entity, PythonTask):
        return register_task(ctx, entity, settings, version)
    if isinstance(entity, WorkflowBase):
        return register_workflow(ctx, entity, settings, version, default_launch_plan, options)
    if isinstance(entity, LaunchPlan):
        return register_launch_plan(ctx, entity, version, project, domain, options, settings)
    raise ValueError(f"Unsupported entity type {type(entity).__name__}")


def fast_register_workflow(
    ctx: RemoteContext,
    entity: Any,
    serialization_settings: Any = None,
    version: str | None = None,
    default_launch_plan: bool | None = True,
    options: Any = None,
    fast_package_options: Any = None,
    source_path: str | None = None,
) -> FlyteWorkflow:
    """Registers a workflow with its whole source tree (the project root of its module, or `source_path`)."""
    require_flytekit("fast_register_workflow")
    from flytekit.constants import CopyFileDetection
    from flytekit.tools.fast_registration import FastPackageOptions

    location = code_location(entity)
    settings = serialization_settings
    registered = register_script(
        ctx,
        entity,
        image_config=settings.image_config if settings else None,
        version=version,
        project=settings.project if settings else None,
        domain=settings.domain if settings else None,
        default_launch_plan=bool(default_launch_plan),
        options=options,
        source_path=source_path or location.source_path,
        module_name=location.module_name,
        fast_package_options=fast_package_options or FastPackageOptions([], copy_style=CopyFileDetection.ALL),
    )
    assert isinstance(registered, FlyteWorkflow)
    return registered


def local_entity_to_execute(
    ctx: RemoteContext,
    entity: Any,
    project: str | None = None,
    domain: str | None = None,
    name: str | None = None,
    version: str | None = None,
    serialization_settings: Any = None,
) -> FlyteTask | FlyteWorkflow | FlyteLaunchPlan | None:
    """The registered counterpart of a flytekit task, workflow, launch plan or reference; None for other objects.

    References, and entities flytekit's own FlyteRemote fetched, are fetched. Others are fetched by `version`
    when registered, and registered otherwise; without a version they are registered with their code
    (idempotent for unchanged code), so the current code runs.
    """
    if "flytekit" not in sys.modules:  # nothing can be a flytekit entity unless flytekit was imported
        return None
    from flytekit.core.base_task import PythonTask
    from flytekit.core.launch_plan import LaunchPlan
    from flytekit.core.reference_entity import ReferenceEntity
    from flytekit.core.workflow import WorkflowBase
    from flytekit.remote.remote_callable import RemoteEntity

    fetched: FlyteTask | FlyteWorkflow | FlyteLaunchPlan
    if isinstance(entity, RemoteEntity):  # fetched by flytekit's FlyteRemote: fetch the same version here
        ident = entity.id
        if ident.resource_type == identifier_pb2.TASK:
            return fetch_task(ctx, ident.project, ident.domain, ident.name, ident.version)
        if ident.resource_type == identifier_pb2.LAUNCH_PLAN:
            return fetch_launch_plan(ctx, ident.project, ident.domain, ident.name, ident.version)
        return fetch_workflow(ctx, ident.project, ident.domain, ident.name, ident.version)
    if isinstance(entity, ReferenceEntity):
        ref = entity.reference
        if isinstance(entity, PythonTask):
            fetched = fetch_task(ctx, ref.project, ref.domain, ref.name, ref.version)
        elif isinstance(entity, LaunchPlan):
            fetched = fetch_launch_plan(ctx, ref.project, ref.domain, ref.name, ref.version)
        else:
            fetched = fetch_workflow(ctx, ref.project, ref.domain, ref.name, ref.version)
        fetched.python_interface = entity.python_interface
        return fetched
    if not isinstance(entity, (PythonTask, WorkflowBase, LaunchPlan)):
        return None
    if version is not None:
        fetch = (
            fetch_task
            if isinstance(entity, PythonTask)
            else fetch_launch_plan
            if isinstance(entity, LaunchPlan)
            else fetch_workflow
        )
        try:
            found = fetch(ctx, project, domain, name or entity.name, version)
            found.python_interface = entity.python_interface
            return found
        except FlyteEntityNotExistException:
            pass
    settings = serialization_settings
    if settings is None and (project or domain):
        location = code_location(entity)
        settings, version = _with_code(ctx, location, version, project, domain)
    if isinstance(entity, PythonTask):
        return register_task(ctx, entity, settings, version)
    if isinstance(entity, WorkflowBase):
        return register_workflow(ctx, entity, settings, version)
    return register_launch_plan(ctx, entity, version, project, domain, serialization_settings=settings)
