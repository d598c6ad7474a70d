"""Fetching registered tasks, workflows and launch plans, by version or the latest one.

"Latest" is what flytekit asks Flyte Admin for: the newest version by creation time (a one-row listing sorted by
`created_at` descending), then a Get of that version. Gets go through the client's LRU cache.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from flyteidl.admin import common_pb2
from flyteidl.core import identifier_pb2

from flyteplane.client import Filter, FlyteEntityNotExistException, Sort, SynchronousFlyteClient
from flyteplane.remote.context import RemoteContext
from flyteplane.remote.entities import FlyteLaunchPlan, FlyteTask, FlyteWorkflow
from flyteplane.remote.errors import FlyteAssertion

__all__ = [
    "LATEST",
    "VersionFetcher",
    "fetch_active_launch_plan",
    "fetch_launch_plan",
    "fetch_task",
    "fetch_workflow",
    "identifier",
    "launch_plan_refs",
    "list_tasks_by_version",
]

E = TypeVar("E", bound=FlyteTask | FlyteWorkflow | FlyteLaunchPlan)

LATEST = "latest"
_NEWEST_FIRST = Sort.desc("created_at")


def identifier(resource_type: identifier_pb2.ResourceType, project: str, domain: str, name: str, version: str) -> Any:
    return identifier_pb2.Identifier(
        resource_type=resource_type, project=project, domain=domain, name=name, version=version
    )


class VersionFetcher(Generic[E]):
    """fetch_task, fetch_workflow and fetch_launch_plan: one definition, one instance per kind of entity."""

    def __init__(
        self,
        entity_type: type[E],
        listing: Callable[[SynchronousFlyteClient], Callable[..., tuple[list[Any], str]]],
        by_id: Callable[[RemoteContext, Any], E],
    ) -> None:
        self.resource_type = entity_type.resource_type
        self.listing = listing  # the client's listing of the kind's versions
        self.by_id: Callable[[RemoteContext, Any], E] = by_id
        self.__doc__ = self.__call__.__doc__
        self.__signature__ = inspect.signature(self.__call__).replace(return_annotation=entity_type.__name__)

    def __call__(
        self,
        ctx: RemoteContext,
        project: str | None = None,
        domain: str | None = None,
        name: str | None = None,
        version: str | None = None,
    ) -> E:
        """The version named, or the latest one (the newest registered) when `version` is None or "latest"."""
        if not name:
            raise FlyteAssertion("the 'name' argument must be specified.")
        project, domain = ctx.scope(project, domain)
        if version is None or version == LATEST:
            named = common_pb2.NamedEntityIdentifier(project=project, domain=domain, name=name)
            found, _ = self.listing(ctx.client)(named, limit=1, sort_by=_NEWEST_FIRST)
            if not found:
                raise FlyteEntityNotExistException(f"Named entity {project}/{domain}/{name} not found")
            version = str(found[0].id.version)
        return self.by_id(ctx, identifier(self.resource_type, project, domain, name, version))


def _task_by_id(ctx: RemoteContext, task_id: Any) -> FlyteTask:
    task = ctx.client.get_task(task_id)
    return FlyteTask(task.closure.compiled_task.template, id=task_id, closure=task.closure)


def _launch_plan_ref_of(node: Any, found: list[Any]) -> None:
    """Launch plans a node starts: directly, inside an array node, or in any branch of a (nested) branch node."""
    which = node.WhichOneof("target")
    if which == "workflow_node" and node.workflow_node.WhichOneof("reference") == "launchplan_ref":
        found.append(node.workflow_node.launchplan_ref)
    elif which == "array_node":
        _launch_plan_ref_of(node.array_node.node, found)
    elif which == "branch_node":
        if_else = node.branch_node.if_else
        _launch_plan_ref_of(if_else.case.then_node, found)
        for other in if_else.other:
            _launch_plan_ref_of(other.then_node, found)
        if if_else.HasField("else_node"):
            _launch_plan_ref_of(if_else.else_node, found)


def launch_plan_refs(compiled: Any) -> list[Any]:
    """Identifiers of every launch plan the workflow's nodes (and its subworkflows' nodes) launch."""
    found: list[Any] = []
    for template in [compiled.primary.template, *(sub.template for sub in compiled.sub_workflows)]:
        for node in template.nodes:
            _launch_plan_ref_of(node, found)
    return found


def _workflow_by_id(ctx: RemoteContext, workflow_id: Any) -> FlyteWorkflow:
    workflow = ctx.client.get_workflow(workflow_id)
    plans: dict[str, Any] = {}
    for ref in launch_plan_refs(workflow.closure.compiled_workflow):
        key = f"{ref.project}/{ref.domain}/{ref.name}@{ref.version}"
        if key not in plans:
            plans[key] = ctx.client.get_launch_plan(ref).spec
    result = FlyteWorkflow.from_admin(workflow, launch_plans=plans)
    result.id.CopyFrom(workflow_id)
    return result


def _upgrade(ctx: RemoteContext, launch_plan: Any) -> FlyteLaunchPlan:
    """A launch plan with the workflow it launches (its interface comes from there, as in flytekit)."""
    workflow_id = launch_plan.spec.workflow_id
    workflow = _workflow_by_id(
        ctx,
        identifier(
            identifier_pb2.WORKFLOW, workflow_id.project, workflow_id.domain, workflow_id.name, workflow_id.version
        ),
    )
    return FlyteLaunchPlan.from_admin(launch_plan, workflow)


def _launch_plan_by_id(ctx: RemoteContext, plan_id: Any) -> FlyteLaunchPlan:
    return _upgrade(ctx, ctx.client.get_launch_plan(plan_id))


fetch_task = VersionFetcher(FlyteTask, lambda client: client.list_tasks_paginated, _task_by_id)
fetch_workflow = VersionFetcher(FlyteWorkflow, lambda client: client.list_workflows_paginated, _workflow_by_id)
fetch_launch_plan = VersionFetcher(
    FlyteLaunchPlan, lambda client: client.list_launch_plans_paginated, _launch_plan_by_id
)


def fetch_active_launch_plan(
    ctx: RemoteContext, project: str | None = None, domain: str | None = None, name: str | None = None
) -> FlyteLaunchPlan | None:
    """The active version of the launch plan, or None when no version is active."""
    if not name:
        raise FlyteAssertion("the 'name' argument must be specified.")
    project, domain = ctx.scope(project, domain)
    try:
        plan = ctx.client.get_active_launch_plan(
            common_pb2.NamedEntityIdentifier(project=project, domain=domain, name=name)
        )
    except FlyteEntityNotExistException:
        return None
    return _upgrade(ctx, plan)


def list_tasks_by_version(
    ctx: RemoteContext, version: str, project: str | None = None, domain: str | None = None, limit: int | None = 100
) -> list[FlyteTask]:
    """Every task registered with `version` in the project and domain (first page of `limit`)."""
    if not version:
        raise ValueError("Must specify a version")
    project, domain = ctx.scope(project, domain)
    named = common_pb2.NamedEntityIdentifier(project=project, domain=domain)
    tasks, _ = ctx.client.list_tasks_paginated(named, limit=limit or 100, filters=Filter.eq("version", version))
    return [FlyteTask(task.closure.compiled_task.template, closure=task.closure) for task in tasks]
