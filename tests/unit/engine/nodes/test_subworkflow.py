"""Sub-workflow nodes: the referenced workflow runs as a child scope under the node, in this execution; its
outputs or its error become the node's."""

from __future__ import annotations

from pathlib import Path

from flytekit import task, workflow
from tests.unit.engine.harness import World, compiled, integers

from flyteplane.engine.errors import decode_error
from flyteplane.engine.events import NodePhase
from flyteplane.engine.round import run_round
from flyteplane.engine.runner import Runner


@task
def double(x: int) -> int:
    return 2 * x


@task
def shift(a: int, b: int) -> int:
    return a + b


@workflow
def inner(x: int) -> int:
    return shift(a=double(x=x), b=3)


@workflow
def outer(x: int) -> int:
    return double(x=inner(x=x))


def evaluate(world: World, *, abort: bool = False) -> bool:
    return bool(run_round(Runner(), world.context(), abort_requested=abort))


def test_the_sub_workflow_runs_under_its_node_and_its_outputs_become_the_node_s(tmp_path: Path) -> None:
    world = World(tmp_path, compiled(outer), integers(x=2))
    assert not evaluate(world)
    assert world.state.nodes["n0"].phase == "RUNNING"
    assert world.state.nodes["n0-0-n0"].phase == "RUNNING", "the sub-workflow's first node runs under n0"
    running = next(e for e in world.events.nodes if e.id.node_id == "n0" and e.phase == NodePhase.RUNNING)
    assert running.is_parent

    world.executor.succeed(double.name, integers(o0=4))
    assert not evaluate(world)
    world.executor.succeed(shift.name, integers(o0=7))
    assert not evaluate(world)
    assert world.state.nodes["n0"].phase == "SUCCEEDED"
    assert world.outputs_of("n0") == integers(o0=7)
    started = world.executor.running_task(double.name)
    assert world.blobs.get_bytes(world.blobs.key_of(started.input_path)) == integers(x=7).SerializeToString()

    world.executor.succeed(double.name, integers(o0=14))
    assert evaluate(world)
    assert world.state.phase == "SUCCEEDED"
    assert world.outputs_of("end-node") == integers(o0=14)


def test_a_failed_sub_workflow_fails_its_node_with_the_child_s_error(tmp_path: Path) -> None:
    world = World(tmp_path, compiled(outer), integers(x=2))
    evaluate(world)
    world.executor.fail(double.name)
    assert evaluate(world)
    child_error = decode_error(world.state.nodes["n0-0-n0"].error)
    node_error = decode_error(world.state.nodes["n0"].error)
    assert world.state.nodes["n0"].phase == "FAILED"
    assert (node_error.code, node_error.message, node_error.kind) == (
        child_error.code,
        child_error.message,
        child_error.kind,
    )
    assert world.state.phase == "FAILED"


def test_aborting_the_node_aborts_the_sub_workflow_s_running_nodes(tmp_path: Path) -> None:
    world = World(tmp_path, compiled(outer), integers(x=2))
    evaluate(world)
    running = world.executor.running_task(double.name)
    assert evaluate(world, abort=True)
    assert world.state.nodes["n0-0-n0"].phase == "ABORTED"
    assert world.state.nodes["n0"].phase == "ABORTED"
    assert world.state.nodes["n0-0-n1"].phase == "NOT_STARTED", "a node that never started needs no abort"
    assert world.executor.terminated == [running.attempt_id]
