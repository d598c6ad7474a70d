"""Serializing Python-defined entities with flytekit and registering the result through flyteplane's client.

flytekit's translator turns a task, workflow or launch plan (and everything it references) into flyteidl specs
in dependency order. Tasks are registered concurrently, then workflows (each with its default launch plan when
asked) and launch plans, in that dependency order. Registering an identical entity again is accepted, as
flytekit accepts it.
"""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from flyteidl.admin import launch_plan_pb2

from flyteplane.client import FlyteEntityAlreadyExistsException
from flyteplane.remote.context import RemoteContext

__all__ = ["register_serialized", "serialize"]

_TASK_THREADS = 8


def serialize(entity: Any, settings: Any, options: Any = None) -> OrderedDict[Any, Any]:
    """flytekit's models of `entity` and what it references, keyed by the Python entity, dependencies first."""
    from flytekit.tools.translator import get_serializable

    models: OrderedDict[Any, Any] = OrderedDict()
    get_serializable(models, settings, entity, options=options)
    return models


def _kinds(models: OrderedDict[Any, Any]) -> tuple[list[Any], list[tuple[Any, Any]]]:
    """Task specs, and the workflows and launch plans in dependency order (a launch plan a workflow's node
    launches comes before that workflow)."""
    from flytekit.models.admin.workflow import WorkflowSpec
    from flytekit.models.launch_plan import LaunchPlan
    from flytekit.models.task import TaskSpec
    from flytekit.remote.remote_callable import RemoteEntity

    tasks, others = [], []
    for source, model in models.items():
        if isinstance(model, RemoteEntity):  # already registered (fetched) entities are referenced, not re-created
            continue
        if isinstance(model, TaskSpec):
            tasks.append(model.to_flyte_idl())
        elif isinstance(model, (WorkflowSpec, LaunchPlan)):
            others.append((source, model))
    return tasks, others


def _ignore_existing(create: Any, *args: Any) -> None:
    with contextlib.suppress(FlyteEntityAlreadyExistsException):
        create(*args)


def _default_launch_plan(workflow: Any, settings: Any, options: Any) -> Any:
    from flytekit import LaunchPlan
    from flytekit.core.context_manager import FlyteContextManager
    from flytekit.tools.translator import get_serializable

    plan = LaunchPlan.get_default_launch_plan(FlyteContextManager.current_context(), workflow)
    return get_serializable(OrderedDict(), settings, plan, options=options)


def register_serialized(
    ctx: RemoteContext,
    entity: Any,
    settings: Any,
    options: Any = None,
    default_launch_plan: bool = True,
) -> Any:
    """Serializes and registers `entity` and its dependencies; returns the flyteidl Identifier of `entity`."""
    from flytekit.core.workflow import WorkflowBase
    from flytekit.models.launch_plan import LaunchPlan

    models = serialize(entity, settings, options)
    tasks, others = _kinds(models)
    client = ctx.client
    with ThreadPoolExecutor(max_workers=_TASK_THREADS) as pool:
        for future in [pool.submit(_ignore_existing, client.create_task, t.template.id, t) for t in tasks]:
            future.result()
    for source, model in others:
        if isinstance(model, LaunchPlan):
            _ignore_existing(client.create_launch_plan, model.id.to_flyte_idl(), model.spec.to_flyte_idl())
            if model.should_auto_activate:
                client.update_launch_plan(model.id.to_flyte_idl(), launch_plan_pb2.ACTIVE)
            continue
        spec = model.to_flyte_idl()
        _ignore_existing(client.create_workflow, spec.template.id, spec)
        if default_launch_plan and isinstance(source, WorkflowBase):
            plan = _default_launch_plan(source, settings, options)
            _ignore_existing(client.create_launch_plan, plan.id.to_flyte_idl(), plan.spec.to_flyte_idl())
    model = models.get(entity)
    if model is None:
        raise ValueError(f"{entity!r} did not serialize to a registrable entity")
    registered = getattr(model, "id", None) or model.template.id
    return registered.to_flyte_idl()
