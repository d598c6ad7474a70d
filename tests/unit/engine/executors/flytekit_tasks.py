"""Small flytekit tasks the executor tests run for real with pyflyte-execute / pyflyte-map-execute."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from flyteidl.core import tasks_pb2
from flytekit import map_task, task
from flytekit.configuration import FastSerializationSettings, ImageConfig, SerializationSettings
from flytekit.models.task import TaskSpec
from flytekit.tools.translator import get_serializable

IMAGE = "ghcr.io/flyteorg/flytekit:py3.11-latest"


@task
def add(a: int, b: int) -> int:
    return a + b


@task
def explode(a: int) -> int:
    if a >= 0:
        raise ValueError(f"cannot handle {a}")
    return a


add_each = map_task(add)


def template_of(entity: Any, *, fast_distribution: str | None = None) -> tasks_pb2.TaskTemplate:
    """The TaskTemplate `pyflyte register` would send for `entity` (fast-registered if a tarball is given)."""
    fast = (
        FastSerializationSettings(enabled=True, destination_dir="/root", distribution_location=fast_distribution)
        if fast_distribution
        else None
    )
    settings = SerializationSettings(
        image_config=ImageConfig.auto(img_name=IMAGE),
        project="flytesnacks",
        domain="development",
        version="v1",
        fast_serialization_settings=fast,
    )
    collected: OrderedDict[Any, Any] = OrderedDict()
    spec = get_serializable(collected, settings, entity)
    assert isinstance(spec, TaskSpec)
    template: tasks_pb2.TaskTemplate = spec.template.to_flyte_idl()
    return template
