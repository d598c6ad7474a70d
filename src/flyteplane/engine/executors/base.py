"""The executor interface: the engine submits task attempts, polls their status, terminates them.

Everything an executor needs to run an attempt is in `TaskAttempt`; everything the engine learns back is in
`AttemptStatus`. Outputs are not passed back: the task writes `outputs.pb` / `error.pb` / `futures.pb` under
`output_prefix` and the engine reads them there, as propeller does.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from flyteidl.core import execution_pb2, tasks_pb2

__all__ = ["CONTAINER_TASK_TYPES", "AttemptPhase", "AttemptStatus", "Executor", "TaskAttempt", "log_link"]


CONTAINER_TASK_TYPES = frozenset({"python-task", "container", "raw-container", "sidecar", "ray"})
"""Task types whose templates name a container (or a pod's primary container) that runs the task itself."""


class AttemptPhase(enum.Enum):
    QUEUED = "QUEUED"  # accepted, waiting for a slot
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"  # the process exited 0 (the task may still have written error.pb)
    FAILED = "FAILED"  # non-zero exit, killed, or could not start
    ABORTED = "ABORTED"  # terminated on request
    LOST = "LOST"  # the executor has no record or the process vanished without an exit status

    @property
    def terminal(self) -> bool:
        return self not in (AttemptPhase.QUEUED, AttemptPhase.RUNNING)


@dataclass(frozen=True)
class TaskAttempt:
    """One attempt of one task node. `attempt_id` is unique and stable across server restarts."""

    attempt_id: str
    task: tasks_pb2.TaskTemplate  # with the execution's resource/env overrides applied
    input_path: str  # {{.Input}}: <data dir>/inputs.pb
    input_prefix: str  # {{.InputPrefix}}: the data dir
    output_prefix: str  # {{.OutputPrefix}}: where outputs.pb / error.pb / futures.pb go
    raw_output_prefix: str  # {{.RawOutputDataPrefix}}
    checkpoint_prefix: str  # {{.CheckpointOutputPrefix}}
    previous_checkpoint_prefix: str  # {{.PrevCheckpointPrefix}}; "" when none
    task_template_path: str  # {{.TaskTemplatePath}}
    env: Mapping[str, str] = field(default_factory=dict)  # FLYTE_INTERNAL_* and the execution's envs
    timeout: timedelta | None = None  # the executor kills the attempt after this long
    interruptible: bool = False


@dataclass(frozen=True)
class AttemptStatus:
    phase: AttemptPhase
    exit_code: int | None = None
    message: str = ""
    started_at: datetime | None = None
    finished_at: datetime | None = None
    logs: tuple[execution_pb2.TaskLog, ...] = ()  # links shown on the task execution (stdout, stderr)
    timed_out: bool = False


def log_link(name: str, uri: str) -> execution_pb2.TaskLog:
    return execution_pb2.TaskLog(name=name, uri=uri, message_format=execution_pb2.TaskLog.UNKNOWN)


class Executor(Protocol):
    """Runs task attempts. Implementations must be safe to call from several threads and must keep enough on disk
    (or in their backend) that a restarted server can still ask about attempts submitted before it died."""

    def submit(self, attempt: TaskAttempt) -> None:
        """Starts (or queues) the attempt. Submitting an attempt_id that is already known does nothing."""

    def status(self, attempt_id: str) -> AttemptStatus:
        """The attempt's current phase; LOST if the executor knows nothing of it."""

    def terminate(self, attempt_id: str) -> None:
        """Stops the attempt and everything it started; terminal attempts are left alone."""

    def live(self) -> list[str]:
        """attempt_ids that are queued or running."""

    def release(self, attempt_id: str) -> None:
        """The engine has consumed the result; the executor may forget the attempt (logs stay readable)."""
