"""Echo tasks run without a process: the node's outputs are its inputs (flytepropeller's echo plugin), with one
task attempt reported; an interface the plugin cannot echo fails the node with a clear error instead."""

from __future__ import annotations

from pathlib import Path

from flyteidl.core import execution_pb2
from flytekit import task, workflow
from flytekit.core.task import Echo
from tests.unit.engine.harness import World, compiled, integers

from flyteplane.engine.events import WorkflowPhase
from flyteplane.engine.round import run_round
from flyteplane.engine.runner import Runner

echo = Echo(name="echo", inputs={"x": int})
echo_two = Echo(name="echo_two", inputs={"x": int, "y": int})


@task
def double(x: int) -> int:
    return 2 * x


@workflow
def echoed(x: int) -> int:
    return double(x=echo(x=x))


@workflow
def two(x: int) -> int:
    a, _ = echo_two(x=x, y=x)
    return a


def test_an_echo_node_copies_its_input_without_submitting_an_attempt(tmp_path: Path) -> None:
    world = World(tmp_path, compiled(echoed), integers(x=21))
    run_round(Runner(), world.context())
    assert world.state.nodes["n0"].phase == "SUCCEEDED"
    assert world.outputs_of("n0") == integers(o0=21)
    assert [s.task.type for s in world.executor.submitted.values()] == ["python-task"]  # only the next node
    echo_events = [e for e in world.events.tasks if e.task_id.name == "echo"]
    phases = [execution_pb2.TaskExecution.RUNNING, execution_pb2.TaskExecution.SUCCEEDED]
    assert [e.phase for e in echo_events] == phases
    assert echo_events[-1].output_uri


def test_an_echo_of_several_inputs_fails_the_node_clearly(tmp_path: Path) -> None:
    world = World(tmp_path, compiled(two), integers(x=1))
    run_round(Runner(), world.context())
    assert world.state.nodes["n0"].phase == "FAILED"
    assert not world.executor.submitted
    failed = world.events.workflow[-1]
    assert failed.phase == WorkflowPhase.FAILED
    assert "more than one input variable" in failed.error.message
