"""Matchable attributes (flyteadmin §10.2): project, domain and workflow overrides; the most specific wins.

Rows live in the `resources` table keyed by (project, domain, workflow, launch_plan, resource_type), where an
empty key part is a wildcard. The kind of an update is the `MatchingAttributes` oneof that is set.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flyteidl.admin import (
    matchable_resource_pb2,
    project_attributes_pb2,
    project_domain_attributes_pb2,
    workflow_attributes_pb2,
)
from sqlalchemy.orm import Session

from flyteplane.config import Settings
from flyteplane.errors import InvalidArgument, NotFound
from flyteplane.services.common.validation import PROJECT_ACTIVE, validate_project_domain
from flyteplane.store.db import Database
from flyteplane.store.repositories import attributes as attribute_store
from flyteplane.store.repositories import projects
from flyteplane.store.repositories.attributes import AttributeRow

MatchableResource = matchable_resource_pb2.MatchableResource
MatchingAttributes = matchable_resource_pb2.MatchingAttributes
WorkflowExecutionConfig = matchable_resource_pb2.WorkflowExecutionConfig

PROJECT_PRIORITY = 5
PROJECT_DOMAIN_PRIORITY = 10
WORKFLOW_PRIORITY = 100
LAUNCH_PLAN_PRIORITY = 1000
DEFAULT_MAX_PARALLELISM = 25

# Which MatchingAttributes oneof field stands for which MatchableResource.
KIND_OF_TARGET: dict[str, int] = {
    "task_resource_attributes": MatchableResource.TASK_RESOURCE,
    "cluster_resource_attributes": MatchableResource.CLUSTER_RESOURCE,
    "execution_queue_attributes": MatchableResource.EXECUTION_QUEUE,
    "execution_cluster_label": MatchableResource.EXECUTION_CLUSTER_LABEL,
    "quality_of_service": MatchableResource.QUALITY_OF_SERVICE_SPECIFICATION,
    "plugin_overrides": MatchableResource.PLUGIN_OVERRIDE,
    "workflow_execution_config": MatchableResource.WORKFLOW_EXECUTION_CONFIG,
    "cluster_assignment": MatchableResource.CLUSTER_ASSIGNMENT,
}


@dataclass(frozen=True)
class AttributeKey:
    """One row's identity; the `resource_type` column holds the enum name, as flyteadmin stores it."""

    resource_type: int
    project: str
    domain: str = ""
    workflow: str = ""
    launch_plan: str = ""

    @property
    def type_name(self) -> str:
        return str(MatchableResource.Name(self.resource_type))

    @property
    def scope(self) -> attribute_store.Scope:
        return attribute_store.Scope(self.project, self.domain, self.workflow, self.launch_plan)

    def text(self) -> str:
        """flyteadmin prints its ResourceID struct with Go's `%+v` in not-found messages."""
        return (
            f"{{Project:{self.project} Domain:{self.domain} Workflow:{self.workflow} "
            f"LaunchPlan:{self.launch_plan} ResourceType:{self.type_name}}}"
        )


def platform_execution_config(
    max_parallelism: int = DEFAULT_MAX_PARALLELISM,
) -> matchable_resource_pb2.WorkflowExecutionConfig:
    """The WORKFLOW_EXECUTION_CONFIG the platform applies when nothing more specific sets a field."""
    return WorkflowExecutionConfig(max_parallelism=max_parallelism)


