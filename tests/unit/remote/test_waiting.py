"""wait(): cheap polls at a growing interval, one full sync at the end, a timeout, and progress on terminals."""

from __future__ import annotations

import io
import itertools

import pytest
from flyteidl.admin import execution_pb2
from tests.unit.remote.fakes import NODE, WF, FakeClient, NoRemote, context, execution_id, node

from flyteplane.client import FlyteTimeout
from flyteplane.remote.executions import FlyteWorkflowExecution
from flyteplane.remote.waiting import FAST_POLLS, FIRST_POLL, LAST_POLL, intervals, wait


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def started(client: FakeClient) -> FlyteWorkflowExecution:
    return FlyteWorkflowExecution(execution_pb2.Execution(id=execution_id()), remote=NoRemote())  # type: ignore[arg-type]


def test_intervals_stay_short_for_ten_seconds_then_grow_to_the_last_poll_or_stay_fixed() -> None:
    pauses = list(itertools.islice(intervals(None), FAST_POLLS + 12))
    assert pauses[:FAST_POLLS] == [FIRST_POLL] * FAST_POLLS
    assert sum(pauses[:FAST_POLLS]) == pytest.approx(10.0)
    assert pauses[FAST_POLLS] > FIRST_POLL and pauses[-1] == LAST_POLL
    assert pauses == sorted(pauses)
    assert list(itertools.islice(intervals(2.0), 3)) == [2.0, 2.0, 2.0]
    with pytest.raises(ValueError, match="must be positive"):
        next(intervals(0))


def test_polls_are_one_get_each_and_the_full_sync_happens_once_at_the_end() -> None:
    client = FakeClient([WF.QUEUED, WF.RUNNING, WF.RUNNING, WF.SUCCEEDED], nodes=[node("n0", NODE.SUCCEEDED)])
    clock = Clock()

    done = wait(context(client), started(client), clock=clock, sleep=clock.sleep, show_progress=False)

    assert done.is_successful
    assert client.calls[:4] == ["GetExecution"] * 4
    assert client.calls[4:6] == ["GetExecution", "GetExecutionData"]
    assert "ListNodeExecutions" in client.calls[6:]  # sync_nodes=True by default, once
    assert clock.sleeps == [FIRST_POLL] * 3
    assert list(done.node_executions) == ["n0"]


def test_a_fixed_poll_interval_is_honoured() -> None:
    client = FakeClient([WF.RUNNING, WF.RUNNING, WF.SUCCEEDED])
    clock = Clock()
    wait(
        context(client),
        started(client),
        poll_interval=7,
        sync_nodes=False,
        clock=clock,
        sleep=clock.sleep,
        show_progress=False,
    )
    assert clock.sleeps == [7.0, 7.0]


def test_an_execution_still_running_at_the_timeout_raises_flyte_timeout() -> None:
    client = FakeClient([WF.RUNNING])
    clock = Clock()
    with pytest.raises(FlyteTimeout, match="did not complete before timeout"):
        wait(context(client), started(client), timeout=1.0, clock=clock, sleep=clock.sleep, show_progress=False)
    assert sum(clock.sleeps) == pytest.approx(1.0)  # the last pause is cut to the deadline


def test_progress_shows_phase_and_node_counts_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    from flyteplane.remote import waiting
    from flyteplane.remote.progress import _PlainProgress

    nodes = [node("start-node", NODE.SUCCEEDED), node("n0", NODE.SUCCEEDED), node("n1", NODE.RUNNING)]
    client = FakeClient([WF.RUNNING, WF.SUCCEEDED], nodes=nodes)
    clock = Clock()
    terminal = Terminal()
    monkeypatch.setattr(waiting, "progress_display", lambda stream, enabled: _PlainProgress(terminal))

    wait(context(client), started(client), clock=clock, sleep=clock.sleep)

    lines = terminal.getvalue().split("\r")[1:]
    assert lines[0] == "e1  RUNNING  nodes 1/2 done, 1 running"  # start and end nodes are not counted
    assert lines[-1] == "e1  SUCCEEDED  nodes 1/2 done, 1 running\n"


def test_rich_draws_the_progress_and_leaves_the_last_line(monkeypatch: pytest.MonkeyPatch) -> None:
    from flyteplane.remote.progress import progress_display

    terminal = Terminal()
    display = progress_display(terminal)
    assert display is not None and type(display).__name__ == "_RichProgress"
    display.update("e1  RUNNING  nodes 0/1 done")
    display.close("e1  SUCCEEDED  nodes 1/1 done")
    assert "e1  SUCCEEDED  nodes 1/1 done" in terminal.getvalue()


def test_no_progress_is_shown_when_not_on_a_terminal() -> None:
    from flyteplane.remote.progress import progress_display

    assert progress_display(io.StringIO()) is None
    assert progress_display(Terminal(), enabled=False) is None
    assert progress_display(io.StringIO(), enabled=True) is not None
