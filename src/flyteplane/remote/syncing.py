"""Bringing a FlyteWorkflowExecution up to date: its closure, inputs and outputs, and optionally every node.

The node tree is read from what Flyte Admin reports rather than matched against the workflow's own nodes, so it
works the same for static subworkflows, dynamic workflows, branches and map tasks: parent nodes get their children
(listed by `unique_parent_id`), launch-plan nodes get the child execution they started (synced in turn), task nodes
get their attempts. Attempt data is read only once the node is done (as flytekit does) to keep polls cheap.
"""

from __future__ import annotations

from typing import Any

from flyteidl.admin import execution_pb2
from flyteidl.core import identifier_pb2

from flyteplane.client import FlyteEntityNotExistException, Sort
from flyteplane.client.filters import FiltersLike
from flyteplane.remote.context import RemoteContext
from flyteplane.remote.entities import SYSTEM_NODES, FlyteTask
from flyteplane.remote.errors import FlyteAssertion
from flyteplane.remote.executions import FlyteNodeExecution, FlyteTaskExecution, FlyteWorkflowExecution
from flyteplane.remote.fetching import fetch_launch_plan, fetch_task
from flyteplane.remote.interface import TypedInterface
from flyteplane.remote.literals.resolver import LiteralsResolver

__all__ = ["executed_entity", "fetch_execution", "recent_executions", "sync_execution", "sync_node_execution"]

_OLDEST_FIRST = Sort.asc("created_at")
_NEWEST_FIRST = Sort.desc("created_at")


def _resolvers(
    ctx: RemoteContext, data: Any, interface: TypedInterface | None, done_ok: bool, hints: dict[str, Any] | None = None
) -> tuple[LiteralsResolver, LiteralsResolver | None]:
    """Inputs always; outputs only for a finished, successful run (flytekit's rule)."""
    inputs_types = interface.inputs if interface is not None else None
    outputs_types = interface.outputs if interface is not None else None
    inputs = LiteralsResolver(data.full_inputs.literals, inputs_types, ctx.converter)
    outputs = LiteralsResolver(data.full_outputs.literals, outputs_types, ctx.converter, hints) if done_ok else None
    return inputs, outputs


def _succeeded(execution: Any) -> bool:
    return bool(execution.is_done and not execution.closure.HasField("error"))


def executed_entity(ctx: RemoteContext, execution: FlyteWorkflowExecution) -> TypedInterface | None:
    """The executed entity's interface: the task's, or the launch plan's workflow's (cached client-side)."""
    target = execution.spec.launch_plan
    if not target.name:
        return None
    try:
        if target.resource_type == identifier_pb2.TASK:
            if execution.flyte_task is None:
                execution.flyte_task = fetch_task(ctx, target.project, target.domain, target.name, target.version)
            return execution.flyte_task.interface
        if execution.flyte_workflow is None:
            plan = fetch_launch_plan(ctx, target.project, target.domain, target.name, target.version)
            execution.flyte_workflow = plan.flyte_workflow
        return execution.flyte_workflow.interface if execution.flyte_workflow is not None else None
    except FlyteEntityNotExistException:  # the entity was never registered here (e.g. a recorded execution)
        return None


def sync_execution(
    ctx: RemoteContext, execution: FlyteWorkflowExecution, entity_definition: Any = None, sync_nodes: bool = False
) -> FlyteWorkflowExecution:
    """Refreshes the execution's state, inputs and outputs (and every node's with `sync_nodes=True`), in place.

    The closure is read first, then the data, so a run never looks done without its outputs.
    """
    if entity_definition is not None:
        raise ValueError("Entity definition arguments aren't supported when syncing workflow executions")
    execution._refresh(ctx.client.get_execution(execution.id))
    data = ctx.client.get_execution_data(execution.id)
    interface = executed_entity(ctx, execution)
    inputs, outputs = _resolvers(ctx, data, interface, _succeeded(execution), execution.type_hints)
    execution._set_data(inputs, outputs)
    if sync_nodes:
        nodes = ctx.client.iter_node_executions(execution.id, sort_by=_OLDEST_FIRST)
        execution._set_node_executions({n.id.node_id: sync_node_execution(ctx, n) for n in nodes})
    return execution


