"""Gate nodes: a sleep waits out its duration; a signal gate waits for its typed value, which becomes its
output; an approval passes its input through when approved and fails the node when rejected."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flyteidl.admin import signal_pb2 as admin_signal_pb2
from flyteidl.core import literals_pb2
from flytekit import approve, sleep, task, wait_for_input, workflow
from tests.unit.engine.harness import World, compiled, integer, integers

from flyteplane.engine.context import MAX_CHECK_IN, RoundContext
from flyteplane.engine.errors import decode_error
from flyteplane.engine.round import run_round
from flyteplane.engine.runner import Runner


@task
def double(x: int) -> int:
    return 2 * x


@task
def shift(a: int, b: int) -> int:
    return a + b


@workflow
def napper(x: int) -> int:
    nap = sleep(timedelta(seconds=5))
    doubled = double(x=x)
    nap >> doubled
    return doubled


@workflow
def asks(x: int) -> int:
    factor = wait_for_input("factor", timeout=timedelta(hours=1), expected_type=int)
    return shift(a=x, b=factor)


@workflow
def reviewed(x: int) -> int:
    return approve(double(x=x), "review", timeout=timedelta(hours=1))


class SetSignals:
    """The Signals port: a signal has a value once the test sets it."""

    def __init__(self) -> None:
        self.values: dict[str, literals_pb2.Literal] = {}

    def get_or_create_signal(self, request: admin_signal_pb2.SignalGetOrCreateRequest) -> admin_signal_pb2.Signal:
        signal = admin_signal_pb2.Signal(id=request.id, type=request.type)
        if request.id.signal_id in self.values:
            signal.value.CopyFrom(self.values[request.id.signal_id])
        return signal


def boolean(value: bool) -> literals_pb2.Literal:
    return literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(boolean=value)))


def evaluate(world: World) -> RoundContext:
    ctx = world.context()
    run_round(Runner(), ctx)
    return ctx


def gate_of(world: World) -> str:
    (gate,) = [n.id for n in world.closure.primary.template.nodes if n.WhichOneof("target") == "gate_node"]
    return str(gate)


def test_a_sleep_gate_waits_out_its_duration(tmp_path: Path) -> None:
    world = World(tmp_path, compiled(napper), integers(x=1))
    ctx = evaluate(world)
    assert world.state.nodes[gate_of(world)].phase == "RUNNING"
    assert ctx.next_check == world.now + 5
    assert world.executor.submitted == {}

    world.now += 5
    evaluate(world)
    assert world.state.nodes[gate_of(world)].phase == "SUCCEEDED"
    assert world.executor.running_task(double.name)


def test_a_signal_gate_waits_for_the_value_and_outputs_it(tmp_path: Path) -> None:
    signals = SetSignals()
    world = World(tmp_path, compiled(asks), integers(x=1), signals=signals)
    ctx = evaluate(world)
    assert world.state.nodes[gate_of(world)].phase == "RUNNING"
    assert ctx.next_check == world.now + 1, "polls, in case the wake-up is missed"

    signals.values["factor"] = integer(10)
    evaluate(world)
    assert world.state.nodes[gate_of(world)].phase == "SUCCEEDED"
    started = world.executor.running_task(shift.name)
    assert world.blobs.get_bytes(world.blobs.key_of(started.input_path)) == integers(a=1, b=10).SerializeToString()


def test_an_approved_gate_passes_its_input_through(tmp_path: Path) -> None:
    signals = SetSignals()
    world = World(tmp_path, compiled(reviewed), integers(x=3), signals=signals)
    evaluate(world)
    world.executor.succeed(double.name, integers(o0=6))
    evaluate(world)
    assert world.state.nodes[gate_of(world)].phase == "RUNNING"

    signals.values["review"] = boolean(True)
    evaluate(world)
    assert world.state.phase == "SUCCEEDED"
    assert world.outputs_of("end-node") == integers(o0=6)


def test_a_rejected_gate_fails_the_node(tmp_path: Path) -> None:
    signals = SetSignals()
    world = World(tmp_path, compiled(reviewed), integers(x=3), signals=signals)
    evaluate(world)
    world.executor.succeed(double.name, integers(o0=6))
    signals.values["review"] = boolean(False)
    evaluate(world)
    gate = world.state.nodes[gate_of(world)]
    assert gate.phase == "FAILED"
    assert decode_error(gate.error).code == "ReceivedRejectSignal"
    assert world.state.phase == "FAILED"


@workflow
def hibernates(x: int) -> int:
    nap = sleep(timedelta(days=9_999 * 365))
    doubled = double(x=x)
    nap >> doubled
    return doubled


def test_a_sleep_of_centuries_asks_for_a_look_within_a_day(tmp_path: Path) -> None:
    """Now plus 9,999 years is past the year 9999: the due time the engine stores must stay a datetime."""
    world = World(tmp_path, compiled(hibernates), integers(x=1))
    ctx = world.context()
    run_round(Runner(), ctx)
    assert ctx.next_check is not None
    assert 0 < ctx.next_check - world.now <= MAX_CHECK_IN
