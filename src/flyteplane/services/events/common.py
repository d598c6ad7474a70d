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
    """The (error_kind, error_code) columns lists filter on."""
    return core_execution_pb2.ExecutionError.ErrorKind.Name(error.kind), error.code[:_MAX_CODE_LENGTH]
