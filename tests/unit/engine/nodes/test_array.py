"""Array nodes (map tasks): one sub-task attempt per item with the item's index, retries per item, a success
threshold, outputs gathered in index order."""

from __future__ import annotations

from pathlib import Path

from flyteidl.core import literals_pb2
from flytekit import map_task, task, workflow
from tests.unit.engine.harness import World, compiled, integer, integers

from flyteplane.engine.errors import decode_error
from flyteplane.engine.executors.base import AttemptPhase, TaskAttempt
from flyteplane.engine.round import run_round
from flyteplane.engine.runner import Runner
from flyteplane.engine.state import ArrayItemState


@task
def double(x: int) -> int:
    return 2 * x


@task(retries=1)
def flaky(x: int) -> int:
    return x


@workflow
def doubles(xs: list[int]) -> list[int]:
    return map_task(double)(x=xs)


@workflow
def half_may_fail(xs: list[int]) -> list[int | None]:
    return map_task(flaky, min_success_ratio=0.5)(x=xs)


def numbers(*values: int) -> literals_pb2.LiteralMap:
    collection = literals_pb2.LiteralCollection(literals=[integer(value) for value in values])
    return literals_pb2.LiteralMap(literals={"xs": literals_pb2.Literal(collection=collection)})


def evaluate(world: World, *, abort: bool = False) -> bool:
    return bool(run_round(Runner(), world.context(), abort_requested=abort))


def running_items(world: World) -> dict[int, TaskAttempt]:
    executor = world.executor
    return {
        int(attempt.env["FLYTE_K8S_ARRAY_INDEX"]): attempt
        for attempt_id, attempt in executor.submitted.items()
        if executor.phases[attempt_id] == AttemptPhase.RUNNING
    }


def finish(world: World, index: int, output: int | None) -> None:
    """The item's running attempt writes `o0` and exits 0, or (None) exits non-zero."""
    attempt = running_items(world)[index]
    if output is None:
        world.executor.phases[attempt.attempt_id] = AttemptPhase.FAILED
        return
    output_dir = world.blobs.key_of(attempt.output_prefix)
    world.blobs.put_bytes(f"{output_dir}/outputs.pb", integers(o0=output).SerializeToString())
    world.executor.phases[attempt.attempt_id] = AttemptPhase.SUCCEEDED


def test_each_item_runs_with_its_index_and_the_outputs_are_gathered_in_order(tmp_path: Path) -> None:
    world = World(tmp_path, compiled(doubles), numbers(1, 2, 3))
    assert not evaluate(world)
    attempts = running_items(world)
    assert sorted(attempts) == [0, 1, 2]
    assert attempts[1].env["FLYTE_K8S_ARRAY_INDEX"] == "1"
    # flytekit's map task reads inputs of the item's own, each mapped list holding only its element
    index_variable = attempts[1].env["BATCH_JOB_ARRAY_INDEX_VAR_NAME"]
    assert attempts[1].env[index_variable] == "0"
    own = literals_pb2.LiteralMap.FromString(world.blobs.get_bytes(world.blobs.key_of(attempts[1].input_path)))
    assert [literal.scalar.primitive.integer for literal in own.literals["x"].collection.literals] == [2]
    assert [item.phase for item in world.state.nodes["n0"].items] == ["RUNNING"] * 3
    assert world.state.nodes["n0"].items[2].attempt_id == attempts[2].attempt_id

    for index in (2, 0, 1):
        finish(world, index, 2 * (index + 1))
    assert evaluate(world)
    assert world.state.nodes["n0"].phase == "SUCCEEDED"
    gathered = world.outputs_of("n0").literals["o0"].collection.literals
    assert [literal.scalar.primitive.integer for literal in gathered] == [2, 4, 6]
    resources = world.events.tasks[-1].metadata.external_resources
    assert [(r.index, r.external_id) for r in resources] == [(i, attempts[i].attempt_id) for i in range(3)]


def test_a_failed_item_retries_on_its_own_and_failures_within_the_threshold_give_none(tmp_path: Path) -> None:
    world = World(tmp_path, compiled(half_may_fail), numbers(1, 2, 3, 4))
    evaluate(world)
    for index, output in [(0, 1), (1, None), (2, None), (3, 4)]:
        finish(world, index, output)
    assert not evaluate(world)
    items = world.state.nodes["n0"].items
    assert [(item.phase, item.attempt) for item in items] == [
        ("SUCCEEDED", 0),
        ("RUNNING", 1),
        ("RUNNING", 1),
        ("SUCCEEDED", 0),
    ]
    assert sorted(running_items(world)) == [1, 2]

    finish(world, 1, None)
    finish(world, 2, None)
    assert evaluate(world)
    assert world.state.nodes["n0"].phase == "SUCCEEDED", "2 of 4 items succeeded; half had to"
    assert [item.phase for item in items] == ["SUCCEEDED", "FAILED", "FAILED", "SUCCEEDED"]
    assert items[1].error == "the task process exited with code None"
    gathered = world.outputs_of("n0").literals["o0"].collection.literals
    assert [literal.scalar.WhichOneof("value") for literal in gathered] == [
        "primitive",
        "none_type",
        "none_type",
        "primitive",
    ]


def test_an_unreachable_threshold_fails_the_node_and_stops_the_other_items(tmp_path: Path) -> None:
    world = World(tmp_path, compiled(doubles), numbers(1, 2, 3))
    evaluate(world)
    attempts = running_items(world)
    finish(world, 1, None)
    assert evaluate(world)
    node = world.state.nodes["n0"]
    assert node.phase == "FAILED"
    assert decode_error(node.error).code == "ArrayNodeFailed"
    assert [item.phase for item in node.items] == ["ABORTED", "FAILED", "ABORTED"]
    assert sorted(world.executor.terminated) == sorted([attempts[0].attempt_id, attempts[2].attempt_id])


def test_aborting_the_node_terminates_its_running_items(tmp_path: Path) -> None:
    world = World(tmp_path, compiled(doubles), numbers(1, 2))
    evaluate(world)
    attempts = running_items(world)
    assert evaluate(world, abort=True)
    attempt_dirs = "metadata/propeller/p-development-exec/n0/data/0"  # <node data>/<node attempt>/<index>/<attempt>
    assert world.state.nodes["n0"].items == [
        ArrayItemState(phase="ABORTED", attempt_id=attempts[i].attempt_id, output_dir=f"{attempt_dirs}/{i}/0")
        for i in (0, 1)
    ]
    assert world.executor.terminated == [attempts[0].attempt_id, attempts[1].attempt_id]
    assert world.state.nodes["n0"].phase == "ABORTED"
