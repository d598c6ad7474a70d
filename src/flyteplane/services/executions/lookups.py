"""Execution, node execution and task execution identifiers: flyteadmin's checks, and the rows they name."""

from __future__ import annotations

from typing import Any

from flyteidl.core import identifier_pb2
from sqlalchemy import select
from sqlalchemy.orm import Session

from flyteplane.compiler.prototext import go_text
from flyteplane.errors import InvalidArgument, NotFound
from flyteplane.services.common.validation import require, validate_identifier
from flyteplane.store.models import Execution, NodeExecution, TaskExecution

__all__ = [
    "MAX_INT32",
    "execution_identifier",
    "execution_row",
    "find_execution_row",
    "find_node_execution_row",
    "find_task_execution_row",
    "node_execution_identifier",
    "node_execution_row",
    "task_execution_identifier",
    "task_execution_row",
    "text",
    "validate_execution_id",
    "validate_node_execution_id",
    "validate_task_execution_id",
]

MAX_INT32 = 2**31 - 1
"""uint32 fields (retry attempts, phase versions) are stored in 32-bit signed columns."""


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
    row: Execution | NodeExecution | TaskExecution,
) -> identifier_pb2.WorkflowExecutionIdentifier:
    return identifier_pb2.WorkflowExecutionIdentifier(
        project=row.execution_project, domain=row.execution_domain, name=row.execution_name
    )


def node_execution_identifier(row: NodeExecution | TaskExecution) -> identifier_pb2.NodeExecutionIdentifier:
    return identifier_pb2.NodeExecutionIdentifier(node_id=row.node_id, execution_id=execution_identifier(row))


def task_execution_identifier(row: TaskExecution) -> identifier_pb2.TaskExecutionIdentifier:
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


def find_execution_row(
    session: Session, identifier: identifier_pb2.WorkflowExecutionIdentifier, *, lock: bool = False
) -> Execution | None:
    stmt = select(Execution).where(
        Execution.execution_project == identifier.project,
        Execution.execution_domain == identifier.domain,
        Execution.execution_name == identifier.name,
    )
    return session.scalar(stmt.with_for_update() if lock else stmt)


def execution_row(
    session: Session, identifier: identifier_pb2.WorkflowExecutionIdentifier, *, lock: bool = False
) -> Execution:
    row = find_execution_row(session, identifier, lock=lock)
    if row is None:
        bare = identifier_pb2.WorkflowExecutionIdentifier(
            project=identifier.project, domain=identifier.domain, name=identifier.name
        )
        raise NotFound(f"missing entity of type execution with identifier [{text(bare)}]")
    return row


def find_node_execution_row(
    session: Session, identifier: identifier_pb2.NodeExecutionIdentifier, *, lock: bool = False
) -> NodeExecution | None:
    execution = identifier.execution_id
    stmt = select(NodeExecution).where(
        NodeExecution.execution_project == execution.project,
        NodeExecution.execution_domain == execution.domain,
        NodeExecution.execution_name == execution.name,
        NodeExecution.node_id == identifier.node_id,
    )
    return session.scalar(stmt.with_for_update() if lock else stmt)


def node_execution_row(
    session: Session, identifier: identifier_pb2.NodeExecutionIdentifier, *, lock: bool = False
) -> NodeExecution:
    row = find_node_execution_row(session, identifier, lock=lock)
    if row is None:
        raise NotFound(f"missing entity of type node execution with identifier [{text(identifier)}]")
    return row


def find_task_execution_row(
    session: Session, identifier: identifier_pb2.TaskExecutionIdentifier, *, lock: bool = False
) -> TaskExecution | None:
    if identifier.retry_attempt > MAX_INT32:  # the column cannot hold it, so no such row exists
        return None
    task, node = identifier.task_id, identifier.node_execution_id
    stmt = select(TaskExecution).where(
        TaskExecution.execution_project == node.execution_id.project,
        TaskExecution.execution_domain == node.execution_id.domain,
        TaskExecution.execution_name == node.execution_id.name,
        TaskExecution.node_id == node.node_id,
        TaskExecution.project == task.project,
        TaskExecution.domain == task.domain,
        TaskExecution.name == task.name,
        TaskExecution.version == task.version,
        TaskExecution.retry_attempt == identifier.retry_attempt,
    )
    return session.scalar(stmt.with_for_update() if lock else stmt)


def task_execution_row(
    session: Session, identifier: identifier_pb2.TaskExecutionIdentifier, *, lock: bool = False
) -> TaskExecution:
    row = find_task_execution_row(session, identifier, lock=lock)
    if row is None:
        raise NotFound(f"missing entity of type task execution with identifier [{text(identifier)}]")
    return row