def fill_execution_config(
    config: matchable_resource_pb2.WorkflowExecutionConfig,
    fallback: matchable_resource_pb2.WorkflowExecutionConfig,
) -> matchable_resource_pb2.WorkflowExecutionConfig:
    """A copy of `config` whose empty fields are taken from `fallback` (flyteadmin's MergeIntoExecConfig).

    Emptiness is checked deeply, because clients send empty wrappers (an empty security context, an empty
    raw output prefix) that must not hide a fallback value.
    """
    merged = WorkflowExecutionConfig()
    merged.CopyFrom(config)
    if merged.max_parallelism == 0 and fallback.max_parallelism > 0:
        merged.max_parallelism = fallback.max_parallelism
    run_as = fallback.security_context.run_as
    if not merged.HasField("security_context") and (
        run_as.k8s_service_account or run_as.iam_role or run_as.execution_identity
    ):
        merged.security_context.CopyFrom(fallback.security_context)
    if (
        not merged.raw_output_data_config.output_location_prefix
        and fallback.raw_output_data_config.output_location_prefix
    ):
        merged.raw_output_data_config.CopyFrom(fallback.raw_output_data_config)
    for name in ("labels", "annotations", "envs"):
        if not getattr(merged, name).values and getattr(fallback, name).values:
            getattr(merged, name).CopyFrom(getattr(fallback, name))
    if not merged.HasField("interruptible") and fallback.HasField("interruptible"):
        merged.interruptible.CopyFrom(fallback.interruptible)
    if not merged.overwrite_cache and fallback.overwrite_cache:
        merged.overwrite_cache = True
    return merged


def merge_plugin_overrides(
    existing: matchable_resource_pb2.MatchingAttributes, update: matchable_resource_pb2.MatchingAttributes
) -> matchable_resource_pb2.MatchingAttributes:
    """PLUGIN_OVERRIDE updates merge by task type: an entry replaces the one of its task type, others stay."""
    by_task_type = {override.task_type: override for override in existing.plugin_overrides.overrides}
    for override in update.plugin_overrides.overrides:
        by_task_type[override.task_type] = override
    merged = MatchingAttributes()
    merged.plugin_overrides.SetInParent()
    merged.plugin_overrides.overrides.extend(by_task_type.values())
    return merged


def _decode(row: AttributeRow) -> matchable_resource_pb2.MatchingAttributes:
    attributes = MatchingAttributes()
    attributes.ParseFromString(row.attributes)
    return attributes


def _kind_of_update(holder: Any, label: str) -> int:
    """The MatchableResource an update writes, from the oneof that is set (flyteadmin's messages)."""
    if not holder.HasField("matching_attributes"):
        raise InvalidArgument("missing matching_attributes")
    target = holder.matching_attributes.WhichOneof("target")
    if target is None:
        raise InvalidArgument(f"Unrecognized matching attributes type for request {label}")
    return KIND_OF_TARGET[target]


def _resource_type(value: int) -> int:
    """Unknown enum numbers survive protobuf decoding; reject them instead of storing or matching them."""
    if value not in MatchableResource.values():
        raise InvalidArgument("invalid value for resource_type")
    return value


def _require_project(session: Session, project: str, *, active: bool) -> None:
    """Project-level checks: the project must exist, and be active unless only reading."""
    state = projects.state_of(session, project)
    if state is None:
        verb = "is registered" if active else "exists"
        raise InvalidArgument(
            f"failed to validate that project [{project}] {verb}, err: [project [{project}] not found]"
        )
    if active and state != PROJECT_ACTIVE:
        raise InvalidArgument(f"project [{project}] is not active")


def _most_specific(session: Session, key: AttributeKey) -> AttributeRow | None:
    return attribute_store.most_specific(session, key.type_name, key.scope)


def _write(
    session: Session, key: AttributeKey, priority: int, attributes: matchable_resource_pb2.MatchingAttributes
) -> None:
    """Stores one level's attributes of a kind; PLUGIN_OVERRIDE updates merge into what is stored."""

    def merge(stored: bytes) -> bytes:
        merged: bytes = merge_plugin_overrides(MatchingAttributes.FromString(stored), attributes).SerializeToString(
            deterministic=True
        )
        return merged

    plugin_override = key.resource_type == MatchableResource.PLUGIN_OVERRIDE
    payload = attributes.SerializeToString(deterministic=True)
    attribute_store.write(session, key.type_name, key.scope, priority, payload, merge if plugin_override else None)


