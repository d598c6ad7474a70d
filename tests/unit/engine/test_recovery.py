"""Recovering an execution: nodes that succeeded in the original are RECOVERED with their outputs, not run;
everything else — failed, skipped, never reached — runs again."""

from __future__ import annotations

from pathlib import Path

import pytest
from flyteidl.admin import node_execution_pb2
from flyteidl.core import catalog_pb2, execution_pb2, identifier_pb2
from flytekit import LaunchPlan, task, workflow
from tests.unit.engine.harness import ORIGINAL, RecordedChildren, World, compiled, integers

from flyteplane.engine.events import NodePhase
from flyteplane.engine.round import run_round
from flyteplane.engine.runner import Runner
from flyteplane.errors import NotFound


@task
def add(a: int, b: int) -> int:
    return a + b


@task
def double(x: int) -> int:
    return 2 * x


@workflow
def pipeline(a: int) -> int:
    return double(x=add(a=a, b=1))


class OriginalRun:
    """The PreviousRuns port over node executions of the original execution, kept in the world's blob store."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.nodes: dict[str, node_execution_pb2.NodeExecution] = {}
        self.asked: list[str] = []

    def add(self, node_id: str, phase: int, inputs: dict[str, int], outputs: dict[str, int] | None = None) -> None:
        blobs = self.world.blobs
        base = f"metadata/propeller/p-development-original/{node_id}/data"
        blobs.put_bytes(f"{base}/inputs.pb", integers(**inputs).SerializeToString())
        node = node_execution_pb2.NodeExecution(
            id=identifier_pb2.NodeExecutionIdentifier(node_id=node_id, execution_id=ORIGINAL),
            input_uri=blobs.native_url(f"{base}/inputs.pb"),
            closure=node_execution_pb2.NodeExecutionClosure(phase=phase),
        )
        if outputs is not None:
            blobs.put_bytes(f"{base}/0/outputs.pb", integers(**outputs).SerializeToString())
            node.closure.output_uri = blobs.native_url(f"{base}/0/outputs.pb")
        self.nodes[node_id] = node

    def get_node_execution(
        self, request: node_execution_pb2.NodeExecutionGetRequest
    ) -> node_execution_pb2.NodeExecution:
        self.asked.append(request.id.node_id)
        assert request.id.execution_id == ORIGINAL
        if request.id.node_id not in self.nodes:
            raise NotFound("node execution does not exist")
        return self.nodes[request.id.node_id]

    def get_node_execution_data(
        self, request: node_execution_pb2.NodeExecutionGetDataRequest
    ) -> node_execution_pb2.NodeExecutionGetDataResponse:
        raise AssertionError("the original's data is in the same blob store")


@pytest.fixture
def world(tmp_path: Path) -> World:
    return World(tmp_path, compiled(pipeline), integers(a=3), recovering_from=ORIGINAL)


@pytest.fixture
def original(world: World) -> OriginalRun:
    world.previous = original = OriginalRun(world)
    return original


def evaluate(world: World) -> bool:
    return bool(run_round(Runner(), world.context()))


def test_a_node_that_succeeded_before_is_recovered_with_its_outputs_and_runs_no_task(
    world: World, original: OriginalRun
) -> None:
    original.add("n0", NodePhase.SUCCEEDED, {"a": 3, "b": 1}, {"o0": 4})
    original.add("n1", NodePhase.FAILED, {"x": 4})
    assert not evaluate(world)

    assert world.state.nodes["n0"].phase == "RECOVERED"
    assert world.events.node_phases("n0") == [NodePhase.RECOVERED], "straight to RECOVERED, as propeller"
    recovered = next(e for e in world.events.nodes if e.id.node_id == "n0")
    assert recovered.output_uri and recovered.input_uri
    assert world.outputs_of("n0") == integers(o0=4)
    assert [a.task.id.name for a in world.executor.submitted.values()] == [double.name], "only the failed node"
    assert not [e for e in world.events.tasks if e.parent_node_execution_id.node_id == "n0"]

    world.executor.succeed(double.name, integers(o0=8))
    assert evaluate(world)
    assert world.state.phase == "SUCCEEDED"
    assert world.state.nodes["n1"].phase == "SUCCEEDED"
    assert world.outputs_of("end-node") == integers(o0=8)


def test_the_rerun_node_reads_the_recovered_outputs(world: World, original: OriginalRun) -> None:
    original.add("n0", NodePhase.SUCCEEDED, {"a": 3, "b": 1}, {"o0": 40})  # not what add would compute now
    evaluate(world)
    rerun = world.executor.running_task(double.name)
    assert world.blobs.get_bytes(world.blobs.key_of(rerun.input_path)) == integers(x=40).SerializeToString()


@pytest.mark.parametrize("phase", [NodePhase.FAILED, NodePhase.SKIPPED, NodePhase.ABORTED, NodePhase.TIMED_OUT])
def test_a_node_that_did_not_succeed_before_runs_again(world: World, original: OriginalRun, phase: int) -> None:
    original.add("n0", phase, {"a": 3, "b": 1})
    evaluate(world)
    assert world.state.nodes["n0"].phase == "RUNNING"
    assert world.executor.running_task(add.name)
    assert NodePhase.RECOVERED not in world.events.node_phases("n0")


def test_a_node_the_original_never_reached_runs(world: World, original: OriginalRun) -> None:
    evaluate(world)
    assert original.asked == ["n0"]
    assert world.executor.running_task(add.name)


def test_a_recovered_node_keeps_its_cache_status_and_catalog_key(world: World, original: OriginalRun) -> None:
    original.add("n0", NodePhase.SUCCEEDED, {"a": 3, "b": 1}, {"o0": 4})
    key = catalog_pb2.CatalogMetadata(artifact_tag=catalog_pb2.CatalogArtifactTag(name="flyte_cached-abc"))
    original.nodes["n0"].closure.task_node_metadata.cache_status = catalog_pb2.CACHE_HIT
    original.nodes["n0"].closure.task_node_metadata.catalog_key.CopyFrom(key)
    evaluate(world)
    event = next(e for e in world.events.nodes if e.id.node_id == "n0")
    assert event.task_node_metadata.cache_status == catalog_pb2.CACHE_HIT
    assert event.task_node_metadata.catalog_key == key


def test_an_execution_that_is_not_a_recovery_never_looks_at_previous_runs(tmp_path: Path) -> None:
    world = World(tmp_path, compiled(pipeline), integers(a=3))
    world.previous = original = OriginalRun(world)
    original.add("n0", NodePhase.SUCCEEDED, {"a": 3, "b": 1}, {"o0": 4})
    evaluate(world)
    assert original.asked == []
    assert world.executor.running_task(add.name)


def test_recovery_reports_nothing_when_no_previous_runs_port_is_wired(tmp_path: Path) -> None:
    world = World(tmp_path, compiled(pipeline), integers(a=3), recovering_from=ORIGINAL)
    evaluate(world)
    assert world.executor.running_task(add.name)
    assert execution_pb2.NodeExecution.RECOVERED not in world.events.node_phases("n0")


@workflow
def inner(x: int) -> int:
    return double(x=x)


inner_plan = LaunchPlan.get_or_create(inner, name="recovery_inner_plan")


@workflow
def outer(x: int) -> int:
    return inner_plan(x=x)


@pytest.fixture
def outer_world(tmp_path: Path) -> World:
    world = World(tmp_path, compiled(outer), integers(x=2), recovering_from=ORIGINAL, children=RecordedChildren())
    world.previous = OriginalRun(world)
    return world


def test_a_launch_plan_node_that_failed_recovers_its_child_instead_of_launching_afresh(outer_world: World) -> None:
    original: OriginalRun = outer_world.previous  # type: ignore[assignment]
    original.add("n0", NodePhase.FAILED, {"x": 2})
    old_child = identifier_pb2.WorkflowExecutionIdentifier(project="p", domain="development", name="oldchild")
    original.nodes["n0"].closure.workflow_node_metadata.executionId.CopyFrom(old_child)
    evaluate(outer_world)
    children: RecordedChildren = outer_world.children
    assert children.created == []
    (recovery,) = children.recovered
    assert recovery.id == old_child
    assert recovery.name == outer_world.state.nodes["n0"].child_execution
    parent = recovery.metadata.parent_node_execution
    assert (parent.node_id, parent.execution_id.name) == ("n0", "exec")


def test_a_launch_plan_node_that_succeeded_is_recovered_without_touching_children(outer_world: World) -> None:
    original: OriginalRun = outer_world.previous  # type: ignore[assignment]
    original.add("n0", NodePhase.SUCCEEDED, {"x": 2}, {"o0": 4})
    old_child = identifier_pb2.WorkflowExecutionIdentifier(project="p", domain="development", name="oldchild")
    original.nodes["n0"].closure.workflow_node_metadata.executionId.CopyFrom(old_child)
    assert evaluate(outer_world)
    assert outer_world.children.created == outer_world.children.recovered == []
    event = next(e for e in outer_world.events.nodes if e.id.node_id == "n0")
    assert event.phase == NodePhase.RECOVERED
    assert event.workflow_node_metadata.execution_id == old_child
    assert outer_world.outputs_of("end-node") == integers(o0=4)


def test_a_launch_plan_node_launches_its_child_when_the_original_never_reached_it(tmp_path: Path) -> None:
    world = World(tmp_path, compiled(outer), integers(x=2), recovering_from=ORIGINAL, children=RecordedChildren())
    world.previous = OriginalRun(world)
    evaluate(world)
    assert len(world.children.created) == 1 and world.children.recovered == []
