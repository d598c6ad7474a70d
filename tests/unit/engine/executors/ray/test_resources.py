"""A task's requests (or limits) as a Ray entrypoint's CPUs, memory in bytes and GPUs."""

from __future__ import annotations

import pytest
from flyteidl.core import tasks_pb2

from flyteplane.engine.executors.ray.resources import (
    DEFAULT_CPUS,
    EntrypointResources,
    InvalidQuantity,
    entrypoint_resources,
    quantity,
)

Name = tasks_pb2.Resources.ResourceName


@pytest.mark.parametrize(
    ("text", "value"),
    [("500m", 0.5), ("2", 2.0), ("1.5", 1.5), ("1Gi", 2.0**30), ("512Mi", 512 * 2.0**20), ("1G", 1e9), ("1e3", 1e3)],
)
def test_kubernetes_quantities(text: str, value: float) -> None:
    assert quantity(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "lots", "1Zi", "-1", "1 Gi"])
def test_what_is_no_quantity_says_so(text: str) -> None:
    with pytest.raises(InvalidQuantity, match="not a resource quantity"):
        quantity(text)


def _task(requests: dict[int, str], limits: dict[int, str] | None = None) -> tasks_pb2.TaskTemplate:
    def entries(values: dict[int, str]) -> list[tasks_pb2.Resources.ResourceEntry]:
        return [tasks_pb2.Resources.ResourceEntry(name=k, value=v) for k, v in values.items()]

    resources = tasks_pb2.Resources(requests=entries(requests), limits=entries(limits or {}))
    return tasks_pb2.TaskTemplate(container=tasks_pb2.Container(image="x", args=["true"], resources=resources))


def test_requests_win_over_limits_and_no_cpu_request_is_one_cpu() -> None:
    assert entrypoint_resources(_task({})) == EntrypointResources(num_cpus=DEFAULT_CPUS)
    got = entrypoint_resources(_task({Name.CPU: "250m", Name.MEMORY: "1Gi"}, {Name.CPU: "2", Name.GPU: "1"}))
    assert got == EntrypointResources(num_cpus=0.25, memory=2**30, num_gpus=1.0)
