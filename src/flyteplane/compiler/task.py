"""Task compilation (flyteadmin §2.2 step 4): structural checks a task template must pass to be registered."""

from __future__ import annotations

import re
from typing import Any

from flyteidl.core import compiler_pb2, tasks_pb2

from flyteplane.compiler.errors import ErrorCollector, invalid_value, unrecognized_value, value_required
from flyteplane.compiler.json_schema import struct_to_json

__all__ = ["compile_task", "is_resource_quantity"]

# Kubernetes resource quantity: a signed decimal number with an optional binary/decimal SI suffix or exponent.
_QUANTITY = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[KMGTPE]i|[numkMGTPE]|[eE][+-]?\d+)?")
_DNS1123_LABEL = re.compile(r"[a-z0-9](?:[-a-z0-9]*[a-z0-9])?")
_DNS1123_LABEL_MAX = 63
_RESOURCE_NAMES = frozenset(tasks_pb2.Resources.ResourceName.values())


def compile_task(template: tasks_pb2.TaskTemplate) -> compiler_pb2.CompiledTask:
    """Validates a task template and wraps it as a CompiledTask; raises CompileErrors with every problem."""
    errors = ErrorCollector()
    if not template.HasField("id"):
        errors.collect(value_required("root", "Id"))
    target = template.WhichOneof("target")
    if target == "container":
        _validate_container(template, errors)
    elif target == "k8s_pod":
        _validate_k8s_pod(template.k8s_pod, errors)
    errors.raise_if_any()
    compiled = compiler_pb2.CompiledTask()
    compiled.template.CopyFrom(template)
    return compiled


def is_resource_quantity(value: str) -> bool:
    """Whether Kubernetes would parse the value as a resource quantity (e.g. `500m`, `1.5Gi`, `2`)."""
    return _QUANTITY.fullmatch(value) is not None


def _validate_container(template: tasks_pb2.TaskTemplate, errors: ErrorCollector) -> None:
    container = template.container
    interface = template.interface
    has_data = bool(interface.inputs.variables) or bool(interface.outputs.variables)
    # A task that takes or produces data needs a command that knows where to read and write it.
    if has_data and not container.command and not container.args:
        errors.collect(value_required("container", "command"))
    if not container.image:
        errors.collect(value_required("container", "image"))
    for entry in [*container.resources.requests, *container.resources.limits]:
        if not is_resource_quantity(entry.value):
            name = tasks_pb2.Resources.ResourceName.Name(entry.name) if entry.name in _RESOURCE_NAMES else entry.name
            errors.collect(unrecognized_value(f"resources.{name}", entry.value))


def _validate_k8s_pod(pod: tasks_pb2.K8sPod, errors: ErrorCollector) -> None:
    if not pod.HasField("pod_spec"):
        errors.collect(invalid_value("root", "k8s pod spec"))
        return
    containers: Any = struct_to_json(pod.pod_spec).get("containers", [])
    if not isinstance(containers, list) or not all(isinstance(c, dict) for c in containers):
        errors.collect(invalid_value("root", "k8s pod spec"))
        return
    for container in containers:
        name = container.get("name", "")
        if not isinstance(name, str):
            errors.collect(invalid_value("root", "k8s pod spec"))
        elif len(name) > _DNS1123_LABEL_MAX or _DNS1123_LABEL.fullmatch(name) is None:
            errors.collect(invalid_value("root", "k8s pod spec container name"))
