"""Terminating an execution whose task runs a long `sleep`: the execution ends ABORTED and the task's whole
process group is gone."""

from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path
from typing import Any

import pytest
from flows import sleeper
from tests.integration.engine.support import finish, phase_name, register, start
from tests.integration.server import RunningServer


def sleeping_pids(seconds: int) -> list[int]:
    """Processes whose command line is `sleep <seconds>`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if argv[:2] == [b"sleep", str(seconds).encode()]:
            found.append(int(entry.name))
    return found


def wait_for(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


@pytest.fixture(scope="module")
def long_nap(flyte: Any, project: str) -> Any:
    return register(flyte, project, sleeper.long_nap)


def test_terminating_a_long_sleep_aborts_it_and_kills_the_task_processes(
    flyte: Any, project: str, long_nap: Any, server: RunningServer
) -> None:
    seconds = random.randrange(40_000, 90_000)  # an odd length: the test finds its own `sleep` among the machine's
    execution = start(flyte, project, long_nap, seconds=seconds)
    wait_for(lambda: sleeping_pids(seconds), 60, "the task to start its sleep")
    sleeping = sleeping_pids(seconds)

    flyte.terminate(execution, cause="enough sleep")
    ended = finish(flyte, execution)
    assert phase_name(ended.closure.phase) == "ABORTED"
    assert ended.closure.abort_metadata.cause == "enough sleep"

    wait_for(lambda: not any(os.path.exists(f"/proc/{pid}") for pid in sleeping), 15, "the sleep to be killed")
    node = flyte.sync_execution(ended, sync_nodes=True).node_executions["n0"]
    assert phase_name(node.closure.phase, "node") == "ABORTED"
    (attempt,) = node.task_executions
    assert phase_name(attempt.closure.phase, "task") == "ABORTED"

    # The attempt's supervisor recorded how it ended and let go of the attempt.
    wait_for(
        lambda: len(list(server.home.glob(f"attempts/*{execution.id.name}*/exit.json"))) == 1,
        15,
        "the supervisor's exit record",
    )
    records = [json.loads(p.read_text()) for p in server.home.glob(f"attempts/*{execution.id.name}*/exit.json")]
    assert records[0]["stop"] == "terminate"
    assert not list(server.home.glob(f"attempts/.live/*{execution.id.name}*"))
