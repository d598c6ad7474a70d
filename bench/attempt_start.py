"""What starting one task attempt costs: a fork of a warm interpreter against a new process.

The trivial task `bump` of bench/apps/benchflows/tiny.py (its code on PYTHONPATH, not fast-registered) runs as
attempts of a LocalExecutor on a temporary home, once with the warm pool and once without, and directly as a
`pyflyte-execute` subprocess laid out as the executor lays out an attempt. Timed: from submit to the attempt's
recorded end (the executor's own overhead included), one attempt at a time.
"""

from __future__ import annotations

import statistics
import subprocess
import tempfile
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any

from flyteidl.core import literals_pb2, tasks_pb2

from bench.flyteplane_column import APPS, DOMAIN, PROJECT, app_module, literals
from flyteplane.engine.executors.base import AttemptPhase, TaskAttempt
from flyteplane.engine.executors.environment import PythonEnvironments, attempt_environment
from flyteplane.engine.executors.local import LocalExecutor
from flyteplane.engine.executors.substitution import TemplateValues, render
from flyteplane.engine.executors.warm import WarmSettings

WARM_RUNS = 10
COLD_RUNS = 5
DEADLINE = 120.0


def template() -> tasks_pb2.TaskTemplate:
    """The TaskTemplate `pyflyte register` makes for `bump` (not fast-registered: the code is on PYTHONPATH)."""
    from flytekit.configuration import ImageConfig, SerializationSettings
    from flytekit.tools.translator import get_serializable

    settings = SerializationSettings(
        image_config=ImageConfig.auto_default_image(), project=PROJECT, domain=DOMAIN, version="direct"
    )
    spec = get_serializable(OrderedDict(), settings, app_module().bump)
    result: tasks_pb2.TaskTemplate = spec.template.to_flyte_idl()
    return result


def attempt(root: Path, task: tasks_pb2.TaskTemplate, name: str, x: int) -> TaskAttempt:
    data = root / name
    (data / "0").mkdir(parents=True)
    (data / "inputs.pb").write_bytes(literals({"x": x}).SerializeToString())
    (data / "task.pb").write_bytes(task.SerializeToString())
    return TaskAttempt(
        attempt_id=name,
        task=task,
        input_path=str(data / "inputs.pb"),
        input_prefix=str(data),
        output_prefix=str(data / "0"),
        raw_output_prefix=str(data / "raw"),
        checkpoint_prefix=str(data / "raw" / "_flytecheckpoints"),
        previous_checkpoint_prefix="",
        task_template_path=str(data / "task.pb"),
        env={"PYTHONPATH": str(APPS), "FLYTE_INTERNAL_EXECUTION_PROJECT": PROJECT},
    )


def executor_attempts(warm: bool, runs: int) -> tuple[list[float], list[str]]:
    task = template()
    seconds, problems = [], []
    with tempfile.TemporaryDirectory(prefix="flyteplane-bench-attempts-") as folder:
        root = Path(folder)
        settings = WarmSettings(prestart=True) if warm else None
        with LocalExecutor(
            root / "home", max_concurrency=2, python_envs=None, public_url="http://x", warm=settings
        ) as executor:
            if warm:  # its warm interpreter ready, as the server's is once it has started
                probe = attempt(root / "data", task, "probe", 0)
                executor.submit(probe)
                executor.wait("probe", DEADLINE)
            for index in range(runs):
                name = f"{'warm' if warm else 'cold'}-{index}"
                started = time.perf_counter()
                executor.submit(attempt(root / "data", task, name, index))
                status = executor.wait(name, DEADLINE)
                elapsed = time.perf_counter() - started
                outputs = root / "data" / name / "0" / "outputs.pb"
                if status.phase != AttemptPhase.SUCCEEDED or not outputs.exists():
                    problems.append(f"{name} ended {status.phase.value}: {status.message[:200]}")
                    continue
                seconds.append(elapsed)
    return seconds, problems


def direct_runs(runs: int) -> tuple[list[float], list[str]]:
    """`pyflyte-execute` as a subprocess, without any executor around it."""
    task = template()
    python = PythonEnvironments(None).for_image(task.container.image)
    seconds, problems = [], []
    with tempfile.TemporaryDirectory(prefix="flyteplane-bench-direct-") as folder:
        for index in range(runs + 1):
            spec = attempt(Path(folder), task, f"direct-{index}", index)
            values = TemplateValues.of(spec, f"{PROJECT}-{DOMAIN}")
            argv = render([*task.container.command, *task.container.args], values, literals_pb2.LiteralMap)
            env = attempt_environment(
                python,
                tmpdir=folder,
                base={},
                container_env={p.key: p.value for p in task.container.env},
                attempt_env=spec.env,
            )
            argv[0] = f"{python.bin_dir}/{argv[0]}"
            started = time.perf_counter()
            done = subprocess.run(argv, env=env, cwd=folder, capture_output=True, timeout=DEADLINE)
            elapsed = time.perf_counter() - started
            if done.returncode != 0 or not Path(spec.output_prefix, "outputs.pb").exists():
                problems.append(f"pyflyte-execute exited {done.returncode}: {done.stderr.decode()[-300:]}")
            elif index:  # the first run is a warm-up of the page cache
                seconds.append(elapsed)
    return seconds, problems


def measure() -> dict[str, Any]:
    warm, warm_problems = executor_attempts(True, WARM_RUNS)
    cold, cold_problems = executor_attempts(False, COLD_RUNS)
    direct, direct_problems = direct_runs(COLD_RUNS)

    def p50(values: list[float]) -> float | None:
        return round(statistics.median(values), 4) if values else None

    return {
        "warm_attempt_p50_seconds": p50(warm),
        "cold_attempt_p50_seconds": p50(cold),
        "pyflyte_execute_p50_seconds": p50(direct),
        "problems": warm_problems + cold_problems + direct_problems,
    }
