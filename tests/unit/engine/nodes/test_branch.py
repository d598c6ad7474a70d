"""Branch nodes whose taken node binds to nodes the branch node itself does not: the taken node waits for them
(as propeller's scheduling of a branch's child does) instead of failing to resolve its inputs."""

from __future__ import annotations

from pathlib import Path

import pytest
from flyteidl.core import condition_pb2, literals_pb2, types_pb2, workflow_pb2
from flytekit import WorkflowFailurePolicy, conditional, task, workflow
from tests.unit.engine.harness import World, compiled, integers

from flyteplane.engine.errors import NodeFailure
from flyteplane.engine.events import NodePhase
from flyteplane.engine.nodes.branch import choose
from flyteplane.engine.round import run_round
from flyteplane.engine.runner import Runner


@task
def double(x: int) -> int:
    return 2 * x


@task
def shift(a: int, b: int) -> int:
    return a + b


@workflow
def guarded(x: int) -> int:
    doubled = double(x=x)
    return conditional("sign").if_(x > 0).then(shift(a=doubled, b=1)).else_().then(shift(a=doubled, b=-1))


@workflow(failure_policy=WorkflowFailurePolicy.FAIL_AFTER_EXECUTABLE_NODES_COMPLETE)
def guarded_patiently(x: int) -> int:
    doubled = double(x=x)
    return conditional("sign").if_(x > 0).then(shift(a=doubled, b=1)).else_().then(shift(a=doubled, b=-1))


def evaluate(world: World) -> bool:
    return bool(run_round(Runner(), world.context()))


def taken_node(world: World) -> str:
    (child,) = [node_id for node_id in world.state.nodes if node_id.startswith("n1-0-")]
    return child


def test_the_taken_node_waits_for_an_upstream_node_the_branch_does_not_bind(tmp_path: Path) -> None:
    world = World(tmp_path, compiled(guarded), integers(x=5))
    assert not evaluate(world)
    assert world.state.nodes["n1"].phase == "RUNNING", "the branch node only needs its own inputs"
    assert world.state.nodes[taken_node(world)].phase == "NOT_STARTED"
    assert not [e for e in world.events.nodes if e.phase == NodePhase.FAILED]
    assert [a.task.id.name for a in world.executor.submitted.values()] == [double.name]

    world.executor.succeed(double.name, integers(o0=10))
    assert not evaluate(world)
    started = world.executor.running_task(shift.name)
    assert world.blobs.get_bytes(world.blobs.key_of(started.input_path)) == integers(a=10, b=1).SerializeToString()

    world.executor.succeed(shift.name, integers(o0=11))
    assert evaluate(world)
    assert world.state.phase == "SUCCEEDED"
    assert world.outputs_of("end-node") == integers(o0=11)


def test_the_taken_node_and_its_branch_are_skipped_when_that_upstream_node_fails(tmp_path: Path) -> None:
    world = World(tmp_path, compiled(guarded_patiently), integers(x=5))
    evaluate(world)
    world.executor.fail(double.name)
    assert evaluate(world)
    assert world.state.nodes["n0"].phase == "FAILED"
    assert world.state.nodes[taken_node(world)].phase == "SKIPPED"
    assert world.state.nodes["n1"].phase == "SKIPPED"
    assert world.state.phase == "FAILED"
    assert shift.name not in [a.task.id.name for a in world.executor.submitted.values()]


def x_above(limit: int) -> condition_pb2.BooleanExpression:
    return condition_pb2.BooleanExpression(
        comparison=condition_pb2.ComparisonExpression(
            operator=condition_pb2.ComparisonExpression.GT,
            left_value=condition_pb2.Operand(var="x"),
            right_value=condition_pb2.Operand(primitive=literals_pb2.Primitive(integer=limit)),
        )
    )


def if_else(**otherwise: object) -> workflow_pb2.IfElseBlock:
    return workflow_pb2.IfElseBlock(
        case=workflow_pb2.IfBlock(condition=x_above(10), then_node=workflow_pb2.Node(id="big")),
        other=[workflow_pb2.IfBlock(condition=x_above(0), then_node=workflow_pb2.Node(id="small"))],
        **otherwise,  # type: ignore[arg-type]
    )


def test_the_first_case_that_holds_is_taken_else_the_else_node() -> None:
    block = if_else(else_node=workflow_pb2.Node(id="none"))
    assert choose(block, integers(x=11)) == "big"
    assert choose(block, integers(x=5)) == "small"
    assert choose(block, integers(x=-1)) == "none"


def test_no_case_holding_fails_with_the_branch_s_error_or_as_malformed() -> None:
    with pytest.raises(NodeFailure) as raised:
        choose(if_else(error=types_pb2.Error(message="x must be positive")), integers(x=-1))
    assert (raised.value.code, raised.value.message) == ("UserProvidedError", "x must be positive")
    with pytest.raises(NodeFailure) as raised:
        choose(if_else(), integers(x=-1))
    assert raised.value.code == "MalformedBranchUserError"


def test_aborting_the_branch_aborts_its_running_taken_node_and_its_attempt(tmp_path: Path) -> None:
    world = World(tmp_path, compiled(guarded), integers(x=5))
    evaluate(world)
    world.executor.succeed(double.name, integers(o0=10))
    evaluate(world)
    running = world.executor.running_task(shift.name)
    assert run_round(Runner(), world.context(), abort_requested=True)
    assert world.state.nodes[taken_node(world)].phase == "ABORTED"
    assert world.state.nodes["n1"].phase == "ABORTED"
    assert world.executor.terminated == [running.attempt_id]
