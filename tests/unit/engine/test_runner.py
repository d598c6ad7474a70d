"""The runner dispatches every node through the handler table: one handler per kind, recovery first, a
NodeFailure recorded on the node, and an abort that lets the kind's handler stop what it started."""

from __future__ import annotations

from pathlib import Path

from flyteidl.core import execution_pb2, literals_pb2, workflow_pb2
from flytekit import task, workflow
from tests.unit.engine.harness import World, compiled, integers

from flyteplane.engine.context import RoundContext
from flyteplane.engine.errors import NodeFailure, decode_error
from flyteplane.engine.events import NodePhase, NodeRef
from flyteplane.engine.nodes.handler import NodeKind
from flyteplane.engine.place import NodePlace
from flyteplane.engine.runner import Runner
from flyteplane.engine.state import NodeState


@task
def double(x: int) -> int:
    return 2 * x


@workflow
def single(x: int) -> int:
    return double(x=x)


class RecordingHandler:
    def __init__(self, failure: NodeFailure | None = None) -> None:
        self.failure = failure
        self.calls: list[tuple[str, str]] = []

    def step(self, ctx: RoundContext, place: NodePlace, st: NodeState) -> None:
        self.calls.append(("step", place.unique_id))
        if self.failure is not None:
            raise self.failure

    def abort(self, ctx: RoundContext, place: NodePlace, st: NodeState, reason: str) -> None:
        self.calls.append(("abort", reason))


def gate_place(node_id: str = "n0") -> NodePlace:
    return NodePlace(
        node=workflow_pb2.Node(id=node_id, gate_node=workflow_pb2.GateNode()),
        ref=NodeRef(unique_id=node_id, spec_node_id=node_id, name=node_id),
        data_dir=f"metadata/{node_id}",
        outputs_of=lambda _: literals_pb2.LiteralMap(),
    )


def test_every_node_kind_has_a_handler() -> None:
    assert set(Runner().handlers) == set(NodeKind)


def test_a_node_is_stepped_by_the_handler_of_its_kind(tmp_path: Path) -> None:
    world = World(tmp_path, compiled(single), integers(x=1))
    runner = Runner()
    gates = runner.handlers[NodeKind.GATE] = RecordingHandler()
    runner.step_node(world.context(), gate_place(), world.state.node("n0"))
    assert gates.calls == [("step", "n0")]


def test_a_failure_raised_by_a_handler_fails_the_node_queued_first(tmp_path: Path) -> None:
    world = World(tmp_path, compiled(single), integers(x=1))
    runner = Runner()
    runner.handlers[NodeKind.GATE] = RecordingHandler(NodeFailure("Broken", "the handler failed", kind="SYSTEM"))
    st = world.state.node("n0")
    runner.step_node(world.context(), gate_place(), st)
    assert st.phase == "FAILED"
    assert decode_error(st.error).code == "Broken"
    assert decode_error(st.error).kind == execution_pb2.ExecutionError.SYSTEM
    assert world.events.node_phases("n0") == [NodePhase.QUEUED, NodePhase.FAILED]


def test_a_node_without_a_target_fails_as_unsupported(tmp_path: Path) -> None:
    world = World(tmp_path, compiled(single), integers(x=1))
    place = NodePlace(
        node=workflow_pb2.Node(id="n9"),
        ref=NodeRef(unique_id="n9", spec_node_id="n9", name="n9"),
        data_dir="metadata/n9",
        outputs_of=lambda _: literals_pb2.LiteralMap(),
    )
    st = world.state.node("n9")
    Runner().step_node(world.context(), place, st)
    assert st.phase == "FAILED"
    assert decode_error(st.error).code == "UnsupportedNode"


def test_an_abort_asks_the_kind_s_handler_then_records_the_node_aborted(tmp_path: Path) -> None:
    world = World(tmp_path, compiled(single), integers(x=1))
    runner = Runner()
    gates = runner.handlers[NodeKind.GATE] = RecordingHandler()
    st = world.state.node("n0")
    st.phase = "RUNNING"
    runner.abort_node(world.context(), gate_place(), st, "Workflow aborted.")
    assert gates.calls == [("abort", "Workflow aborted.")]
    assert st.phase == "ABORTED"
    assert world.events.node_phases("n0") == [NodePhase.ABORTED]
