"""Gate nodes: sleep, wait for a typed signal, or wait for an approval (§8.7, §9)."""

from __future__ import annotations

from flyteidl.admin import signal_pb2 as admin_signal_pb2
from flyteidl.core import identifier_pb2, literals_pb2, types_pb2

from flyteplane.engine.context import RoundContext
from flyteplane.engine.errors import NodeFailure
from flyteplane.engine.nodes import common
from flyteplane.engine.place import NodePlace
from flyteplane.engine.state import NodeState

__all__ = ["GateNodeHandler"]

SIGNAL_POLL = 1.0  # a set signal also wakes the execution at once; this is the fallback


class GateNodeHandler:
    def step(self, ctx: RoundContext, place: NodePlace, st: NodeState) -> None:
        gate = place.node.gate_node
        if st.phase == "NOT_STARTED":
            common.queue(ctx, place, st)
            st.gate_started_at = ctx.now
            common.running(ctx, place, st)
        if st.phase != "RUNNING":
            return
        kind = gate.WhichOneof("condition")
        output_dir = place.attempt_dir(st.attempt)
        if kind == "sleep":
            duration = gate.sleep.duration.seconds + gate.sleep.duration.nanos / 1e9
            remaining = st.gate_started_at + duration - ctx.now
            if remaining > 0:
                ctx.wants_check_in(remaining)
                return
            common.succeed(ctx, place, st, output_dir)
        elif kind == "signal":
            value = self._signal(ctx, gate.signal.signal_id, gate.signal.type)
            if value is None:
                return
            outputs = literals_pb2.LiteralMap()
            outputs.literals[gate.signal.output_variable_name].CopyFrom(value)
            ctx.write_literal_map(f"{output_dir}/outputs.pb", outputs)
            common.succeed(ctx, place, st, output_dir)
        elif kind == "approve":
            boolean = types_pb2.LiteralType(simple=types_pb2.BOOLEAN)
            value = self._signal(ctx, gate.approve.signal_id, boolean)
            if value is None:
                return
            primitive = value.scalar.primitive
            if primitive.WhichOneof("value") != "boolean":
                common.fail(
                    ctx,
                    place,
                    st,
                    NodeFailure("UnknownSignalValue", "approval signal must be a boolean", kind="SYSTEM"),
                )
            elif not primitive.boolean:
                common.fail(
                    ctx,
                    place,
                    st,
                    NodeFailure("ReceivedRejectSignal", f"received reject signal on node {place.node.id}"),
                )
            else:
                ctx.write_literal_map(f"{output_dir}/outputs.pb", common.inputs_of(ctx, place))
                common.succeed(ctx, place, st, output_dir)
        else:
            common.fail(ctx, place, st, NodeFailure("NoConditionFound", "gate node has no condition"))

    def _signal(self, ctx: RoundContext, signal_id: str, kind: types_pb2.LiteralType) -> literals_pb2.Literal | None:
        signal = ctx.signals.get_or_create_signal(
            admin_signal_pb2.SignalGetOrCreateRequest(
                id=identifier_pb2.SignalIdentifier(signal_id=signal_id, execution_id=ctx.execution.id), type=kind
            )
        )
        if signal.HasField("value"):
            return signal.value
        ctx.wants_check_in(SIGNAL_POLL)
        return None

    def abort(self, ctx: RoundContext, place: NodePlace, st: NodeState, reason: str) -> None:
        return None
