"""Rows to query: versions, executions, node executions and attempts with only the columns a test cares about."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flyteidl.core import identifier_pb2
from sqlalchemy.orm import Session

from flyteplane.store.models import Execution, LaunchPlan, NodeExecution, Task, TaskExecution, Workflow

P, D = "flytesnacks", "development"
START = datetime(2024, 1, 1, 12, 0, 0)


def add_task(session: Session, name: str, version: str = "v1", project: str = P, domain: str = D, **extra: Any) -> Task:
    row = Task(project=project, domain=domain, name=name, version=version, closure=b"", digest="x", **extra)
    session.add(row)
    session.flush()
    return row


def add_workflow(session: Session, name: str, version: str = "v1", project: str = P, domain: str = D) -> Workflow:
    row = Workflow(
        project=project, domain=domain, name=name, version=version, typed_interface=b"", closure=b"c", digest="x"
    )
    session.add(row)
    session.flush()
    return row


def add_launch_plan(session: Session, name: str, workflow: Workflow, version: str = "v1", **extra: Any) -> LaunchPlan:
    row = LaunchPlan(
        project=workflow.project,
        domain=workflow.domain,
        name=name,
        version=version,
        workflow_id=workflow.id,
        spec=b"",
        closure=b"",
        digest="x",
        **extra,
    )
    session.add(row)
    session.flush()
    return row


def execution_id(name: str, project: str = P, domain: str = D) -> identifier_pb2.WorkflowExecutionIdentifier:
    return identifier_pb2.WorkflowExecutionIdentifier(project=project, domain=domain, name=name)


def add_execution(session: Session, name: str, workflow: Workflow, **extra: Any) -> Execution:
    values: dict[str, Any] = {
        "execution_project": workflow.project,
        "execution_domain": workflow.domain,
        "execution_name": name,
        "workflow_id": workflow.id,
        "spec": b"",
        "closure": b"",
    }
    row = Execution(**(values | extra))
    session.add(row)
    session.flush()
    return row


def node_id(execution: str, node: str) -> identifier_pb2.NodeExecutionIdentifier:
    return identifier_pb2.NodeExecutionIdentifier(execution_id=execution_id(execution), node_id=node)


def add_node_execution(session: Session, execution: str, node: str, **extra: Any) -> NodeExecution:
    row = NodeExecution(
        execution_project=P, execution_domain=D, execution_name=execution, node_id=node, closure=b"", **extra
    )
    session.add(row)
    session.flush()
    return row


def attempt_id(execution: str, node: str, task: str, retry: int = 0) -> identifier_pb2.TaskExecutionIdentifier:
    return identifier_pb2.TaskExecutionIdentifier(
        task_id=identifier_pb2.Identifier(
            resource_type=identifier_pb2.TASK, project=P, domain=D, name=task, version="v1"
        ),
        node_execution_id=node_id(execution, node),
        retry_attempt=retry,
    )


def attempt_values(execution: str, node: str, task: str, retry: int = 0, **extra: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "project": P,
        "domain": D,
        "name": task,
        "version": "v1",
        "execution_project": P,
        "execution_domain": D,
        "execution_name": execution,
        "node_id": node,
        "retry_attempt": retry,
        "closure": b"",
    }
    return values | extra


def add_task_execution(session: Session, execution: str, node: str, task: str, retry: int = 0) -> TaskExecution:
    row = TaskExecution(**attempt_values(execution, node, task, retry))
    session.add(row)
    session.flush()
    return row


def minutes(count: int) -> datetime:
    return START + timedelta(minutes=count)
