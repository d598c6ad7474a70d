"""Helpers the engine tests share: the apps on sys.path, registering them, running executions quickly, and
reading what an execution left behind (node executions, task executions, their data)."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from flytekit.remote import FlyteRemote

APPS = Path(__file__).parent / "apps"
DOMAIN = "development"
VERSION = "v1"
POLL = timedelta(seconds=0.2)
DEADLINE = timedelta(seconds=300)  # a test that waits longer has found a hang
PROMPT = 60.0  # seconds for a gate to be reached (a task may run before it)


def use_engine_apps() -> None:
    """`import flows` as pyflyte would from the apps folder, so entity names are `flows.<module>.<name>`."""
    if str(APPS) not in sys.path:
        sys.path.insert(0, str(APPS))


class QuickRemote(FlyteRemote):  # type: ignore[misc]
    """FlyteRemote whose `wait` (also the one `execute(wait=True)` calls) polls every 0.2 s instead of every
    30 s, and gives up after five minutes instead of never."""

    def wait(
        self,
        execution: Any,
        timeout: Any = None,
        poll_interval: Any = None,
        sync_nodes: bool = True,
    ) -> Any:
        return super().wait(
            execution, timeout=timeout or DEADLINE, poll_interval=poll_interval or POLL, sync_nodes=sync_nodes
        )


def register(remote: FlyteRemote, project: str, entity: Any) -> Any:
    """Fast-registers `entity` (and what it uses) from the apps folder, as `pyflyte register` would."""
    return remote.register_script(
        entity,
        project=project,
        domain=DOMAIN,
        version=VERSION,
        source_path=str(APPS),
        copy_all=True,
    )


def start(remote: FlyteRemote, project: str, entity: Any, **inputs: Any) -> Any:
    """Starts an execution without waiting."""
    return remote.execute(entity, inputs=inputs, project=project, domain=DOMAIN, wait=False)


def finish(remote: FlyteRemote, execution: Any) -> Any:
    """Waits for the execution's end. Nodes are not synced on every poll (that is many calls per poll): tests
    that look at them sync once at the end."""
    return remote.wait(execution, sync_nodes=False)


def run(remote: FlyteRemote, project: str, entity: Any, **inputs: Any) -> Any:
    """Starts an execution and waits for its end."""
    return finish(remote, start(remote, project, entity, **inputs))


def phase_name(phase: int, kind: str = "workflow") -> str:
    from flyteidl.core import execution_pb2

    enum = {
        "workflow": execution_pb2.WorkflowExecution.Phase,
        "node": execution_pb2.NodeExecution.Phase,
        "task": execution_pb2.TaskExecution.Phase,
    }[kind]
    return str(enum.Name(phase))


def error_of(execution: Any) -> str:
    error = execution.closure.error
    return f"{error.code}: {error.message}" if error is not None else ""


def assert_succeeded(execution: Any) -> None:
    phase = phase_name(execution.closure.phase)
    assert phase == "SUCCEEDED", f"{execution.id.name} ended {phase}: {error_of(execution)}"


def wait_for_signal(flyte: Any, project: str, execution: Any, signal_id: str) -> Any:
    """Polls ListSignals until the gate node has created its signal."""
    import time

    deadline = time.monotonic() + PROMPT
    while time.monotonic() < deadline:
        for signal in flyte.list_signals(execution.id.name, project=project, domain=DOMAIN):
            if signal.id.signal_id == signal_id:
                return signal
        time.sleep(0.1)
    raise AssertionError(f"signal {signal_id} was never created for {execution.id.name}")
