"""An execution's effective configuration (flyteadmin's getExecutionConfig and what follows it).

Each field of WorkflowExecutionConfig comes from the first source that sets it: the request, the launch plan,
the matchable WORKFLOW_EXECUTION_CONFIG (workflow, then project-domain, then project level), the project
level again (so project and project-domain fields mix), legacy auth roles, and the platform defaults. Labels
gain the project's labels; the cluster pool is checked against the CLUSTER_ASSIGNMENT attribute.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flyteidl.admin import common_pb2, execution_pb2, launch_plan_pb2, matchable_resource_pb2
from flyteidl.core import security_pb2
from sqlalchemy.orm import Session

from flyteplane.errors import InvalidArgument
from flyteplane.services.registry.attributes import AttributeService, fill_execution_config
from flyteplane.store.repositories import projects

__all__ = [
    "check_cluster_assignment",
    "config_of",
    "effective_execution_config",
    "effective_spec",
    "notifications_for",
    "resolve_execution_config",
]

MatchableResource = matchable_resource_pb2.MatchableResource
WorkflowExecutionConfig = matchable_resource_pb2.WorkflowExecutionConfig

_CONFIG_FIELDS = (
    "max_parallelism",
    "security_context",
    "raw_output_data_config",
    "labels",
    "annotations",
    "interruptible",
    "overwrite_cache",
    "envs",
)


def config_of(spec: Any) -> matchable_resource_pb2.WorkflowExecutionConfig:
    """The WorkflowExecutionConfig fields an ExecutionSpec or LaunchPlanSpec carries (same field names)."""
    config = WorkflowExecutionConfig()
    for name in _CONFIG_FIELDS:
        if name in ("max_parallelism", "overwrite_cache"):
            setattr(config, name, getattr(spec, name))
        elif spec.HasField(name):
            getattr(config, name).CopyFrom(getattr(spec, name))
    return config


def effective_execution_config(stored: bytes | None) -> matchable_resource_pb2.WorkflowExecutionConfig:
    """What an execution runs with, as resolved when it was created (the `execution_config` column)."""
    return WorkflowExecutionConfig.FromString(stored or b"")


def resolve_execution_config(
    session: Session,
    attributes: AttributeService,
    request: execution_pb2.ExecutionCreateRequest,
    launch_plan: launch_plan_pb2.LaunchPlanSpec | None,
    principal: str,
) -> matchable_resource_pb2.WorkflowExecutionConfig:
    """The merged configuration, with a security context always present and labels completed."""
    merged = fill_execution_config(WorkflowExecutionConfig(), config_of(request.spec))
    workflow_name = ""
    if launch_plan is not None:
        merged = fill_execution_config(merged, config_of(launch_plan))
        workflow_name = launch_plan.workflow_id.name
    for domain, workflow in ((request.domain, workflow_name), ("", "")):
        matched = attributes.resolve(
            session, MatchableResource.WORKFLOW_EXECUTION_CONFIG, request.project, domain, workflow
        )
        if matched is not None and matched.HasField("workflow_execution_config"):
            merged = fill_execution_config(merged, matched.workflow_execution_config)
    if not merged.HasField("security_context"):
        run_as = _legacy_run_as(request.spec, launch_plan)
        if run_as.k8s_service_account or run_as.iam_role:
            merged.security_context.run_as.CopyFrom(run_as)
    merged = fill_execution_config(merged, attributes.execution_defaults)
    merged.security_context.run_as.SetInParent()
    if not merged.security_context.run_as.execution_identity:
        merged.security_context.run_as.execution_identity = principal
    _add_project_labels(session, request.project, merged)
    return merged


def _legacy_run_as(spec: execution_pb2.ExecutionSpec, launch_plan: launch_plan_pb2.LaunchPlanSpec | None) -> Any:
    """Deprecated auth fields as an identity: the request's auth_role wins even when empty (flyteadmin)."""
    role = common_pb2.AuthRole()
    if spec.HasField("auth_role"):
        role = spec.auth_role
    elif launch_plan is not None:
        if launch_plan.HasField("auth_role"):
            role = launch_plan.auth_role
        elif launch_plan.HasField("auth"):
            role = common_pb2.AuthRole(
                assumable_iam_role=launch_plan.auth.assumable_iam_role,
                kubernetes_service_account=launch_plan.auth.kubernetes_service_account,
            )
        elif launch_plan.role:
            role = common_pb2.AuthRole(assumable_iam_role=launch_plan.role)
    return security_pb2.Identity(iam_role=role.assumable_iam_role, k8s_service_account=role.kubernetes_service_account)


def _add_project_labels(session: Session, project: str, config: matchable_resource_pb2.WorkflowExecutionConfig) -> None:
    """The project's labels apply to its executions, except where the execution sets the same key."""
    raw = projects.labels_of(session, project)
    if not raw:
        return
    project_labels = common_pb2.Labels.FromString(raw)
    for key, value in project_labels.values.items():
        if key not in config.labels.values:
            config.labels.values[key] = value


def check_cluster_assignment(
    session: Session, attributes: AttributeService, request: execution_pb2.ExecutionCreateRequest
) -> str:
    """The cluster pool the execution runs on; a requested pool may not contradict a configured one."""
    requested = request.spec.cluster_assignment.cluster_pool_name
    matched = attributes.resolve(session, MatchableResource.CLUSTER_ASSIGNMENT, request.project, request.domain)
    stored = "" if matched is None else matched.cluster_assignment.cluster_pool_name
    if requested and stored and requested != stored:
        raise InvalidArgument(
            f'execution with project "{request.project}" and domain "{request.domain}" cannot run on cluster '
            f'pool "{requested}", because its configured to run on pool "{stored}"'
        )
    return requested or stored


def notifications_for(
    spec: execution_pb2.ExecutionSpec, launch_plan: launch_plan_pb2.LaunchPlanSpec | None
) -> Sequence[Any]:
    """Request notifications win; `disable_all` silences the launch plan's; else the launch plan's apply."""
    if spec.HasField("notifications") and spec.notifications.notifications:
        return list(spec.notifications.notifications)
    if spec.disable_all:
        return []
    if launch_plan is None:
        return []
    return list(launch_plan.entity_metadata.notifications)


def effective_spec(
    spec: execution_pb2.ExecutionSpec, config: matchable_resource_pb2.WorkflowExecutionConfig
) -> execution_pb2.ExecutionSpec:
    """The spec the engine runs: what CreateExecution resolved (request, launch plan, matchable attributes)
    written into the fields the engine reads. Decided once, when the execution is created."""
    effective = execution_pb2.ExecutionSpec()
    effective.CopyFrom(spec)
    if config.max_parallelism:
        effective.max_parallelism = config.max_parallelism
    if config.raw_output_data_config.output_location_prefix:
        effective.raw_output_data_config.CopyFrom(config.raw_output_data_config)
    if config.envs.values:
        effective.envs.CopyFrom(config.envs)
    if config.HasField("interruptible"):
        effective.interruptible.CopyFrom(config.interruptible)
    effective.overwrite_cache = spec.overwrite_cache or config.overwrite_cache
    if config.HasField("security_context"):
        effective.security_context.CopyFrom(config.security_context)
    return effective
