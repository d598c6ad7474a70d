"""Dynamic tasks: a task node whose task wrote futures.pb continues as the workflow those futures describe,
compiled once and run under the node; its outputs or its error become the node's."""

from __future__ import annotations

from pathlib import Path

from flyteidl.core import dynamic_job_pb2
from flytekit import task, workflow
from tests.unit.engine.harness import World, compiled, integers

from flyteplane.engine.errors import decode_error
from flyteplane.engine.events import NodePhase
from flyteplane.engine.executors.base import AttemptPhase
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


@task
def fan(x: int) -> int:
    return x  # stands for a @dynamic task: the test writes the futures it would return


@workflow
def fanned(x: int) -> int:
    return fan(x=x)


def futures_of_inner() -> dynamic_job_pb2.DynamicJobSpec:
    closure = compiled(inner)
    return dynamic_job_pb2.DynamicJobSpec(
        nodes=closure.primary.template.nodes,
        outputs=closure.primary.template.outputs,
        tasks=[t.template for t in closure.tasks],
        min_successes=2,
    )


def return_futures(world: World, spec: dynamic_job_pb2.DynamicJobSpec) -> None:
    attempt = world.executor.running_task(fan.name)
    world.blobs.put_bytes(f"{world.blobs.key_of(attempt.output_prefix)}/futures.pb", spec.SerializeToString())
    world.executor.phases[attempt.attempt_id] = AttemptPhase.SUCCEEDED


def evaluate(world: World, *, abort: bool = False) -> bool:
    return bool(run_round(Runner(), world.context(), abort_requested=abort))


def test_the_futures_run_as_a_workflow_under_the_node_and_give_it_their_outputs(tmp_path: Path) -> None:
    world = World(tmp_path, compiled(fanned), integers(x=2))
    evaluate(world)
    return_futures(world, futures_of_inner())
    assert not evaluate(world)
    node = world.state.nodes["n0"]
    assert node.dynamic and node.phase == "RUNNING"
    (dynamic_running,) = [e for e in world.events.nodes if e.phase == NodePhase.DYNAMIC_RUNNING]
    assert dynamic_running.is_dynamic and dynamic_running.is_parent
    dynamic_workflow = dynamic_running.task_node_metadata.dynamic_workflow
    assert dynamic_workflow.id.name == "dynamic_n0"
    assert {n.id for n in dynamic_workflow.compiled_workflow.primary.template.nodes} == {
        "start-node",
        "n0",
        "n1",
        "end-node",
    }
    assert world.blobs.exists(f"{node.output_dir}/dynamic_compiled.pb")
    started = world.executor.running_task(double.name)
    assert world.blobs.get_bytes(world.blobs.key_of(started.input_path)) == integers(x=2).SerializeToString()

    world.executor.succeed(double.name, integers(o0=4))
    evaluate(world)
    world.executor.succeed(shift.name, integers(o0=7))
    assert evaluate(world)
    assert node.phase == "SUCCEEDED"
    assert world.outputs_of("n0") == integers(o0=7)
    assert world.outputs_of("end-node") == integers(o0=7)
    assert len([e for e in world.events.nodes if e.phase == NodePhase.DYNAMIC_RUNNING]) == 1, "compiled once"


def test_futures_that_do_not_compile_fail_the_node(tmp_path: Path) -> None:
    world = World(tmp_path, compiled(fanned), integers(x=2))
    evaluate(world)
    broken = futures_of_inner()
    del broken.tasks[:]  # the nodes reference tasks the spec no longer carries
    return_futures(world, broken)
    assert evaluate(world)
    assert world.state.nodes["n0"].phase == "FAILED"
    assert decode_error(world.state.nodes["n0"].error).code == "DynamicWorkflowBuildFailed"


def test_aborting_the_node_aborts_the_dynamic_workflow_s_running_nodes(tmp_path: Path) -> None:
    world = World(tmp_path, compiled(fanned), integers(x=2))
    evaluate(world)
    return_futures(world, futures_of_inner())
    evaluate(world)
    running = world.executor.running_task(double.name)
    assert evaluate(world, abort=True)
    children = {key: st.phase for key, st in world.state.nodes.items() if key.startswith("n0-0-")}
    assert children == {"n0-0-start-node": "SUCCEEDED", "n0-0-n0": "ABORTED", "n0-0-n1": "NOT_STARTED"}
    assert world.state.nodes["n0"].phase == "ABORTED"
    assert world.executor.terminated == [running.attempt_id]
