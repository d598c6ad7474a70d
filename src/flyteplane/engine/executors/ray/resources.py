"""A task's resource requests as a Ray job entrypoint's: CPUs, memory in bytes, GPUs.

Flyte states resources as Kubernetes quantities (`500m`, `2`, `1Gi`, `512M`). A request wins over a limit, as
the Kubernetes scheduler places a pod by its requests. A task that requests no CPU asks for one, as a Ray task
does by default: Ray's own default for entrypoints (no CPU) would start every attempt at once, wherever Ray likes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flyteidl.core import tasks_pb2

__all__ = ["DEFAULT_CPUS", "EntrypointResources", "InvalidQuantity", "entrypoint_resources", "quantity"]

DEFAULT_CPUS = 1.0

_QUANTITY = re.compile(r"^([+]?[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)([a-zA-Z]*)$")
_SUFFIXES = {
    "": 1.0,
    "m": 1e-3,
    "k": 1e3,
    "M": 1e6,
    "G": 1e9,
    "T": 1e12,
    "P": 1e15,
    "E": 1e18,
    "Ki": 2.0**10,
    "Mi": 2.0**20,
    "Gi": 2.0**30,
    "Ti": 2.0**40,
    "Pi": 2.0**50,
    "Ei": 2.0**60,
}


class InvalidQuantity(ValueError):
    """Not a Kubernetes quantity."""


@dataclass(frozen=True)
class EntrypointResources:
    num_cpus: float
    memory: int | None = None  # bytes
    num_gpus: float | None = None


def quantity(text: str) -> float:
    """A Kubernetes quantity as a number: `500m` is 0.5, `1Gi` is 1073741824."""
    match = _QUANTITY.match(text.strip())
    if match is None or match.group(2) not in _SUFFIXES:
        raise InvalidQuantity(f"[{text}] is not a resource quantity such as 500m, 2, 512Mi or 1G")
    return float(match.group(1)) * _SUFFIXES[match.group(2)]


def entrypoint_resources(task: tasks_pb2.TaskTemplate) -> EntrypointResources:
    """The entrypoint's resources from the task's container (requests first, then limits)."""
    wanted: dict[int, str] = {}
    if task.WhichOneof("target") == "container":
        resources = task.container.resources
        for entry in resources.limits:
            wanted[entry.name] = entry.value
        for entry in resources.requests:
            wanted[entry.name] = entry.value
    names = tasks_pb2.Resources.ResourceName
    cpus = quantity(wanted[names.CPU]) if wanted.get(names.CPU) else DEFAULT_CPUS
    memory = round(quantity(wanted[names.MEMORY])) if wanted.get(names.MEMORY) else None
    gpus = quantity(wanted[names.GPU]) if wanted.get(names.GPU) else None
    return EntrypointResources(num_cpus=cpus, memory=memory or None, num_gpus=gpus or None)
