"""The execution identifiers operations take: messages or flytekit models, reported under the caller's name.

`what` defaults to flytekit's parameter name for the identifier, so a wrong argument is reported as
"workflow_execution_identifier must be a flyteidl.core.WorkflowExecutionIdentifier ...".
"""

from __future__ import annotations

from flyteidl.core import identifier_pb2

from flyteplane.client.idl import IdlLike, to_idl

__all__ = ["execution_id", "node_execution_id", "task_execution_id"]


def execution_id(
    value: IdlLike, what: str = "workflow_execution_identifier"
) -> identifier_pb2.WorkflowExecutionIdentifier:
    return to_idl(value, identifier_pb2.WorkflowExecutionIdentifier, what)


def node_execution_id(
    value: IdlLike, what: str = "node_execution_identifier"
) -> identifier_pb2.NodeExecutionIdentifier:
    return to_idl(value, identifier_pb2.NodeExecutionIdentifier, what)


def task_execution_id(
    value: IdlLike, what: str = "task_execution_identifier"
) -> identifier_pb2.TaskExecutionIdentifier:
    return to_idl(value, identifier_pb2.TaskExecutionIdentifier, what)
