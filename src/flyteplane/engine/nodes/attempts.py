"""Task attempts, shared by task and array nodes: what the executor is handed for one attempt (paths, Flyte's
environment, timeout, instance class) and what the attempt's output folder says happened (§8.3, §8.5)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flyteidl.core import errors_pb2, execution_pb2, tasks_pb2

from flyteplane.engine.context import RoundContext
from flyteplane.engine.errors import NodeFailure
from flyteplane.engine.executors.base import AttemptPhase, AttemptStatus, TaskAttempt
from flyteplane.engine.ids import attempt_id, raw_output_shard
from flyteplane.engine.nodes import common
from flyteplane.engine.place import NodePlace

__all__ = [
    "CHECK_INTERVAL",
    "build_attempt",
    "is_interruptible",
    "platform_environment",
    "read_outcome",
    "task_environment",
    "timeout_of",
]

CHECK_INTERVAL = 2.0  # seconds between status polls when the executor gives no wake-up


def timeout_of(place: NodePlace, task: tasks_pb2.TaskTemplate) -> timedelta | None:
    duration = place.node.metadata.timeout if place.node.metadata.HasField("timeout") else task.metadata.timeout
    seconds = duration.seconds + duration.nanos / 1e9
    return timedelta(seconds=seconds) if seconds > 0 else None


def platform_environment(public_url: str) -> dict[str, str]:
    """Where a task reaches this control plane (FlyteRemote inside a task, eager tasks), as Flyte's deployments
    set it on task pods: gRPC and HTTP share the server's one port, so the endpoint is the advertised URL's
    host:port; plain http means an insecure channel."""
    parts = urlsplit(public_url)
    if not parts.netloc:
        return {}
    return {"FLYTE_PLATFORM_URL": parts.netloc, "FLYTE_PLATFORM_INSECURE": str(parts.scheme == "http")}


def task_environment(ctx: RoundContext, task: tasks_pb2.TaskTemplate, attempt: int) -> dict[str, str]:
    """The FLYTE_INTERNAL_* variables propeller sets, the control plane's endpoint, then the execution's own envs
    (which may override the endpoint) (§8.3)."""
    execution = ctx.execution
    workflow = execution.closure.primary.template.id
    env = {
        "FLYTE_INTERNAL_EXECUTION_WORKFLOW": f"{workflow.project}:{workflow.domain}:{workflow.name}",
        "FLYTE_INTERNAL_EXECUTION_ID": execution.id.name,
        "FLYTE_INTERNAL_EXECUTION_PROJECT": execution.id.project,
        "FLYTE_INTERNAL_EXECUTION_DOMAIN": execution.id.domain,
        "FLYTE_ATTEMPT_NUMBER": str(attempt),
        "FLYTE_INTERNAL_TASK_PROJECT": task.id.project,
        "FLYTE_INTERNAL_TASK_DOMAIN": task.id.domain,
        "FLYTE_INTERNAL_TASK_NAME": task.id.name,
        "FLYTE_INTERNAL_TASK_VERSION": task.id.version,
        "FLYTE_INTERNAL_PROJECT": task.id.project,
        "FLYTE_INTERNAL_DOMAIN": task.id.domain,
        "FLYTE_INTERNAL_NAME": task.id.name,
        "FLYTE_INTERNAL_VERSION": task.id.version,
        **platform_environment(ctx.public_url),
    }
    for pair in execution.spec.envs.values:
        env[pair.key] = pair.value
    return env


def is_interruptible(ctx: RoundContext, place: NodePlace, system_failures: int) -> bool:
    """Node setting, else the execution's override, else the workflow's default (§8.5); a node that already had
    as many system failures as Flyte allows runs on a regular instance from then on."""
    metadata = place.node.metadata
    if metadata.WhichOneof("interruptible_value") == "interruptible":
        wanted = bool(metadata.interruptible)
    elif ctx.execution.spec.HasField("interruptible"):
        wanted = bool(ctx.execution.spec.interruptible.value)
    else:
        wanted = bool(ctx.execution.closure.primary.template.metadata_defaults.interruptible)
    return wanted and system_failures < common.MAX_SYSTEM_FAILURES


def build_attempt(
    ctx: RoundContext,
    place: NodePlace,
    task: tasks_pb2.TaskTemplate,
    attempt: int,
    *,
    output_dir: str,
    input_key: str,
    suffix: str = "",
    extra_env: dict[str, str] | None = None,
    attempt_system_failures: int = 0,
) -> TaskAttempt:
    execution = ctx.execution
    blobs = ctx.blobs
    template_key = f"{place.data_dir}/task.pb"
    if not blobs.exists(template_key):
        blobs.put_bytes(template_key, task.SerializeToString())
    unique = f"{execution.id.name}-{place.unique_id}{suffix}-{attempt}"
    raw = f"{execution.raw_output_prefix.rstrip('/')}/{raw_output_shard(unique)}/{unique}"
    checkpoint = f"{raw}/_flytecheckpoints"
    previous = ""
    if attempt > 0:
        previous_unique = f"{execution.id.name}-{place.unique_id}{suffix}-{attempt - 1}"
        previous = (
            f"{execution.raw_output_prefix.rstrip('/')}/{raw_output_shard(previous_unique)}/{previous_unique}"
            "/_flytecheckpoints"
        )
    env = task_environment(ctx, task, attempt)
    env.update(extra_env or {})
    return TaskAttempt(
        attempt_id=attempt_id(
            execution.id.project, execution.id.domain, execution.id.name, place.unique_id + suffix, attempt
        ),
        task=task,
        input_path=blobs.native_url(input_key),
        input_prefix=blobs.native_url(place.data_dir),
        output_prefix=blobs.native_url(output_dir),
        raw_output_prefix=raw,
        checkpoint_prefix=checkpoint,
        previous_checkpoint_prefix=previous,
        task_template_path=blobs.native_url(template_key),
        env=env,
        timeout=timeout_of(place, task),
        interruptible=is_interruptible(ctx, place, attempt_system_failures),
    )


def read_outcome(
    ctx: RoundContext, task: tasks_pb2.TaskTemplate, status: AttemptStatus, output_dir: str
) -> tuple[str, NodeFailure | None]:
    """("outputs" | "futures" | "failed", failure) from what the attempt left behind (§8.5)."""
    blobs = ctx.blobs
    error_key = f"{output_dir}/error.pb"
    if status.phase == AttemptPhase.SUCCEEDED and blobs.exists(error_key):
        document = errors_pb2.ErrorDocument.FromString(blobs.get_bytes(error_key))
        error = document.error
        kind = "SYSTEM" if error.origin == execution_pb2.ExecutionError.SYSTEM else "USER"
        return "failed", NodeFailure(
            error.code or "UserError",
            error.message,
            kind=kind,
            retryable=error.kind == errors_pb2.ContainerError.RECOVERABLE,
        )
    if status.phase == AttemptPhase.SUCCEEDED:
        if blobs.exists(f"{output_dir}/futures.pb"):
            return "futures", None
        if task.interface.outputs.variables and not blobs.exists(f"{output_dir}/outputs.pb"):
            return "failed", NodeFailure(
                "OutputsNotFound",
                f"Outputs not generated by task execution; expected them at {blobs.native_url(output_dir)}",
                kind="SYSTEM",
                retryable=True,
            )
        return "outputs", None
    if status.timed_out:
        return "failed", NodeFailure(
            "TimeoutExpired", status.message or "task execution timeout expired", retryable=True
        )
    if status.phase == AttemptPhase.LOST:
        return "failed", NodeFailure(
            "Interrupted", status.message or "the task process was lost", kind="SYSTEM", retryable=True
        )
    if status.phase == AttemptPhase.ABORTED:
        return "failed", NodeFailure(
            "Aborted", status.message or "the task process was terminated", kind="SYSTEM", retryable=True
        )
    return "failed", NodeFailure(
        "ContainerFailed",
        status.message or f"the task process exited with code {status.exit_code}",
        retryable=True,
    )
