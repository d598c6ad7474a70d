"""The Ray executor: task attempts as jobs on a Ray cluster, through its Jobs API (see executor.py)."""

from flyteplane.engine.executors.ray.executor import RayExecutor

__all__ = ["RayExecutor"]
