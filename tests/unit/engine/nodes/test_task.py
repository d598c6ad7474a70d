"""A node with a timeout may run for twice that long, retries included; then it ends TIMED_OUT and the workflow
fails with a Timeout error (propeller's active deadline)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flyteidl.core import execution_pb2
from flytekit import task, workflow
from tests.unit.engine.harness import World, compiled, integers

from flyteplane.engine.events import NodePhase, WorkflowPhase
from flyteplane.engine.round import run_round
from flyteplane.engine.runner import Runner


@task(timeout=timedelta(seconds=10))
def slow(x: int) -> int:
    return x


@workflow
def bounded(x: int) -> int:
    return slow(x=x)


def evaluate(world: World) -> bool:
    return bool(run_round(Runner(), world.context()))


def test_a_node_past_twice_its_timeout_times_out_and_fails_the_workflow(tmp_path: Path) -> None:
    world = World(tmp_path, compiled(bounded), integers(x=1))
    assert not evaluate(world)
    (attempt,) = world.executor.submitted
    world.now += 19.0
    assert not evaluate(world), "still inside the active deadline of 20 s"
    assert world.state.nodes["n0"].phase == "RUNNING"

    world.now += 2.0
    assert evaluate(world)
    assert world.state.nodes["n0"].phase == "TIMED_OUT"
    assert world.executor.terminated == [attempt]
    assert NodePhase.TIMED_OUT in world.events.node_phases("n0")
    assert world.events.tasks[-1].phase == execution_pb2.TaskExecution.FAILED
    failed = world.events.workflow[-1]
    assert failed.phase == WorkflowPhase.FAILED
    assert failed.error.code == "Timeout"
    assert failed.error.kind == execution_pb2.ExecutionError.USER


def test_a_node_that_finishes_in_time_is_not_touched(tmp_path: Path) -> None:
    world = World(tmp_path, compiled(bounded), integers(x=1))
    evaluate(world)
    world.now += 15.0
    world.executor.succeed(slow.name, integers(o0=1))
    assert evaluate(world)
    assert world.state.nodes["n0"].phase == "SUCCEEDED"
    assert world.executor.terminated == []
