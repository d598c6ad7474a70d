"""`flyteplane serve --no-engine` and `flyteplane engine` as two processes on one database and blob store: the
API records executions, the engine runs them; a set signal and a terminate reach the engine through the
database; one engine runs per home."""

from __future__ import annotations

import subprocess
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flows import basics, gates, sleeper
from tests.integration.engine.support import (
    DOMAIN,
    QuickRemote,
    finish,
    phase_name,
    register,
    run,
    start,
    wait_for_signal,
)
from tests.integration.server import RunningEngine, RunningServer, start_engine, start_server
from tests.integration.support import new_project
from tests.postgres import temporary_database


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def split(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    home = tmp_path_factory.mktemp(f"split-{request.param}")
    if request.param == "sqlite":
        yield home, ""
        return
    with temporary_database() as url:
        yield home, url


@pytest.fixture(scope="module")
def api(split: tuple[Path, str]) -> Iterator[RunningServer]:
    home, db = split
    running = start_server(home, db, "--no-engine")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def engine(split: tuple[Path, str], api: RunningServer) -> Iterator[RunningEngine]:
    home, db = split
    running = start_engine(home, db)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def flyte(api: RunningServer, engine: RunningEngine) -> Any:
    return QuickRemote.for_endpoint(api.endpoint, insecure=True, default_project="flytesnacks", default_domain=DOMAIN)


@pytest.fixture(scope="module")
def project(flyte: Any) -> str:
    return new_project(flyte, "separate-engine")


def test_the_engine_process_runs_what_the_api_process_records(flyte: Any, project: str) -> None:
    ended = run(flyte, project, register(flyte, project, basics.arithmetic), a=2, b=3)
    assert phase_name(ended.closure.phase) == "SUCCEEDED"
    assert (ended.outputs["o0"], ended.outputs["o1"]) == (10, "value=10")


def test_the_api_process_serves_the_logs_of_the_engines_attempts(flyte: Any, project: str, api: RunningServer) -> None:
    """The log links point at files the engine writes under the shared home; the API process serves them."""
    ended = run(flyte, project, register(flyte, project, basics.arithmetic), a=1, b=2)
    synced = flyte.sync_execution(ended, sync_nodes=True)
    attempt = synced.node_executions["n0"].task_executions[0]
    for link in attempt.closure.logs:
        path = urllib.parse.urlsplit(link.uri).path
        with urllib.request.urlopen(api.url + path, timeout=10) as response:
            assert response.status == 200, link.name


def test_a_signal_set_on_the_api_reaches_the_engine(flyte: Any, project: str) -> None:
    execution = start(flyte, project, register(flyte, project, gates.approval), x=4)
    wait_for_signal(flyte, project, execution, "review")
    flyte.approve("review", execution.id.name, project=project, domain=DOMAIN)
    ended = finish(flyte, execution)
    assert phase_name(ended.closure.phase) == "SUCCEEDED"


def test_a_terminate_on_the_api_aborts_the_running_task(flyte: Any, project: str) -> None:
    execution = start(flyte, project, register(flyte, project, sleeper.long_nap), seconds=600)
    flyte.terminate(execution, cause="stop it")
    ended = finish(flyte, execution)
    assert phase_name(ended.closure.phase) == "ABORTED"


def test_a_second_engine_on_the_same_home_is_refused(split: tuple[Path, str], engine: RunningEngine) -> None:
    home, db = split
    args = [sys.executable, "-m", "flyteplane", "engine", "--home", str(home)] + (["--db", db] if db else [])
    result = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "an engine already runs on home" in result.stderr
