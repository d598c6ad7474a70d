"""A task of Flyte's Ray type (task type `ray`, a RayJob in its custom field), as flytekitplugins-ray's
`@task(task_config=RayJobConfig(...))` serializes it; the plugin itself is not on the package index here, so this
is the same template built with flytekit and flyteidl. Its body joins the cluster and runs Ray tasks on it."""

from __future__ import annotations

import os
from typing import Any

from flyteidl.plugins import ray_pb2
from flytekit import workflow
from flytekit.configuration import SerializationSettings
from flytekit.core.python_function_task import PythonFunctionTask
from google.protobuf import json_format


class RayTask(PythonFunctionTask):  # type: ignore[misc]
    """What flytekitplugins-ray's RayFunctionTask serializes: task type `ray`, a RayJob, a runtime env."""

    _TASK_TYPE = "ray"

    def __init__(self, fn: Any, runtime_env_yaml: str, workers: int, **kwargs: Any) -> None:
        self._runtime_env_yaml = runtime_env_yaml
        self._workers = workers
        super().__init__(task_config=None, task_function=fn, task_type=self._TASK_TYPE, **kwargs)

    def get_custom(self, settings: SerializationSettings) -> dict[str, Any]:
        job = ray_pb2.RayJob(
            ray_cluster=ray_pb2.RayCluster(
                head_group_spec=ray_pb2.HeadGroupSpec(ray_start_params={"num-cpus": "0"}),
                worker_group_spec=[ray_pb2.WorkerGroupSpec(group_name="workers", replicas=self._workers)],
            ),
            runtime_env_yaml=self._runtime_env_yaml,
        )
        return json_format.MessageToDict(job)

    def pre_execute(self, user_params: Any) -> Any:
        import ray

        ray.init()  # RAY_ADDRESS, set by the Ray job, names the cluster (as the plugin's pre_execute does)
        return user_params


def _squares(n: int) -> list[int]:
    import ray

    @ray.remote(resources={"worker": 1})
    def square(x: int) -> int:
        return x * x

    return list(ray.get([square.remote(i) for i in range(n)]))


def squares(n: int) -> str:
    return f"{os.environ.get('GREETING', 'no greeting')} {sum(_squares(n))}"


# Named as its function, as @task does: flytekit's resolver finds the task by the function's module and name.
squares = RayTask(squares, runtime_env_yaml="env_vars:\n  GREETING: hello-from-runtime-env\n", workers=1)


@workflow
def squares_wf(n: int) -> str:
    return squares(n=n)
