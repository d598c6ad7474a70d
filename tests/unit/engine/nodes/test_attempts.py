"""Interruptible nodes report their instance class on task events, and stop being interruptible once the node has
used up Flyte's system-failure budget (§8.5)."""

from __future__ import annotations

from pathlib import Path

from flyteidl.event import event_pb2
from flytekit import task, workflow
from tests.unit.engine.harness import World, compiled, integers

from flyteplane.engine.nodes.attempts import platform_environment
from flyteplane.engine.round import run_round
from flyteplane.engine.runner import Runner

INTERRUPTIBLE = event_pb2.TaskExecutionMetadata.INTERRUPTIBLE
DEFAULT = event_pb2.TaskExecutionMetadata.DEFAULT


@task(interruptible=True)
def spot(x: int) -> int:
    return x


@task
def steady(x: int) -> int:
    return x


@workflow
def both(x: int) -> int:
    return steady(x=spot(x=x))


def test_instance_class_follows_the_node_setting(tmp_path: Path) -> None:
    world = World(tmp_path, compiled(both), integers(x=1))
    run_round(Runner(), world.context())
    assert {event.metadata.instance_class for event in world.events.tasks} == {INTERRUPTIBLE}
    assert next(iter(world.executor.submitted.values())).interruptible
    world.executor.succeed(spot.name, integers(o0=1))
    run_round(Runner(), world.context())
    by_task = {(event.task_id.name, event.metadata.instance_class) for event in world.events.tasks}
    assert by_task == {(spot.name, INTERRUPTIBLE), (steady.name, DEFAULT)}


def test_after_the_system_failure_budget_the_node_runs_on_a_regular_instance(tmp_path: Path) -> None:
    world = World(tmp_path, compiled(both), integers(x=1))
    for _ in range(4):  # three system-failure retries are allowed; the fourth attempt is no longer interruptible
        run_round(Runner(), world.context())
        running = world.executor.running_task(spot.name)
        world.executor.phases[running.attempt_id] = world.executor.phases[running.attempt_id].LOST
    classes = [event.metadata.instance_class for event in world.events.tasks if event.phase == 1]  # QUEUED
    assert classes == [INTERRUPTIBLE, INTERRUPTIBLE, INTERRUPTIBLE, DEFAULT]


def test_tasks_are_told_the_control_plane_endpoint(tmp_path: Path) -> None:
    world = World(tmp_path, compiled(both), integers(x=1))
    run_round(Runner(), world.context())
    env = next(iter(world.executor.submitted.values())).env
    assert env["FLYTE_PLATFORM_URL"] == "localhost"
    assert env["FLYTE_PLATFORM_INSECURE"] == "True"


def test_the_endpoint_follows_the_advertised_url() -> None:
    assert platform_environment("http://127.0.0.1:41234") == {
        "FLYTE_PLATFORM_URL": "127.0.0.1:41234",
        "FLYTE_PLATFORM_INSECURE": "True",
    }
    assert platform_environment("https://flyte.example.com") == {
        "FLYTE_PLATFORM_URL": "flyte.example.com",
        "FLYTE_PLATFORM_INSECURE": "False",
    }
