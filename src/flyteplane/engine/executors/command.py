"""What a task template asks to run: its primary container's image, command line and env.

Python tasks carry a `container`; pod-template tasks carry the same inside `k8s_pod.pod_spec` (a Struct holding
a Kubernetes PodSpec) as the primary container. Fast-registered code is unpacked by `pyflyte-fast-execute`
into `--dest-dir`, which is pointed at the attempt's own working directory so concurrent attempts never share
one, and never write into /root.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flyteidl.core import tasks_pb2
from google.protobuf import json_format

__all__ = ["NotRunnable", "TaskContainer", "container_of", "with_dest_dir"]

FAST_EXECUTE = "pyflyte-fast-execute"
DEST_DIR = "--dest-dir"


class NotRunnable(Exception):
    """The task template has nothing a local process can run."""


@dataclass(frozen=True)
class TaskContainer:
    image: str
    argv: list[str]  # command + args, not yet rendered
    env: Mapping[str, str] = field(default_factory=dict)


def container_of(task: tasks_pb2.TaskTemplate) -> TaskContainer:
    target = task.WhichOneof("target")
    if target == "container":
        container = task.container
        argv = [*container.command, *container.args]
        env = {pair.key: pair.value for pair in container.env}
        return _checked(TaskContainer(container.image, argv, env), task)
    if target == "k8s_pod":
        return _checked(_primary_container(task), task)
    raise NotRunnable(f"task [{task.id.name}] of type [{task.type}] has no container to run locally")


def _checked(container: TaskContainer, task: tasks_pb2.TaskTemplate) -> TaskContainer:
    if not container.argv:
        raise NotRunnable(f"task [{task.id.name}] has an empty command")
    return container


def _primary_container(task: tasks_pb2.TaskTemplate) -> TaskContainer:
    spec: dict[str, Any] = json_format.MessageToDict(task.k8s_pod.pod_spec)
    containers = [c for c in spec.get("containers") or [] if isinstance(c, dict)]
    name = task.k8s_pod.primary_container_name or task.config.get("primary_container_name", "")
    chosen = next((c for c in containers if c.get("name") == name), None)
    if chosen is None and len(containers) == 1:
        chosen = containers[0]
    if chosen is None:
        raise NotRunnable(f"task [{task.id.name}]: the pod spec has no primary container [{name}]")
    env = {
        str(item["name"]): str(item.get("value", ""))
        for item in chosen.get("env") or []
        if isinstance(item, dict) and "name" in item
    }
    argv = [str(a) for a in [*(chosen.get("command") or []), *(chosen.get("args") or [])]]
    return TaskContainer(str(chosen.get("image", "")), argv, env)


def with_dest_dir(argv: Sequence[str], dest_dir: str) -> list[str]:
    """`pyflyte-fast-execute ... --dest-dir <x> -- ...` with `<x>` replaced (or added) before the `--`."""
    result = list(argv)
    start = next((i for i, arg in enumerate(result) if os.path.basename(arg) == FAST_EXECUTE), None)
    if start is None:
        return result
    end = result.index("--", start) if "--" in result[start:] else len(result)
    for i in range(start + 1, end):
        if result[i] == DEST_DIR and i + 1 < end:
            result[i + 1] = dest_dir
            return result
        if result[i].startswith(DEST_DIR + "="):
            result[i] = f"{DEST_DIR}={dest_dir}"
            return result
    result[start + 1 : start + 1] = [DEST_DIR, dest_dir]
    return result