@dataclass(frozen=True)
class _Level:
    """One level of matchable attributes: which request fields key it, how they are checked, its priority."""

    parts: tuple[str, ...]
    priority: int

    def check(self, session: Session, holder: Any, domains: Sequence[str], *, writing: bool) -> None:
        """A project level needs its project (active, unless only reading); the others project and domain, and
        the workflow level a workflow name."""
        if self.parts == ("project",):
            _require_project(session, holder.project, active=writing)
            return
        validate_project_domain(session, holder.project, holder.domain, domains)
        if "workflow" in self.parts and not holder.workflow:
            raise InvalidArgument("missing name")

    def key(self, kind: int, holder: Any) -> AttributeKey:
        return AttributeKey(kind, *[getattr(holder, part) for part in self.parts])

    def label(self, holder: Any) -> str:
        """How flyteadmin names the level's target in the message of an update without attributes."""
        return "-".join(getattr(holder, part) for part in self.parts)


_PROJECT = _Level(("project",), PROJECT_PRIORITY)
_PROJECT_DOMAIN = _Level(("project", "domain"), PROJECT_DOMAIN_PRIORITY)
_WORKFLOW = _Level(("project", "domain", "workflow"), WORKFLOW_PRIORITY)


class AttributeService:
    """The nine matchable-attribute RPCs, plus `resolve` for the execution engine."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        execution_defaults: matchable_resource_pb2.WorkflowExecutionConfig | None = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self.execution_defaults = platform_execution_config() if execution_defaults is None else execution_defaults

    # -- project + domain ---------------------------------------------------------------------------------

    def update_project_domain_attributes(
        self, req: project_domain_attributes_pb2.ProjectDomainAttributesUpdateRequest
    ) -> project_domain_attributes_pb2.ProjectDomainAttributesUpdateResponse:
        self._update(_PROJECT_DOMAIN, req)
        return project_domain_attributes_pb2.ProjectDomainAttributesUpdateResponse()

    def get_project_domain_attributes(
        self, req: project_domain_attributes_pb2.ProjectDomainAttributesGetRequest
    ) -> project_domain_attributes_pb2.ProjectDomainAttributesGetResponse:
        row = self._most_specific(_PROJECT_DOMAIN, req)
        return project_domain_attributes_pb2.ProjectDomainAttributesGetResponse(
            attributes=project_domain_attributes_pb2.ProjectDomainAttributes(
                project=row.project, domain=row.domain, matching_attributes=_decode(row)
            )
        )

    def delete_project_domain_attributes(
        self, req: project_domain_attributes_pb2.ProjectDomainAttributesDeleteRequest
    ) -> project_domain_attributes_pb2.ProjectDomainAttributesDeleteResponse:
        self._delete(_PROJECT_DOMAIN, req)
        return project_domain_attributes_pb2.ProjectDomainAttributesDeleteResponse()

    # -- project ------------------------------------------------------------------------------------------

    def update_project_attributes(
        self, req: project_attributes_pb2.ProjectAttributesUpdateRequest
    ) -> project_attributes_pb2.ProjectAttributesUpdateResponse:
        self._update(_PROJECT, req)
        return project_attributes_pb2.ProjectAttributesUpdateResponse()

    def get_project_attributes(
        self, req: project_attributes_pb2.ProjectAttributesGetRequest
    ) -> project_attributes_pb2.ProjectAttributesGetResponse:
        """Only the project-level row; WORKFLOW_EXECUTION_CONFIG is completed with the platform defaults."""
        with self.db.read() as session:
            _PROJECT.check(session, req, self.settings.domains, writing=False)
            key = _PROJECT.key(_resource_type(req.resource_type), req)
            row = attribute_store.find_exact(session, key.type_name, key.scope)
        is_execution_config = key.resource_type == MatchableResource.WORKFLOW_EXECUTION_CONFIG
        if row is None and not is_execution_config:
            raise NotFound(f"Resource [{key.text()}] not found")
        attributes = MatchingAttributes() if row is None else _decode(row)
        if is_execution_config:
            filled = fill_execution_config(attributes.workflow_execution_config, self.execution_defaults)
            attributes.workflow_execution_config.CopyFrom(filled)
        return project_attributes_pb2.ProjectAttributesGetResponse(
            attributes=project_attributes_pb2.ProjectAttributes(project=req.project, matching_attributes=attributes)
        )

    def delete_project_attributes(
        self, req: project_attributes_pb2.ProjectAttributesDeleteRequest
    ) -> project_attributes_pb2.ProjectAttributesDeleteResponse:
        self._delete(_PROJECT, req)
        return project_attributes_pb2.ProjectAttributesDeleteResponse()

    # -- workflow -----------------------------------------------------------------------------------------

    def update_workflow_attributes(
        self, req: workflow_attributes_pb2.WorkflowAttributesUpdateRequest
    ) -> workflow_attributes_pb2.WorkflowAttributesUpdateResponse:
        self._update(_WORKFLOW, req)
        return workflow_attributes_pb2.WorkflowAttributesUpdateResponse()

    def get_workflow_attributes(
        self, req: workflow_attributes_pb2.WorkflowAttributesGetRequest
    ) -> workflow_attributes_pb2.WorkflowAttributesGetResponse:
        row = self._most_specific(_WORKFLOW, req)
        return workflow_attributes_pb2.WorkflowAttributesGetResponse(
            attributes=workflow_attributes_pb2.WorkflowAttributes(
                project=row.project,
                domain=row.domain,
                workflow=row.workflow,
                matching_attributes=_decode(row),
            )
        )

    def delete_workflow_attributes(
        self, req: workflow_attributes_pb2.WorkflowAttributesDeleteRequest
    ) -> workflow_attributes_pb2.WorkflowAttributesDeleteResponse:
        self._delete(_WORKFLOW, req)
        return workflow_attributes_pb2.WorkflowAttributesDeleteResponse()

    # -- what the three levels share ----------------------------------------------------------------------

    def _update(self, level: _Level, req: Any) -> None:
        """Writes the level's attributes of the kind whose MatchingAttributes oneof is set."""
        if not req.HasField("attributes"):
            raise InvalidArgument("missing attributes")
        attrs = req.attributes
        with self.db.transaction() as session:
            level.check(session, attrs, self.settings.domains, writing=True)
            kind = _kind_of_update(attrs, level.label(attrs))
            _write(session, level.key(kind, attrs), level.priority, attrs.matching_attributes)

    def _most_specific(self, level: _Level, req: Any) -> AttributeRow:
        """The most specific row that applies at the level, wildcards included; NOT_FOUND when none does."""
        with self.db.read() as session:
            level.check(session, req, self.settings.domains, writing=False)
            key = level.key(_resource_type(req.resource_type), req)
            row = _most_specific(session, key)
        if row is None:
            raise NotFound(f"Resource [{key.text()}] not found")
        return row

    def _delete(self, level: _Level, req: Any) -> None:
        with self.db.transaction() as session:
            level.check(session, req, self.settings.domains, writing=True)
            key = level.key(_resource_type(req.resource_type), req)
            attribute_store.delete_exact(session, key.type_name, key.scope)

    # -- all levels ---------------------------------------------------------------------------------------

    def list_matchable_attributes(
        self, req: matchable_resource_pb2.ListMatchableAttributesRequest
    ) -> matchable_resource_pb2.ListMatchableAttributesResponse:
        type_name = MatchableResource.Name(_resource_type(req.resource_type))
        with self.db.read() as session:
            rows = attribute_store.list_of_kind(session, type_name)
        return matchable_resource_pb2.ListMatchableAttributesResponse(
            configurations=[
                matchable_resource_pb2.MatchableAttributesConfiguration(
                    attributes=_decode(row),
                    project=row.project,
                    domain=row.domain,
                    workflow=row.workflow,
                    launch_plan=row.launch_plan,
                )
                for row in rows
            ]
        )

    def resolve(
        self,
        session: Session,
        resource_type: int,
        project: str,
        domain: str,
        workflow: str = "",
        launch_plan: str = "",
    ) -> matchable_resource_pb2.MatchingAttributes | None:
        """The most specific attributes of a kind for an execution, or None; runs in the caller's session."""
        key = AttributeKey(_resource_type(resource_type), project, domain, workflow, launch_plan)
        row = _most_specific(session, key)
        return None if row is None else _decode(row)