def recent_executions(
    ctx: RemoteContext,
    project: str | None = None,
    domain: str | None = None,
    limit: int | None = 100,
    filters: FiltersLike = None,
) -> list[FlyteWorkflowExecution]:
    """The newest executions first (first page of `limit`)."""
    project, domain = ctx.scope(project, domain)
    found, _ = ctx.client.list_executions_paginated(
        project, domain, limit or 100, filters=filters, sort_by=_NEWEST_FIRST
    )
    return [FlyteWorkflowExecution(execution, remote=ctx.handle) for execution in found]


def fetch_execution(
    ctx: RemoteContext, project: str | None = None, domain: str | None = None, name: str | None = None
) -> FlyteWorkflowExecution:
    if not name:
        raise FlyteAssertion("the 'name' argument must be specified.")
    project, domain = ctx.scope(project, domain)
    execution_id = identifier_pb2.WorkflowExecutionIdentifier(project=project, domain=domain, name=name)
    execution = FlyteWorkflowExecution(ctx.client.get_execution(execution_id), remote=ctx.handle)
    return sync_execution(ctx, execution)


def _task_interface(ctx: RemoteContext, task_id: Any, cache: dict[str, FlyteTask]) -> FlyteTask | None:
    key = f"{task_id.project}/{task_id.domain}/{task_id.name}@{task_id.version}"
    if key not in cache:
        try:
            cache[key] = FlyteTask.from_admin(ctx.client.get_task(task_id))
        except FlyteEntityNotExistException:  # a dynamic task's sub-task: embedded, never registered
            return None
    return cache[key]


def sync_node_execution(
    ctx: RemoteContext, proto: Any, tasks: dict[str, FlyteTask] | None = None
) -> FlyteNodeExecution:
    """A node execution with its data and whatever ran under it."""
    tasks = {} if tasks is None else tasks
    node = FlyteNodeExecution(proto)
    if any(system in node.id.node_id for system in SYSTEM_NODES):
        return node
    try:
        data = ctx.client.get_node_execution_data(node.id)
    except FlyteEntityNotExistException:
        return node
    child_id = node.closure.workflow_node_metadata.executionId
    if not node.metadata.is_parent_node and child_id.name:
        child = FlyteWorkflowExecution(execution_pb2.Execution(id=child_id), remote=ctx.handle)
        sync_execution(ctx, child, sync_nodes=True)
        node._workflow_executions = [child]
        node._interface = child.flyte_workflow.interface if child.flyte_workflow is not None else None
    elif node.metadata.is_parent_node:
        children = ctx.client.iter_node_executions(
            node.id.execution_id, sort_by=_OLDEST_FIRST, unique_parent_id=node.id.node_id
        )
        node._children = {c.id.node_id: sync_node_execution(ctx, c, tasks) for c in children}
    else:
        attempts = []
        for attempt in ctx.client.iter_task_executions(node.id, sort_by=_OLDEST_FIRST):
            task = _task_interface(ctx, attempt.id.task_id, tasks)
            execution = FlyteTaskExecution(attempt, task)
            if node.is_done:
                task_data = ctx.client.get_task_execution_data(attempt.id)
                interface = task.interface if task is not None else None
                execution._set_data(*_resolvers(ctx, task_data, interface, _succeeded(execution)))
            attempts.append(execution)
        node._task_executions = attempts
        if attempts and attempts[-1].task is not None and not node.metadata.is_array:
            node._interface = attempts[-1].task.interface
    node._set_data(*_resolvers(ctx, data, node.interface, _succeeded(node)))
    return node
