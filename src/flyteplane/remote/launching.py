"""Launching registered tasks, workflows and launch plans with Python inputs.

Inputs are converted with the entity's interface (and the Python types of a locally defined entity, when known);
only the inputs the caller gives are sent, and Flyte Admin fills in launch-plan defaults and fixed inputs. A
workflow runs through its default launch plan (same name and version). A name already taken is taken to mean this
execution was launched before, as flytekit does, and that execution is returned.
"""

from __future__ import annotations

import getpass
import re
import uuid
from collections.abc import Mapping
from typing import Any

from flyteidl.admin import cluster_assignment_pb2, common_pb2, execution_pb2, matchable_resource_pb2
from flyteidl.core import identifier_pb2, literals_pb2
from google.protobuf import wrappers_pb2

from flyteplane.client import FlyteEntityAlreadyExistsException
from flyteplane.remote.context import RemoteContext
from flyteplane.remote.entities import FlyteLaunchPlan, FlyteTask, FlyteWorkflow
from flyteplane.remote.errors import FlyteValueException
from flyteplane.remote.executions import FlyteWorkflowExecution
from flyteplane.remote.fetching import fetch_launch_plan
from flyteplane.remote.options import apply_options
from flyteplane.remote.registration.register import local_entity_to_execute

__all__ = ["execute", "execution_name_from_prefix"]

_MAX_NAME = 63
_SUFFIX = 19
_NOT_IN_NAME = re.compile(r"[^a-z0-9-]+")


def execution_name_from_prefix(prefix: str) -> str:
    """`<prefix>-<19 hex chars>`, with the prefix made DNS-label safe (Flyte Admin refuses '_' or capitals)."""
    cleaned = _NOT_IN_NAME.sub("-", prefix.lower()).strip("-")
    if not cleaned or not cleaned[0].isalpha():
        cleaned = "x" + (f"-{cleaned}" if cleaned else "")
    cleaned = cleaned[: _MAX_NAME - _SUFFIX - 1].rstrip("-")
    return f"{cleaned}-{uuid.uuid4().hex[:_SUFFIX]}"


def _principal() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in this environment (some containers)
        return "flyteplane"


def _spec(
    target: Any,
    options: Any,
    overwrite_cache: bool | None,
    interruptible: bool | None,
    envs: Mapping[str, str] | None,
    tags: list[str] | None,
    cluster_pool: str | None,
    execution_cluster_label: str | None,
) -> execution_pb2.ExecutionSpec:
    spec = execution_pb2.ExecutionSpec(
        launch_plan=target,
        metadata=execution_pb2.ExecutionMetadata(
            mode=execution_pb2.ExecutionMetadata.MANUAL, principal=_principal(), nesting=0
        ),
        overwrite_cache=bool(overwrite_cache),
        tags=list(tags or []),
    )
    apply_options(spec, options)
    if interruptible is not None:
        spec.interruptible.CopyFrom(wrappers_pb2.BoolValue(value=interruptible))
    if envs:
        spec.envs.CopyFrom(common_pb2.Envs(values=[literals_pb2.KeyValuePair(key=k, value=v) for k, v in envs.items()]))
    if cluster_pool:
        spec.cluster_assignment.CopyFrom(cluster_assignment_pb2.ClusterAssignment(cluster_pool_name=cluster_pool))
    if execution_cluster_label:
        spec.execution_cluster_label.CopyFrom(
            matchable_resource_pb2.ExecutionClusterLabel(value=execution_cluster_label)
        )
    return spec


def _python_interface_types(entity: Any, side: str) -> dict[str, Any]:
    interface = getattr(entity, "python_interface", None)
    return dict(getattr(interface, side, None) or {}) if interface is not None else {}


def execute(
    ctx: RemoteContext,
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
    reference, registered first when needed) with Python `inputs`; `wait=True` returns it finished.

    Otherwise the execution is returned as Flyte Admin reports it right after creating it (usually QUEUED).
    `name` and `version` pick the registered version of a flytekit entity; `image_config` is accepted for
    flytekit compatibility (the image is the one the entity was registered with).
    """
    if not isinstance(entity, (FlyteTask, FlyteWorkflow, FlyteLaunchPlan)):
        local = local_entity_to_execute(ctx, entity, project, domain, name, version, serialization_settings)
        if local is None:
            raise TypeError(f"cannot execute a {type(entity).__name__}: pass a task, workflow or launch plan")
        entity = local
    if execution_name is not None and execution_name_prefix is not None:
        raise ValueError("Only one of execution_name and execution_name_prefix can be set, but got both set")
    if isinstance(entity, FlyteWorkflow):
        python_interface = entity.python_interface
        entity = fetch_launch_plan(ctx, entity.id.project, entity.id.domain, entity.id.name, entity.id.version)
        entity.python_interface = entity.python_interface or python_interface
    project = project or ctx.default_project or entity.id.project
    domain = domain or ctx.default_domain or entity.id.domain
    if execution_name_prefix is not None:
        execution_name = execution_name_from_prefix(execution_name_prefix)

    hints = {**_python_interface_types(entity, "inputs"), **dict(type_hints or {})}
    try:
        literals = ctx.converter.to_literal_map(inputs or {}, entity.interface.inputs, hints, entity.entity_type_text)
    except ValueError as e:
        raise FlyteValueException(str(e)) from e
    target = identifier_pb2.Identifier()
    target.CopyFrom(entity.id)
    spec = _spec(target, options, overwrite_cache, interruptible, envs, tags, cluster_pool, execution_cluster_label)
    try:
        execution_id = ctx.client.create_execution(project, domain, execution_name, spec, literals)
    except FlyteEntityAlreadyExistsException:
        if not execution_name:
            raise
        execution_id = identifier_pb2.WorkflowExecutionIdentifier(project=project, domain=domain, name=execution_name)
    execution = FlyteWorkflowExecution(
        ctx.client.get_execution(execution_id), remote=ctx.handle, type_hints=_python_interface_types(entity, "outputs")
    )
    if isinstance(entity, FlyteLaunchPlan):
        execution.flyte_workflow = entity.flyte_workflow
    else:
        execution.flyte_task = entity
    return ctx.handle.wait(execution) if wait else execution
