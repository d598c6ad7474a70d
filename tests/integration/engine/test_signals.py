"""Gate nodes waiting for signals: approve, reject, set_input; an
approval inside a conditional branch is prompted (its signal exists) instead of hanging."""

from __future__ import annotations

from typing import Any

import pytest
from flows import gates
from tests.integration.engine.support import (
    DOMAIN,
    assert_succeeded,
    finish,
    phase_name,
    register,
    start,
    wait_for_signal,
)


@pytest.fixture(scope="module")
def entities(flyte: Any, project: str) -> dict[str, Any]:
    return {
        "approval": register(flyte, project, gates.approval),
        "asking": register(flyte, project, gates.asking),
        "approval_in_branch": register(flyte, project, gates.approval_in_branch),
    }


def node_phase(flyte: Any, execution: Any, node_id: str) -> str:
    nodes = flyte.sync_execution(execution, sync_nodes=True).node_executions
    return phase_name(nodes[node_id].closure.phase, "node") if node_id in nodes else "NOT_STARTED"


def test_an_approved_gate_lets_the_workflow_go_on(flyte: Any, project: str, entities: dict[str, Any]) -> None:
    execution = start(flyte, project, entities["approval"], x=5)
    wait_for_signal(flyte, project, execution, "review")
    assert node_phase(flyte, execution, "n1") == "RUNNING"
    flyte.approve("review", execution.id.name, project=project, domain=DOMAIN)
    ended = finish(flyte, execution)
    assert_succeeded(ended)
    assert ended.outputs["o0"] == 11


def test_a_rejected_gate_fails_the_workflow(flyte: Any, project: str, entities: dict[str, Any]) -> None:
    execution = start(flyte, project, entities["approval"], x=1)
    wait_for_signal(flyte, project, execution, "review")
    flyte.reject("review", execution.id.name, project=project, domain=DOMAIN)
    ended = finish(flyte, execution)
    assert phase_name(ended.closure.phase) == "FAILED"
    assert "reject" in ended.closure.error.message.lower()


def test_set_input_gives_the_waiting_node_its_value(flyte: Any, project: str, entities: dict[str, Any]) -> None:
    """That the set signal wakes the execution at once is tested on the engine itself (tests/unit/engine)."""
    execution = start(flyte, project, entities["asking"], x=0)
    wait_for_signal(flyte, project, execution, "name")
    flyte.set_input("name", execution.id.name, "flyte", project=project, domain=DOMAIN, python_type=str)
    ended = finish(flyte, execution)
    assert_succeeded(ended)
    assert ended.outputs["o0"] == "hello flyte"


def test_an_approval_inside_a_conditional_branch_is_prompted(
    flyte: Any, project: str, entities: dict[str, Any]
) -> None:
    execution = start(flyte, project, entities["approval_in_branch"], x=3)
    signal = wait_for_signal(flyte, project, execution, "branch-review")
    assert signal.id.execution_id.name == execution.id.name
    flyte.approve("branch-review", execution.id.name, project=project, domain=DOMAIN)
    ended = finish(flyte, execution)
    assert_succeeded(ended)
    assert ended.outputs["o0"] == 6
