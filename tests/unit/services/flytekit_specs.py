"""Real registration payloads: flytekit serializes small tasks, workflows and launch plans to flyteidl protos."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from flytekit import LaunchPlan, task, workflow
from flytekit.configuration import ImageConfig, SerializationSettings
from flytekit.models.admin.workflow import WorkflowSpec
from flytekit.models.launch_plan import LaunchPlan as LaunchPlanModel
from flytekit.models.task import TaskSpec
from flytekit.tools.translator import get_serializable

PROJECT, DOMAIN = "flytesnacks", "development"


@task
def add(a: int, b: int) -> int:
    return a + b


@task
def shout(text: str) -> str:
    return text.upper()


@workflow
def pipeline(a: int = 1, b: int = 2) -> int:
    return add(a=add(a=a, b=b), b=b)


def serialize(entity: Any, version: str = "v1") -> dict[str, list[Any]]:
    """The protos `pyflyte register` would send for `entity` and everything it references, by kind."""
    settings = SerializationSettings(
        image_config=ImageConfig.auto_default_image(), project=PROJECT, domain=DOMAIN, version=version
    )
    collected: OrderedDict[Any, Any] = OrderedDict()
    get_serializable(collected, settings, entity)
    result: dict[str, list[Any]] = {"tasks": [], "workflows": [], "launch_plans": []}
    for model in collected.values():
        if isinstance(model, TaskSpec):
            result["tasks"].append(model.to_flyte_idl())
        elif isinstance(model, WorkflowSpec):
            result["workflows"].append(model.to_flyte_idl())
        elif isinstance(model, LaunchPlanModel):
            result["launch_plans"].append(model.to_flyte_idl())
    return result


def default_launch_plan(version: str = "v1", **kwargs: Any) -> Any:
    plan = LaunchPlan.get_or_create(pipeline, **kwargs) if kwargs else LaunchPlan.get_or_create(pipeline)
    return serialize(plan, version)["launch_plans"][0]
