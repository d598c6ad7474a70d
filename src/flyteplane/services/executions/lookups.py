"""Execution, node execution and task execution identifiers: flyteadmin's checks, and the rows they name."""

from __future__ import annotations

from typing import Any

from flyteidl.core import identifier_pb2
from sqlalchemy.orm import Session

from flyteplane.compiler.prototext import go_text
from flyteplane.errors import InvalidArgument, NotFound
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
    "validate_execution_id",
    "validate_node_execution_id",
    "validate_task_execution_id",
]


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
    if not identifier.HasField("node_execution_id"):
        raise InvalidArgument("missing node_execution_id")
    validate_node_execution_id(identifier.node_execution_id)
    if not identifier.HasField("task_id"):
        raise InvalidArgument("missing task_id")
    validate_identifier(identifier.task_id, identifier_pb2.TASK)


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
        task_id=identifier_pb2.Identifier(
            resource_type=identifier_pb2.TASK,
            project=row.project,
            domain=row.domain,
            name=row.name,
            version=row.version,
        ),
        node_execution_id=node_execution_identifier(row),
        retry_attempt=row.retry_attempt,
    )


def execution_row(
    session: Session, identifier: identifier_pb2.WorkflowExecutionIdentifier, *, lock: bool = False
) -> ExecutionRow:
    row = executions.find(session, identifier, lock=lock)
    if row is None:
        bare = identifier_pb2.WorkflowExecutionIdentifier(
            project=identifier.project, domain=identifier.domain, name=identifier.name
        )
        raise NotFound(f"missing entity of type execution with identifier [{text(bare)}]")
    return row


def node_execution_row(
    session: Session, identifier: identifier_pb2.NodeExecutionIdentifier, *, lock: bool = False
) -> NodeExecutionRow:
    row = node_executions.find(session, identifier, lock=lock)
    if row is None:
        raise NotFound(f"missing entity of type node execution with identifier [{text(identifier)}]")
    return row


def task_execution_row(
    session: Session, identifier: identifier_pb2.TaskExecutionIdentifier, *, lock: bool = False
) -> TaskExecutionRow:
    row = task_executions.find(session, identifier, lock=lock)
    if row is None:
        raise NotFound(f"missing entity of type task execution with identifier [{text(identifier)}]")
    return row
