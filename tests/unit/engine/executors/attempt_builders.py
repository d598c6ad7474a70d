"""Task attempts laid out as the engine lays them out, for executor tests."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path

from flyteidl.core import literals_pb2, tasks_pb2

from flyteplane.engine.executors.base import TaskAttempt
from flyteplane.engine.executors.local import LocalExecutor

PUBLIC_URL = "http://flyteplane.test:30080"
REPO_ROOT = Path(__file__).resolve().parents[4]

MakeExecutor = Callable[..., LocalExecutor]


def shell_task(*argv: str, env: Mapping[str, str] | None = None, image: str = "local") -> tasks_pb2.TaskTemplate:
    return tasks_pb2.TaskTemplate(
        container=tasks_pb2.Container(
            image=image,
            args=list(argv),
            env=[literals_pb2.KeyValuePair(key=k, value=v) for k, v in (env or {}).items()],
        )
    )


class Attempts:
    """Builds TaskAttempts whose data, output and raw folders live under one temporary directory."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def data_dir(self, attempt_id: str) -> Path:
        return self.root / "data" / attempt_id

    def output_dir(self, attempt_id: str) -> Path:
        return self.data_dir(attempt_id) / "0"

    def make(
        self,
        attempt_id: str,
        task: tasks_pb2.TaskTemplate,
        *,
        inputs: literals_pb2.LiteralMap | None = None,
        env: Mapping[str, str] | None = None,
        timeout: timedelta | None = None,
    ) -> TaskAttempt:
        data = self.data_dir(attempt_id)
        data.mkdir(parents=True, exist_ok=True)
        (data / "inputs.pb").write_bytes((inputs or literals_pb2.LiteralMap()).SerializeToString())
        (data / "task.pb").write_bytes(task.SerializeToString())
        raw = self.root / "raw" / attempt_id
        return TaskAttempt(
            attempt_id=attempt_id,
            task=task,
            input_path=str(data / "inputs.pb"),
            input_prefix=str(data),
            output_prefix=str(self.output_dir(attempt_id)),
            raw_output_prefix=str(raw),
            checkpoint_prefix=str(raw / "_flytecheckpoints"),
            previous_checkpoint_prefix="",
            task_template_path=str(data / "task.pb"),
            env={"FLYTE_INTERNAL_EXECUTION_PROJECT": "flytesnacks", "FLYTE_INTERNAL_EXECUTION_DOMAIN": "development"}
            | dict(env or {}),
            timeout=timeout,
        )
