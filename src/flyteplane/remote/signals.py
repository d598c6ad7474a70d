"""Signals: answering the gate nodes an execution waits on (approvals, and inputs from people or systems)."""

from __future__ import annotations

from typing import Any

from flyteidl.admin import signal_pb2
from flyteidl.core import identifier_pb2

from flyteplane.client.filters import FiltersLike
from flyteplane.remote.context import RemoteContext

__all__ = ["list_signals", "set_input"]


def _execution_id(ctx: RemoteContext, execution_name: str, project: str | None, domain: str | None) -> Any:
    project, domain = ctx.scope(project, domain)
    return identifier_pb2.WorkflowExecutionIdentifier(project=project, domain=domain, name=execution_name)


def list_signals(
    ctx: RemoteContext,
    execution_name: str,
    project: str | None = None,
    domain: str | None = None,
    limit: int = 100,
    filters: FiltersLike = None,
) -> list[Any]:
    """The execution's signals (admin Signal messages: `id.signal_id`, `type`, `value` once set), first page."""
    signals, _ = ctx.client.list_signals_paginated(
        _execution_id(ctx, execution_name, project, domain), limit=limit, filters=filters
    )
    return signals


def set_input(
    ctx: RemoteContext,
    signal_id: str,
    execution_name: str,
    value: Any,
    project: str | None = None,
    domain: str | None = None,
    python_type: Any = None,
    literal_type: Any = None,
) -> None:
    """Answers a `wait_for_input` gate: a Literal as is, else a Python value converted with the types given.

    Without a literal type, the signal's own type (as the gate node declared it) guides the conversion.
    """
    execution_id = _execution_id(ctx, execution_name, project, domain)
    if literal_type is None and python_type is None:
        literal_type = _declared_type(ctx, execution_id, signal_id)
    if literal_type is not None and hasattr(literal_type, "to_flyte_idl"):
        literal_type = literal_type.to_flyte_idl()
    literal = ctx.converter.to_literal(value, literal_type, python_type)
    request = signal_pb2.SignalSetRequest(
        id=identifier_pb2.SignalIdentifier(signal_id=signal_id, execution_id=execution_id), value=literal
    )
    ctx.client.set_signal(request)


def _declared_type(ctx: RemoteContext, execution_id: Any, signal_id: str) -> Any:
    for signal in ctx.client.iter_signals(execution_id):
        if signal.id.signal_id == signal_id:
            return signal.type
    return None
