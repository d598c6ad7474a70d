"""How a node fails: a code, a message, a kind (USER or SYSTEM) and whether another attempt may help."""

from __future__ import annotations

import base64

from flyteidl.core import execution_pb2

__all__ = ["NodeFailure", "decode_error", "encode_error", "error_kind"]


class NodeFailure(Exception):
    """Raised by node handlers and binding resolution; the engine turns it into a failed attempt or node."""

    def __init__(self, code: str, message: str, *, kind: str = "USER", retryable: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.kind = kind
        self.retryable = retryable

    def to_error(self) -> execution_pb2.ExecutionError:
        return execution_pb2.ExecutionError(
            code=self.code, message=self.message, kind=execution_pb2.ExecutionError.ErrorKind.Value(self.kind)
        )


def error_kind(error: execution_pb2.ExecutionError) -> str:
    """The NodeFailure kind ("USER" or "SYSTEM") of a recorded error, to pass a child's failure up."""
    return "SYSTEM" if error.kind == execution_pb2.ExecutionError.SYSTEM else "USER"


def encode_error(error: execution_pb2.ExecutionError) -> str:
    return base64.b64encode(error.SerializeToString()).decode()


def decode_error(text: str) -> execution_pb2.ExecutionError:
    return execution_pb2.ExecutionError.FromString(base64.b64decode(text)) if text else execution_pb2.ExecutionError()
