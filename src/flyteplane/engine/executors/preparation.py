"""Turns a TaskAttempt into what the supervisor runs: the rendered command line, its environment, its limits.

Everything is decided at submit and written to the attempt's `spec.json`, so a restarted server can start a
queued attempt without the engine's help. Fast-registered code is named here (the bundle cache's folder for its
URL goes on PYTHONPATH; the executor fetches it before the attempt starts, off the engine's threads), and the task
command runs without the `pyflyte-fast-execute` wrapper process (see fast.py). Nothing here touches the network.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import fsspec
from flyteidl.core import literals_pb2

from flyteplane.engine.executors.attempt_files import AttemptFiles
from flyteplane.engine.executors.base import TaskAttempt
from flyteplane.engine.executors.bundles import BundleCache, BundleRefused
from flyteplane.engine.executors.command import NotRunnable, container_of, with_dest_dir
from flyteplane.engine.executors.environment import PythonEnvironments, attempt_environment
from flyteplane.engine.executors.fast import python_path, unwrap_fast_execute
from flyteplane.engine.executors.substitution import TemplateError, TemplateValues, render

__all__ = ["attempt_spec", "load_inputs"]


def attempt_spec(
    attempt: TaskAttempt,
    files: AttemptFiles,
    *,
    pythons: PythonEnvironments,
    base_env: Mapping[str, str],
    grace: float,
    queued_at: float,
    bundles: BundleCache,
) -> tuple[dict[str, Any], str | None]:
    """The spec, and why the attempt cannot run at all (None when it can; the spec then has argv and env)."""
    spec: dict[str, Any] = {
        "queued_at": queued_at,
        "timeout": attempt.timeout.total_seconds() if attempt.timeout else None,
        "grace": grace,
        "cwd": str(files.work),
    }
    try:
        container = container_of(attempt.task)
        project = attempt.env.get("FLYTE_INTERNAL_EXECUTION_PROJECT", "")
        domain = attempt.env.get("FLYTE_INTERNAL_EXECUTION_DOMAIN", "")
        values = TemplateValues.of(attempt, f"{project}-{domain}" if project else "")
        argv = render(container.argv, values, lambda: load_inputs(attempt.input_path, bundles.storage_options))
    except (NotRunnable, TemplateError) as e:
        return spec, str(e)
    env = attempt_environment(
        pythons.for_image(container.image),
        tmpdir=str(files.tmp),
        base=base_env,
        container_env=container.env,
        attempt_env=attempt.env,
    )
    fast = unwrap_fast_execute(argv, str(files.work))
    if fast is None:
        spec["argv"] = with_dest_dir(argv, str(files.work))
    else:
        code_dir = str(files.work)
        if fast.distribution:
            try:
                bundle = bundles.locate(fast.distribution)
            except BundleRefused as e:
                return spec, str(e)
            spec["bundle"] = {"url": bundle.url, "digest": bundle.digest, "dir": bundle.dir}
            code_dir = bundle.dir
            fast = unwrap_fast_execute(argv, code_dir) or fast
        spec["argv"] = fast.argv
        env["PYTHONPATH"] = python_path(env.get("PYTHONPATH"), code_dir)
    spec["image"] = container.image
    spec["env"] = env
    return spec, None


def load_inputs(path: str, storage_options: Mapping[str, Any] | None = None) -> literals_pb2.LiteralMap:
    """The attempt's inputs, from the blob store (`storage_options`: how fsspec reaches an object store)."""
    try:
        with fsspec.open(path, "rb", **(storage_options or {})) as f:
            data = f.read()
        return literals_pb2.LiteralMap.FromString(data)
    except Exception as e:  # OSError, DecodeError, or an object store's own (e.g. botocore's missing credentials)
        raise TemplateError(f"unable to read inputs [{path}]: {type(e).__name__}: {e}") from None
