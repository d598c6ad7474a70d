"""Durability: kill -9 the server while a twenty-node workflow runs (with task attempts in flight, forked from the
warm pool), start it again on the same home and database, and the execution carries on to SUCCEEDED with the right
outputs — no node or task execution duplicated, nothing recorded before the crash lost, no task process left
behind."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from flows import chain
from flyteidl.admin import execution_pb2, node_execution_pb2, task_execution_pb2
from flyteidl.core import execution_pb2 as core_execution_pb2
from flyteidl.core import identifier_pb2
from flyteidl.service import admin_pb2_grpc
from tests.integration.engine.support import DOMAIN, QuickRemote, assert_succeeded, finish, register, start
from tests.integration.server import RunningServer, start_server
from tests.integration.support import new_project
from tests.postgres import temporary_database

NodePhase = core_execution_pb2.NodeExecution.Phase
TASK_NODES = [f"n{i}" for i in range(20)]


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest) -> Iterator[str]:
    """A database of this test's own ("" is SQLite in the server's home)."""
    if request.param == "sqlite":
        yield ""
        return
    with temporary_database() as url:
        yield url


def remote_of(server: RunningServer) -> Any:
    return QuickRemote.for_endpoint(
        server.endpoint, insecure=True, default_project="flytesnacks", default_domain=DOMAIN
    )


def node_executions(stub: Any, execution: identifier_pb2.WorkflowExecutionIdentifier) -> dict[str, Any]:
    listed = stub.ListNodeExecutions(
        node_execution_pb2.NodeExecutionListRequest(workflow_execution_id=execution, limit=100)
    )
    ids = [n.id.node_id for n in listed.node_executions]
    assert len(ids) == len(set(ids)), f"duplicate node executions: {sorted(ids)}"
    return {n.id.node_id: n for n in listed.node_executions}


def task_attempts(stub: Any, node: Any) -> list[Any]:
    listed = stub.ListTaskExecutions(task_execution_pb2.TaskExecutionListRequest(node_execution_id=node.id, limit=100))
    return list(listed.task_executions)


def live_supervisors(home: Path) -> list[str]:
    """Attempt supervisors still running for this home: cold ones name the attempt folder on their command line,
    warm ones (forked by a warm interpreter) are called fp-supervisor and work in the attempt folder."""
    attempts = str(home / "attempts")
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            comm = (entry / "comm").read_text().strip()
            cwd = os.readlink(entry / "cwd")
        except OSError:
            continue
        cold = b"supervise.py" in cmdline and attempts.encode() in cmdline
        warm = comm == "fp-supervisor" and cwd.startswith(attempts + "/")
        if cold or warm:
            found.append(entry.name)
    return found


def warm_attempts_in_flight(home: Path) -> list[str]:
    """Attempts forked from the warm pool whose supervisor is running now."""
    running = []
    for attempt in (home / "attempts").iterdir():
        try:
            spec = json.loads((attempt / "spec.json").read_text())
            started = json.loads((attempt / "started.json").read_text())
        except (OSError, ValueError):
            continue
        if "warm" in spec and not (attempt / "exit.json").exists() and Path(f"/proc/{started['pid']}").exists():
            running.append(attempt.name)
    return running


def test_a_workflow_survives_kill_9_of_the_server_mid_run(database: str, tmp_path: Path) -> None:
    home = tmp_path / "home"
    first = start_server(home, database)
    try:
        flyte = remote_of(first)
        project = new_project(flyte, "crash")
        twenty = register(flyte, project, chain.twenty)
        execution = start(flyte, project, twenty, x=0)
        with grpc.insecure_channel(first.endpoint) as channel:
            stub = admin_pb2_grpc.AdminServiceStub(channel)
            deadline = time.monotonic() + 120
            while True:  # mid-run: some task nodes done, the rest still to come
                nodes = node_executions(stub, execution.id.to_flyte_idl())
                done = [n for n in TASK_NODES if n in nodes and nodes[n].closure.phase == NodePhase.SUCCEEDED]
                in_flight = warm_attempts_in_flight(home)
                if len(done) >= 4 and in_flight:
                    break
                assert time.monotonic() < deadline, "the workflow did not get going"
                time.sleep(0.1)
            before = {n: task_attempts(stub, nodes[n]) for n in done}
        first.process.kill()  # kill -9: no shutdown of any kind
        first.process.wait()
        # The attempts in flight outlived the server (or recorded their end without it).
        survivors = warm_attempts_in_flight(home)
        assert all(a in survivors or (home / "attempts" / a / "exit.json").exists() for a in in_flight), in_flight
    finally:
        first.stop()

    second = start_server(home, database)
    try:
        flyte = remote_of(second)
        ended = finish(flyte, flyte.fetch_execution(project=project, domain=DOMAIN, name=execution.id.name))
        assert_succeeded(ended)
        assert ended.outputs["o0"] == 10 * 1000 + 10
        with grpc.insecure_channel(second.endpoint) as channel:
            stub = admin_pb2_grpc.AdminServiceStub(channel)
            nodes = node_executions(stub, execution.id.to_flyte_idl())
            assert set(TASK_NODES) <= set(nodes)
            for node_id in TASK_NODES:
                node = nodes[node_id]
                assert node.closure.phase == NodePhase.SUCCEEDED, node_id
                attempts = task_attempts(stub, node)
                # One attempt each: what ran across the crash was adopted by the restarted server, not re-run.
                assert [a.id.retry_attempt for a in attempts] == [0], f"{node_id}: {attempts}"
                assert attempts[0].closure.phase == core_execution_pb2.TaskExecution.SUCCEEDED, node_id
                if node_id in before:  # recorded before the crash: still there, unchanged
                    assert [a.id for a in attempts] == [a.id for a in before[node_id]], node_id
            got = stub.GetExecution(execution_pb2.WorkflowExecutionGetRequest(id=execution.id.to_flyte_idl()))
            assert got.closure.phase == core_execution_pb2.WorkflowExecution.SUCCEEDED
        for attempt in in_flight:  # adopted and recorded, not run again (one attempt per node above)
            assert json.loads((home / "attempts" / attempt / "exit.json").read_text())["exit_code"] == 0, attempt
        assert live_supervisors(home) == []
    finally:
        second.stop()
