"""What the event kinds share: the size refusal of inlined outputs, the error columns lists filter on, and how
node and task events record their inputs and outputs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flyteidl.core import execution_pb2 as core_execution_pb2

from flyteplane.errors import ResourceExhausted
from flyteplane.services.executions.data import ExecutionData
from flyteplane.store.db import Database

__all__ = ["EventRecorder", "error_columns", "first_input_uri", "record_outputs", "too_large"]

_MAX_CODE_LENGTH = 255


@dataclass(eq=False)
class EventRecorder:
    """What recording any event kind needs: the database, and the blob store for offloaded data."""

    db: Database
    data: ExecutionData


def too_large(data: ExecutionData, size: int) -> ResourceExhausted:
    return ResourceExhausted(
        f"Output data size exceeds platform configured threshold ({size} > {data.max_inline_bytes})"
    )


def error_columns(error: core_execution_pb2.ExecutionError) -> tuple[str, str]:
    """The (error_kind, error_code) columns lists filter on; a kind flyteidl does not name is stored as its number,
    as Go prints an unknown enum value (it used to end the event as INTERNAL)."""
    kinds = core_execution_pb2.ExecutionError.ErrorKind
    kind = kinds.Name(error.kind) if error.kind in kinds.values() else str(error.kind)
    return kind, error.code[:_MAX_CODE_LENGTH]


def first_input_uri(data: ExecutionData, current: str | None, event: Any, parts: Sequence[str]) -> str:
    """Inputs are fixed for a node execution or an attempt: only the first event that carries them counts
    (inline input data is offloaded under `parts`)."""
    if current:
        return current
    if event.input_uri:
        return str(event.input_uri)
    if event.HasField("input_data"):
        return data.offload(parts, event.input_data)
    return ""


def record_outputs(data: ExecutionData, closure: Any, event: Any, parts: Sequence[str]) -> bool:
    """A terminal event's outputs (a URI, or inline data offloaded under `parts`) or else its error, on the
    closure; True when it was the error."""
    if event.output_uri:
        closure.output_uri = event.output_uri
    elif event.HasField("output_data"):
        closure.output_uri = data.offload(parts, event.output_data)
    elif event.HasField("error"):
        closure.error.CopyFrom(event.error)
        return True
    return False
