"""A task that rendered a deck (deck.html beside its outputs) reports it on its node's SUCCEEDED event."""

from __future__ import annotations

from pathlib import Path

from flytekit import conditional, task, workflow
from tests.unit.engine.harness import World, compiled, integers

from flyteplane.engine.events import NodePhase
from flyteplane.engine.round import run_round
from flyteplane.engine.runner import Runner


@task
def double(x: int) -> int:
    return 2 * x


@workflow
def pick(x: int) -> int:
    return conditional("sign").if_(x > 0).then(double(x=x)).else_().then(double(x=x))


def succeeded_event(world: World, node_id: str) -> object:
    return next(e for e in world.events.nodes if e.id.node_id == node_id and e.phase == NodePhase.SUCCEEDED)


def test_the_deck_of_a_task_is_reported_on_its_node_and_not_on_the_branch_that_took_it(tmp_path: Path) -> None:
    world = World(tmp_path, compiled(pick), integers(x=2))
    run_round(Runner(), world.context())
    world.executor.succeed(double.name, integers(o0=4), deck=b"<html>deck</html>")
    assert run_round(Runner(), world.context())
    (child,) = [node_id for node_id in world.state.nodes if node_id.startswith("n0-0-")]
    deck_uri = succeeded_event(world, child).deck_uri  # type: ignore[attr-defined]
    assert deck_uri.endswith("/deck.html")
    assert world.blobs.get_bytes(world.blobs.key_of(deck_uri)) == b"<html>deck</html>"
    assert succeeded_event(world, "n0").deck_uri == ""  # type: ignore[attr-defined]


def test_a_task_without_a_deck_reports_none(tmp_path: Path) -> None:
    world = World(tmp_path, compiled(pick), integers(x=2))
    run_round(Runner(), world.context())
    world.executor.succeed(double.name, integers(o0=4))
    run_round(Runner(), world.context())
    (child,) = [node_id for node_id in world.state.nodes if node_id.startswith("n0-0-")]
    assert succeeded_event(world, child).deck_uri == ""  # type: ignore[attr-defined]
