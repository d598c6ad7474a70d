"""What the three event kinds share: the size refusal of inlined outputs and the error columns lists filter on."""

from __future__ import annotations

from flyteidl.core import execution_pb2 as core_execution_pb2

from flyteplane.errors import ResourceExhausted
from flyteplane.services.executions.data import ExecutionData

__all__ = ["error_columns", "too_large"]

_MAX_CODE_LENGTH = 255


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
