"""Lifecycle steps every node kind shares: a task's deck is reported on its node's SUCCEEDED event, and Flyte's
retry rule gives system failures their own budget while user failures use the node's retries."""

from __future__ import annotations

from pathlib import Path

from flytekit import conditional, task, workflow
from tests.unit.engine.harness import World, compiled, integers

from flyteplane.engine.errors import NodeFailure
from flyteplane.engine.events import NodePhase
from flyteplane.engine.nodes import common
from flyteplane.engine.round import run_round
from flyteplane.engine.runner import Runner
from flyteplane.engine.state import ArrayItemState, NodeState


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


def test_system_failures_have_their_own_budget_and_user_failures_use_the_retries() -> None:
    lost = NodeFailure("Interrupted", "lost", kind="SYSTEM", retryable=True)
    crashed = NodeFailure("ContainerFailed", "exit 1", retryable=True)
    st = NodeState()
    for _ in range(common.MAX_SYSTEM_FAILURES):
        assert common.next_attempt_allowed(st, lost, attempts=1)
        st.attempt += 1
    assert st.system_failures == common.MAX_SYSTEM_FAILURES
    assert not common.next_attempt_allowed(st, lost, attempts=1), "budget spent; no user retries either"

    item = ArrayItemState()  # an array item keeps the same counters
    assert common.next_attempt_allowed(item, crashed, attempts=2)
    item.attempt += 1
    assert not common.next_attempt_allowed(item, crashed, attempts=2)
    assert item.system_failures == 0
    assert not common.next_attempt_allowed(NodeState(), NodeFailure("UserError", "bad input"), attempts=5)


def test_an_exhausted_retryable_failure_says_how_many_attempts_were_made() -> None:
    st = NodeState(attempt=2, system_failures=1)
    failure = common.exhausted(st, NodeFailure("ContainerFailed", "exit 1", retryable=True), attempts=2)
    assert failure.code == "RetriesExhausted|ContainerFailed"
    assert failure.message == "[2/2] currentAttempt done. Last Error: USER::exit 1"
    not_retryable = NodeFailure("UserError", "bad input")
    assert common.exhausted(st, not_retryable, attempts=2) is not_retryable
