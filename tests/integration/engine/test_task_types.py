"""Task types beyond a Python container, with the real flytekit: flytekit's Echo runs without a process (its
outputs are its inputs, as flytepropeller's echo plugin), a plugin type the executor cannot run is refused at
CreateExecution naming the node and the type, and a task reaches this server from inside with FlyteRemote built
from its environment alone (FLYTE_PLATFORM_URL is the server's endpoint, on whatever port it listens)."""

from __future__ import annotations

from typing import Any

import pytest
from flows import plugins
from flytekit.exceptions.user import FlyteInvalidInputException
from tests.integration.engine.support import assert_succeeded, phase_name, run
from tests.integration.engine.support import register as register_app
from tests.integration.server import RunningServer


@pytest.fixture(scope="module")
def entities(flyte: Any, project: str) -> dict[str, Any]:
    return {
        "echoed": register_app(flyte, project, plugins.echoed),
        "echo_then_add": register_app(flyte, project, plugins.echo_then_add),
        "trains": register_app(flyte, project, plugins.trains),
        "who_runs_me": register_app(flyte, project, plugins.who_runs_me),
    }


def test_the_echo_branch_of_a_conditional_returns_its_input(flyte: Any, project: str, entities: dict[str, Any]) -> None:
    execution = run(flyte, project, entities["echoed"], a=3.5)
    assert_succeeded(execution)
    assert execution.outputs["o0"] == 3.5
    execution = run(flyte, project, entities["echoed"], a=20.0)
    assert_succeeded(execution)
    assert execution.outputs["o0"] == 21.0


def test_an_echo_node_feeds_the_next_node_and_records_one_task_attempt(
    flyte: Any, project: str, entities: dict[str, Any]
) -> None:
    execution = run(flyte, project, entities["echo_then_add"], a=1.25)
    assert_succeeded(execution)
    assert execution.outputs["o0"] == 2.25
    synced = flyte.sync_execution(execution, sync_nodes=True)
    node = synced.node_executions["n0"]
    assert phase_name(node.closure.phase, "node") == "SUCCEEDED"
    assert dict(node.outputs) == {"o0": 1.25}
    (attempt,) = node.task_executions
    assert phase_name(attempt.closure.phase, "task") == "SUCCEEDED"
    assert attempt.closure.logs == []  # no process ran


def test_a_plugin_type_the_executor_cannot_run_is_refused_at_creation(
    flyte: Any, project: str, entities: dict[str, Any]
) -> None:
    with pytest.raises(FlyteInvalidInputException) as refused:
        flyte.execute(entities["trains"], inputs={"x": 1}, project=project, domain="development", wait=False)
    message = str(refused.value)
    assert "sagemaker_training" in message and "n0" in message, message


def test_a_task_reaches_this_server_with_flyte_remote_from_its_environment(
    flyte: Any, project: str, entities: dict[str, Any], server: RunningServer
) -> None:
    assert not server.endpoint.endswith(":30080")  # flytekit's default: the task must be told where we are
    execution = run(flyte, project, entities["who_runs_me"])
    assert_succeeded(execution)
    assert execution.outputs["o0"] == f"{server.endpoint} {execution.id.name}"
