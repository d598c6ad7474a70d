"""Execution, node execution and task execution identifiers: flyteadmin's checks, and the rows they name."""

from __future__ import annotations

from typing import Any, TypeVar

from flyteidl.core import identifier_pb2
from sqlalchemy.orm import Session

from flyteplane.compiler.prototext import go_text
from flyteplane.errors import InvalidArgument, NotFound
from flyteplane.services.common.identifiers import identifier_of
from flyteplane.services.common.validation import require, validate_identifier
from flyteplane.store.repositories import executions, node_executions, task_executions
from flyteplane.store.repositories.executions import ExecutionRow
from flyteplane.store.repositories.node_executions import NodeExecutionRow
from flyteplane.store.repositories.task_executions import MAX_INT32, TaskExecutionRow

__all__ = [
    "MAX_INT32",
    "execution_identifier",
    "execution_row",
    "node_execution_identifier",
    "node_execution_row",
    "task_execution_identifier",
    "task_execution_row",
    "text",
    "validate_attempt_parts",
    "validate_execution_id",
    "validate_node_execution_id",
    "validate_task_execution_id",
]

Row = TypeVar("Row")


def text(identifier: Any) -> str:
    """An identifier as Go prints it in flyteadmin's messages (`project:"p" domain:"d" name:"n"`)."""
    return go_text(identifier)


def validate_execution_id(identifier: identifier_pb2.WorkflowExecutionIdentifier, *, present: bool = True) -> None:
    if not present:
        raise InvalidArgument("missing id")
    require(identifier.project, "missing project")
    require(identifier.domain, "missing domain")
    require(identifier.name, "missing name")


def validate_node_execution_id(identifier: identifier_pb2.NodeExecutionIdentifier, *, present: bool = True) -> None:
    if not present:
        raise InvalidArgument("missing id")
    if not identifier.HasField("execution_id"):
        raise InvalidArgument("missing execution_id")
    require(identifier.node_id, "missing node_id")
    validate_execution_id(identifier.execution_id)


def validate_task_execution_id(identifier: identifier_pb2.TaskExecutionIdentifier, *, present: bool = True) -> None:
    if not present:
        raise InvalidArgument("missing id")
    validate_attempt_parts(identifier, "node_execution_id")


def validate_attempt_parts(holder: Any, node_field: str) -> None:
    """The node execution (in `node_field`) and the task of an attempt, as identifiers and events carry them."""
    if not holder.HasField(node_field):
        raise InvalidArgument("missing node_execution_id")
    validate_node_execution_id(getattr(holder, node_field))
    if not holder.HasField("task_id"):
        raise InvalidArgument("missing task_id")
    validate_identifier(holder.task_id, identifier_pb2.TASK)


def execution_identifier(
    row: ExecutionRow | NodeExecutionRow | TaskExecutionRow,
) -> identifier_pb2.WorkflowExecutionIdentifier:
    return identifier_pb2.WorkflowExecutionIdentifier(
        project=row.execution_project, domain=row.execution_domain, name=row.execution_name
    )


def node_execution_identifier(row: NodeExecutionRow | TaskExecutionRow) -> identifier_pb2.NodeExecutionIdentifier:
    return identifier_pb2.NodeExecutionIdentifier(node_id=row.node_id, execution_id=execution_identifier(row))


def task_execution_identifier(row: TaskExecutionRow) -> identifier_pb2.TaskExecutionIdentifier:
    return identifier_pb2.TaskExecutionIdentifier(
        task_id=identifier_of(identifier_pb2.TASK, row),
        node_execution_id=node_execution_identifier(row),
        retry_attempt=row.retry_attempt,
    )


def execution_row(
    session: Session, identifier: identifier_pb2.WorkflowExecutionIdentifier, *, lock: bool = False
) -> ExecutionRow:
    bare = identifier_pb2.WorkflowExecutionIdentifier(
        project=identifier.project, domain=identifier.domain, name=identifier.name
    )
    return _required(executions.find(session, identifier, lock=lock), "execution", bare)


def node_execution_row(
    session: Session, identifier: identifier_pb2.NodeExecutionIdentifier, *, lock: bool = False
) -> NodeExecutionRow:
    return _required(node_executions.find(session, identifier, lock=lock), "node execution", identifier)


def task_execution_row(
    session: Session, identifier: identifier_pb2.TaskExecutionIdentifier, *, lock: bool = False
) -> TaskExecutionRow:
    return _required(task_executions.find(session, identifier, lock=lock), "task execution", identifier)


def _required(row: Row | None, kind: str, identifier: Any) -> Row:
    if row is None:
        raise NotFound(f"missing entity of type {kind} with identifier [{text(identifier)}]")
    return row
