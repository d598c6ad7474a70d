"""A failing task reports its error and is retried as configured; a failed execution is recovered, reusing
what succeeded and running again what did not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flows import failures
from flyteidl.admin.execution_pb2 import ExecutionMetadata
from tests.integration.engine.support import DOMAIN, assert_succeeded, finish, phase_name, register, run


@pytest.fixture(scope="module")
def entities(flyte: Any, project: str) -> dict[str, Any]:
    return {
        "doomed": register(flyte, project, failures.doomed),
        "hopeless": register(flyte, project, failures.hopeless),
        "recoverable": register(flyte, project, failures.recoverable),
    }


def outputs_of(flyte: Any, node: Any) -> Any:
    """flytekit will not show a RECOVERED node's outputs (its is_done forgets that phase): read them raw."""
    return flyte.client.get_node_execution_data(node.id).full_outputs.literals


def test_a_failing_task_is_retried_as_configured_and_reports_its_error(
    flyte: Any, project: str, entities: dict[str, Any]
) -> None:
    execution = run(flyte, project, entities["doomed"], x=7)
    assert phase_name(execution.closure.phase) == "FAILED"
    error = execution.closure.error
    assert "always fails on 7" in error.message
    assert error.code.startswith("RetriesExhausted"), error.code
    node = flyte.sync_execution(execution, sync_nodes=True).node_executions["n0"]
    assert phase_name(node.closure.phase, "node") == "FAILED"
    attempts = sorted(node.task_executions, key=lambda t: t.id.retry_attempt)
    assert [t.id.retry_attempt for t in attempts] == [0, 1, 2], "retries=2 means three attempts"
    for attempt in attempts:
        assert phase_name(attempt.closure.phase, "task") == "FAILED"
        assert "always fails on 7" in attempt.closure.error.message


def test_a_non_recoverable_error_is_not_retried(flyte: Any, project: str, entities: dict[str, Any]) -> None:
    execution = run(flyte, project, entities["hopeless"], x=3)
    assert phase_name(execution.closure.phase) == "FAILED"
    assert "fails for good on 3" in execution.closure.error.message
    node = flyte.sync_execution(execution, sync_nodes=True).node_executions["n0"]
    assert [t.id.retry_attempt for t in node.task_executions] == [0]


def test_recovering_a_failed_execution_reuses_succeeded_nodes_and_reruns_the_failed_one(
    flyte: Any, project: str, entities: dict[str, Any], tmp_path: Path
) -> None:
    marker = tmp_path / "marker"
    original = run(flyte, project, entities["recoverable"], x=4, marker=str(marker))
    assert phase_name(original.closure.phase) == "FAILED"
    original = flyte.sync_execution(original, sync_nodes=True)
    assert [phase_name(original.node_executions[n].closure.phase, "node") for n in ("n0", "n1", "n2")] == [
        "SUCCEEDED",
        "SUCCEEDED",
        "FAILED",
    ]

    marker.touch()
    recovered_id = flyte.client.recover_execution(original.id)
    recovered = finish(flyte, flyte.fetch_execution(project=project, domain=DOMAIN, name=recovered_id.name))
    assert_succeeded(recovered)
    assert recovered.outputs["o0"] == (4 + 1) * 2 + 1000
    assert recovered.spec.metadata.mode == ExecutionMetadata.RECOVERED
    assert recovered.spec.metadata.reference_execution.name == original.id.name

    nodes = flyte.sync_execution(recovered, sync_nodes=True).node_executions
    for node_id, output in (("n0", 5), ("n1", 10)):
        node = nodes[node_id]
        assert phase_name(node.closure.phase, "node") == "RECOVERED", node_id
        assert node.task_executions == [], f"{node_id} succeeded before: it must not run again"
        assert outputs_of(flyte, node)["o0"].scalar.primitive.integer == output
    rerun = nodes["n2"]
    assert phase_name(rerun.closure.phase, "node") == "SUCCEEDED"
    assert len(rerun.task_executions) == 1
    assert rerun.outputs["o0"] == 1010
