"""Two `flyteplane serve` replicas on one PostgreSQL database and one blob store: both serve the API and run an
engine; each execution is evaluated by one of them; a signal or a terminate given to either reaches the one that
holds the execution; when that one is killed -9, the other takes its executions over a lease later and finishes
them, running no task twice."""

from __future__ import annotations

import signal
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flows import basics, gates, sleeper
from sqlalchemy import select
from tests.integration.engine.support import (
    DOMAIN,
    QuickRemote,
    finish,
    phase_name,
    register,
    start,
    wait_for_signal,
)
from tests.integration.server import RunningServer, start_server
from tests.integration.support import new_project
from tests.postgres import temporary_database

from flyteplane.config import Settings
from flyteplane.store.db import Database
from flyteplane.store.models import EngineWorkflow

pytestmark = pytest.mark.postgres

LEASE_SECONDS = 8  # short, so a takeover comes quickly; long enough that a loaded machine never misses a beat


@contextmanager
def two_replicas(folder: Path) -> Iterator[tuple[list[RunningServer], list[Any], Database]]:
    """Two replicas on a new database and one blob store, FlyteRemotes on each, and the database itself."""
    with temporary_database() as url:
        config = folder / "flyteplane.yaml"
        config.write_text(f"db: {url}\nblob_store: {folder / 'blobs'}\nengine_lease: {LEASE_SECONDS}\n")
        replicas: list[RunningServer] = []
        db = Database(Settings(db=url).database_url)
        try:
            for index in range(2):
                replicas.append(start_server(folder / f"replica-{index}", "", "--config", str(config)))
            remotes = [
                QuickRemote.for_endpoint(
                    each.endpoint, insecure=True, default_project="flytesnacks", default_domain=DOMAIN
                )
                for each in replicas
            ]
            yield replicas, remotes, db
        finally:
            for replica in replicas:
                replica.stop()
            db.close()


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[list[RunningServer], list[Any], Database]]:
    with two_replicas(tmp_path_factory.mktemp("replicas")) as running:
        yield running


@pytest.fixture(scope="module")
def project(pair: tuple[list[RunningServer], list[Any], Database]) -> str:
    return new_project(pair[1][0], "replicas")


def holder(database: Database, replicas: list[RunningServer], execution: Any) -> RunningServer:
    """The replica whose engine holds the execution now."""
    with database.read() as session:
        owner = session.scalar(
            select(EngineWorkflow.lease_owner).where(EngineWorkflow.execution_name == execution.id.name)
        )
    (found,) = [replica for replica in replicas if (replica.home / "engine.id").read_text().strip() == owner]
    return found


def attempts_by_node(remote: Any, execution: Any) -> dict[str, int]:
    """Task attempts of each node that ran a task."""
    synced = remote.sync_execution(execution, sync_nodes=True)
    return {
        node_id: len(node.task_executions) for node_id, node in synced.node_executions.items() if node.task_executions
    }


def test_both_replicas_run_executions_and_show_the_same_state(
    pair: tuple[list[RunningServer], list[Any], Database], project: str
) -> None:
    _, remotes, _ = pair
    workflow = register(remotes[0], project, basics.arithmetic)
    started = [start(remotes[index % 2], project, workflow, a=index, b=1) for index in range(6)]
    for index, execution in enumerate(started):
        ended = [finish(remote, execution) for remote in remotes]
        assert [phase_name(each.closure.phase) for each in ended] == ["SUCCEEDED", "SUCCEEDED"]
        assert ended[0].closure == ended[1].closure, "GetExecution answers the same from either replica"
        assert ended[1].outputs["o0"] == 2 * (index + 1)


def test_a_signal_and_a_terminate_reach_the_replica_that_holds_the_execution(
    pair: tuple[list[RunningServer], list[Any], Database], project: str
) -> None:
    replicas, remotes, database = pair
    waiting = start(remotes[0], project, register(remotes[0], project, gates.approval), x=4)
    wait_for_signal(remotes[0], project, waiting, "review")
    napping = start(remotes[0], project, register(remotes[0], project, sleeper.long_nap), seconds=600)
    for execution, action in ((waiting, "approve"), (napping, "terminate")):
        other = remotes[1 - replicas.index(holder(database, replicas, execution))]
        if action == "approve":
            other.approve("review", execution.id.name, project=project, domain=DOMAIN)
        else:
            other.terminate(execution, cause="stopped through the other replica")
    assert phase_name(finish(remotes[1], waiting).closure.phase) == "SUCCEEDED"
    assert phase_name(finish(remotes[1], napping).closure.phase) == "ABORTED"


def test_when_a_replica_dies_the_other_finishes_its_executions_running_nothing_twice(tmp_path: Path) -> None:
    with two_replicas(tmp_path) as (replicas, remotes, database):
        project = new_project(remotes[0], "replica-death")
        execution = start(remotes[0], project, register(remotes[0], project, gates.approval), x=5)
        wait_for_signal(remotes[0], project, execution, "review")  # `double` ran; the execution waits at the gate
        doomed = holder(database, replicas, execution)
        survivor_index = 1 - replicas.index(doomed)
        survivor = remotes[survivor_index]
        doomed.stop(signal.SIGKILL)
        survivor.approve("review", execution.id.name, project=project, domain=DOMAIN)
        ended = finish(survivor, execution)
        assert phase_name(ended.closure.phase) == "SUCCEEDED"
        assert ended.outputs["o0"] == 11
        attempts = attempts_by_node(survivor, ended)
        assert sorted(attempts.values()) == [1, 1], f"each of the two tasks ran exactly once: {attempts}"
        assert "taking the execution over" in replicas[survivor_index].log.read_text()
        with urllib.request.urlopen(f"{replicas[survivor_index].url}/metrics", timeout=10) as response:
            scraped = response.read().decode()
        takeovers = [
            line for line in scraped.splitlines() if line.startswith("flyteplane_engine_lease_takeovers_total")
        ]
        assert takeovers and float(takeovers[0].split()[-1]) == 1, "/metrics counts the one takeover once"
