"""Fetching registered tasks, workflows and launch plans, by version or the latest one.

"Latest" is what flytekit asks Flyte Admin for: the newest version by creation time (a one-row listing sorted by
`created_at` descending), then a Get of that version. Gets go through the client's LRU cache.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flyteidl.admin import common_pb2
from flyteidl.core import identifier_pb2

from flyteplane.client import Filter, FlyteEntityNotExistException, Sort
from flyteplane.remote.context import RemoteContext
from flyteplane.remote.entities import FlyteLaunchPlan, FlyteTask, FlyteWorkflow
from flyteplane.remote.errors import FlyteAssertion

__all__ = [
    "LATEST",
    "fetch_active_launch_plan",
    "fetch_launch_plan",
    "fetch_task",
    "fetch_workflow",
    "identifier",
    "launch_plan_refs",
    "list_tasks_by_version",
]

LATEST = "latest"
_NEWEST_FIRST = Sort.desc("created_at")


def identifier(resource_type: int, project: str, domain: str, name: str, version: str) -> Any:
    return identifier_pb2.Identifier(
        resource_type=resource_type, project=project, domain=domain, name=name, version=version
    )


def _resolve(
    ctx: RemoteContext,
    resource_type: int,
    listing: Callable[..., tuple[list[Any], str]],
    project: str | None,
    domain: str | None,
    name: str | None,
    version: str | None,
) -> Any:
    if not name:
        raise FlyteAssertion("the 'name' argument must be specified.")
    project, domain = ctx.scope(project, domain)
    if version is None or version == LATEST:
        named = common_pb2.NamedEntityIdentifier(project=project, domain=domain, name=name)
        found, _ = listing(named, limit=1, sort_by=_NEWEST_FIRST)
        if not found:
            raise FlyteEntityNotExistException(f"Named entity {project}/{domain}/{name} not found")
        version = str(found[0].id.version)
    return identifier(resource_type, project, domain, name, version)


def fetch_task(
    ctx: RemoteContext,
    project: str | None = None,
    domain: str | None = None,
    name: str | None = None,
    version: str | None = None,
) -> FlyteTask:
    task_id = _resolve(ctx, identifier_pb2.TASK, ctx.client.list_tasks_paginated, project, domain, name, version)
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


def fetch_workflow(
    ctx: RemoteContext,
    project: str | None = None,
    domain: str | None = None,
    name: str | None = None,
    version: str | None = None,
) -> FlyteWorkflow:
    workflow_id = _resolve(
        ctx, identifier_pb2.WORKFLOW, ctx.client.list_workflows_paginated, project, domain, name, version
    )
    return _workflow_by_id(ctx, workflow_id)


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


def fetch_launch_plan(
    ctx: RemoteContext,
    project: str | None = None,
    domain: str | None = None,
    name: str | None = None,
    version: str | None = None,
) -> FlyteLaunchPlan:
    plan_id = _resolve(
        ctx, identifier_pb2.LAUNCH_PLAN, ctx.client.list_launch_plans_paginated, project, domain, name, version
    )
    return _upgrade(ctx, ctx.client.get_launch_plan(plan_id))


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
