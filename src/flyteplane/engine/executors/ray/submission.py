"""A task attempt as a Ray job submission: the entrypoint, its resources, its runtime environment, its metadata.

The entrypoint is the command the local executor runs (command.py, substitution.py), fast-registered code included
(`pyflyte-fast-execute` unpacks the bundle itself on the node), run by `/bin/sh` in a fresh folder of the node's
temporary directory that goes away with it: concurrent jobs never share a working directory. The task's Python is
the one `python_envs` maps its image to, at the same path on every Ray node (its `bin/` leads the node's PATH).

The runtime environment carries only variables: the configured base, the container's and the engine's. A task of
Flyte's Ray type (flytekitplugins-ray's `RayJobConfig`, task type `ray`) adds its own runtime environment; the
cluster it describes (head and worker groups) is the Ray cluster the server points at, so those settings are not
the Jobs API's to honour. The metadata names the engine that submitted the job (a restarted one adopts its jobs)
and the attempt's timeout, which the executor enforces (the Jobs API has none).
"""

from __future__ import annotations

import base64
import binascii
import json
import shlex
from collections.abc import Mapping
from typing import Any

import yaml
from flyteidl.core import tasks_pb2
from google.protobuf import json_format

from flyteplane.engine.executors.base import TaskAttempt
from flyteplane.engine.executors.command import container_of, with_dest_dir
from flyteplane.engine.executors.environment import PythonEnvironments
from flyteplane.engine.executors.preparation import load_inputs
from flyteplane.engine.executors.ray.resources import entrypoint_resources
from flyteplane.engine.executors.substitution import TemplateValues, render

__all__ = [
    "OWNER_KEY",
    "RAY_TASK_TYPE",
    "TIMEOUT_KEY",
    "InvalidRayTask",
    "entrypoint",
    "job_request",
    "task_runtime_env",
]

OWNER_KEY = "flyteplane_owner"
TIMEOUT_KEY = "flyteplane_timeout"
TASK_KEY = "flyteplane_task"
RAY_TASK_TYPE = "ray"
_DEST_DIR = "@@flyteplane-job-dir@@"  # stands for the job's own folder in the rendered command line


class InvalidRayTask(ValueError):
    """A `ray` task's runtime environment cannot be read."""


def job_request(
    attempt: TaskAttempt,
    *,
    owner: str,
    pythons: PythonEnvironments,
    base_env: Mapping[str, str],
    storage_options: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The body of `POST /api/jobs/`. Raises NotRunnable, TemplateError, InvalidQuantity or InvalidRayTask when
    the attempt cannot run at all. `storage_options`: how fsspec reaches the blob store (an object store's
    endpoint and credentials), for the inputs a command line's templates name."""
    container = container_of(attempt.task)
    project = attempt.env.get("FLYTE_INTERNAL_EXECUTION_PROJECT", "")
    domain = attempt.env.get("FLYTE_INTERNAL_EXECUTION_DOMAIN", "")
    values = TemplateValues.of(attempt, f"{project}-{domain}" if project else "")
    argv = with_dest_dir(
        render(container.argv, values, lambda: load_inputs(attempt.input_path, storage_options)), _DEST_DIR
    )
    python = pythons.for_image(container.image)
    env: dict[str, str] = {"PYTHONUNBUFFERED": "1"}
    if python.virtualenv:
        env["VIRTUAL_ENV"] = python.virtualenv
    env.update(base_env)
    env.update(container.env)
    env.update(attempt.env)
    env["PATH"] = f"{python.bin_dir}:${{PATH}}"  # Ray expands ${PATH} to the node's own
    runtime_env = task_runtime_env(attempt.task)
    runtime_env["env_vars"] = {**dict(runtime_env.get("env_vars") or {}), **env}
    resources = entrypoint_resources(attempt.task)
    request: dict[str, Any] = {
        "submission_id": attempt.attempt_id,
        "entrypoint": entrypoint(argv),
        "runtime_env": runtime_env,
        "metadata": {
            OWNER_KEY: owner,
            TIMEOUT_KEY: str(attempt.timeout.total_seconds()) if attempt.timeout else "",
            TASK_KEY: attempt.task.id.name,
        },
        "entrypoint_num_cpus": resources.num_cpus,
    }
    if resources.memory is not None:
        request["entrypoint_memory"] = resources.memory
    if resources.num_gpus is not None:
        request["entrypoint_num_gpus"] = resources.num_gpus
    return request


def entrypoint(argv: list[str]) -> str:
    """A `/bin/sh` line running `argv` in a folder of its own (also its TMPDIR), removed when it ends."""
    command = " ".join('"$d"' if arg == _DEST_DIR else shlex.quote(arg) for arg in argv)
    return (
        'd=$(mktemp -d "${TMPDIR:-/tmp}/flyteplane-XXXXXXXX") || exit 1; '
        f'cd "$d" && TMPDIR="$d" {command}; s=$?; cd / && rm -rf "$d"; exit $s'
    )


def task_runtime_env(task: tasks_pb2.TaskTemplate) -> dict[str, Any]:
    """The runtime environment a `ray` task declares (runtime_env_yaml, else the base64 runtime_env); {} else."""
    if task.type != RAY_TASK_TYPE or not task.HasField("custom"):
        return {}
    custom = json_format.MessageToDict(task.custom)
    text = custom.get("runtimeEnvYaml") or custom.get("runtime_env_yaml")
    encoded = custom.get("runtimeEnv") or custom.get("runtime_env")
    try:
        if text:
            loaded = yaml.safe_load(text)
        elif encoded:
            loaded = json.loads(base64.b64decode(encoded))
        else:
            return {}
    except (yaml.YAMLError, ValueError, binascii.Error) as e:
        raise InvalidRayTask(f"task [{task.id.name}]: its Ray runtime environment cannot be read: {e}") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise InvalidRayTask(f"task [{task.id.name}]: its Ray runtime environment is not a mapping")
    return dict(loaded)
