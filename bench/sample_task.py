"""A realistic task, serialized by the real flytekit: the payload the registry benchmarks store and send."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from flyteidl.admin import task_pb2
from flytekit import Resources, task
from flytekit.configuration import ImageConfig, SerializationSettings
from flytekit.models.task import TaskSpec
from flytekit.tools.translator import get_serializable


@task(  # type: ignore[untyped-decorator]  # flytekit types its decorator factory loosely
    retries=2,
    cache=True,
    cache_version="1.0",
    requests=Resources(cpu="500m", mem="1Gi"),
    limits=Resources(cpu="1", mem="2Gi"),
)
def normalize(values: list[float], scale: float = 1.0, label: str = "series") -> tuple[list[float], int]:
    """Scale a series of measurements.

    The body never runs in a benchmark; the signature, resources and cache settings give the template the
    shape of a typical `pyflyte register` payload.
    """
    return [value * scale for value in values], len(values)


def task_spec(project: str, domain: str, version: str = "v1") -> task_pb2.TaskSpec:
    """The admin TaskSpec `pyflyte register` would send for `normalize`."""
    settings = SerializationSettings(
        image_config=ImageConfig.auto_default_image(), project=project, domain=domain, version=version
    )
    collected: OrderedDict[Any, Any] = OrderedDict()
    get_serializable(collected, settings, normalize)
    (spec,) = [model for model in collected.values() if isinstance(model, TaskSpec)]
    proto: task_pb2.TaskSpec = spec.to_flyte_idl()
    return proto
