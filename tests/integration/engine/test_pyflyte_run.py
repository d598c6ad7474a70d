"""`pyflyte run --remote` end to end: the real CLI, as a subprocess with a config file pointing at the server,
registers the script's code, runs the workflow and waits for it — with flytekit's default 30 s poll interval
too, which a quick execution no longer costs (GetExecution waits for it in its first seconds)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.integration.engine.support import APPS, DOMAIN, assert_succeeded
from tests.integration.server import RunningServer
from tests.integration.support import unique

PYFLYTE = Path(sys.executable).with_name("pyflyte")


def test_pyflyte_run_remote_runs_a_workflow_and_waits_for_it(
    flyte: Any, project: str, server: RunningServer, tmp_path: Path
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(f"admin:\n  endpoint: dns:///{server.endpoint}\n  insecure: true\n")
    name = unique("cli")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLYTE_", "FLYTEPLANE_"))}
    completed = subprocess.run(
        [
            str(PYFLYTE),
            "--config",
            str(config),
            "run",
            "--remote",
            "--project",
            project,
            "--domain",
            DOMAIN,
            "--name",
            name,
            "--wait",
            "--poll-interval",
            "1",
            "flows/basics.py",
            "arithmetic",
            "--a",
            "20",
            "--b",
            "1",
        ],
        cwd=APPS,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert f"Execution {name} has succeeded" in completed.stdout

    execution = flyte.fetch_execution(project=project, domain=DOMAIN, name=name)
    assert_succeeded(execution)
    assert execution.spec.launch_plan.name == "flows.basics.arithmetic"
    assert execution.outputs["o0"] == 42
    assert execution.outputs["o1"] == "value=42"


def test_pyflyte_run_remote_wait_of_a_quick_workflow_ends_without_sleeping_the_poll_interval(
    flyte: Any, project: str, server: RunningServer, tmp_path: Path
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(f"admin:\n  endpoint: dns:///{server.endpoint}\n  insecure: true\n")
    name = unique("hello")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLYTE_", "FLYTEPLANE_"))}
    argv = [str(PYFLYTE), "--config", str(config), "run", "--remote", "--project", project, "--domain", DOMAIN]
    argv += ["--name", name, "--wait", "flows/basics.py", "arithmetic", "--a", "1", "--b", "2"]
    completed = subprocess.run(
        argv,
        cwd=APPS,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    exited = time.time()
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert f"Execution {name} has succeeded" in completed.stdout
    closure = flyte.fetch_execution(project=project, domain=DOMAIN, name=name).closure
    ended = closure.started_at.timestamp() + closure.duration.total_seconds()
    # pyflyte's own start-up may be slow on a loaded machine; what must not happen is a 30 s sleep after the end.
    assert exited - ended < 15, f"pyflyte run exited {exited - ended:.1f} s after its execution ended"
