"""A map task over a hundred items, and a dynamic workflow whose nodes are only known at run time."""

from __future__ import annotations

from typing import Any

import pytest
from flows import fanout
from tests.integration.engine.support import assert_succeeded, phase_name, register, run

ITEMS = 100


@pytest.fixture(scope="module")
def entities(flyte: Any, project: str) -> dict[str, Any]:
    return {
        "squares": register(flyte, project, fanout.squares),
        "dynamic_sum": register(flyte, project, fanout.dynamic_sum),
        "places": register(flyte, project, fanout.places),
    }


def test_a_map_task_over_a_hundred_items_gathers_every_output(
    flyte: Any, project: str, entities: dict[str, Any]
) -> None:
    xs = list(range(ITEMS))
    execution = run(flyte, project, entities["squares"], xs=xs)
    assert_succeeded(execution)
    assert execution.outputs["o0"] == sum(x * x for x in xs)
    node = flyte.sync_execution(execution, sync_nodes=True).node_executions["n0"]
    assert phase_name(node.closure.phase, "node") == "SUCCEEDED"
    assert node.metadata.is_array
    assert list(node.outputs["o0"]) == [x * x for x in xs]
    (attempt,) = node.task_executions
    resources = attempt.closure.metadata.external_resources
    assert len(resources) == ITEMS
    assert sorted(r.index for r in resources) == xs
    assert {phase_name(r.phase, "task") for r in resources} == {"SUCCEEDED"}


def test_each_item_sees_its_index_its_own_elements_and_the_whole_bound_list(
    flyte: Any, project: str, entities: dict[str, Any]
) -> None:
    execution = run(flyte, project, entities["places"], xs=["a", "b", "c"], ys=[1, 2, 3])
    assert_succeeded(execution)
    assert execution.outputs["o0"] == ["0:a:1101", "1:b:1102", "2:c:1103"]


def test_a_dynamic_workflow_runs_the_nodes_its_task_returned(
    flyte: Any, project: str, entities: dict[str, Any]
) -> None:
    execution = run(flyte, project, entities["dynamic_sum"], n=3)
    assert_succeeded(execution)
    assert execution.outputs["o0"] == sum(i + 3 for i in range(3))
    node = flyte.sync_execution(execution, sync_nodes=True).node_executions["n0"]
    assert phase_name(node.closure.phase, "node") == "SUCCEEDED"
    assert node.metadata.is_dynamic and node.metadata.is_parent_node
    assert list(node.outputs["o0"]) == [3, 4, 5]
    children = node.subworkflow_node_executions
    adds = sorted(k for k in children if k.startswith("n0-0-dn"))
    assert len(adds) == 3, sorted(children)
    for child_id in adds:
        assert phase_name(children[child_id].closure.phase, "node") == "SUCCEEDED"
    data = flyte.client.get_node_execution_data(node.id)
    assert data.dynamic_workflow.compiled_workflow.primary.template.nodes
