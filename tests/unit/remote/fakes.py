"""An in-memory stand-in for SynchronousFlyteClient: just the calls FlyteRemote's modules make, no sockets."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flyteidl.admin import execution_pb2, node_execution_pb2
from flyteidl.core import execution_pb2 as core_execution_pb2
from flyteidl.core import identifier_pb2

from flyteplane.client import FlyteEntityNotExistException
from flyteplane.remote.config import Config
from flyteplane.remote.context import RemoteContext

WF = core_execution_pb2.WorkflowExecution
NODE = core_execution_pb2.NodeExecution


def execution_id(name: str = "e1") -> Any:
    return identifier_pb2.WorkflowExecutionIdentifier(project="p", domain="d", name=name)


def task_id(name: str = "t", version: str = "v1") -> Any:
    return identifier_pb2.Identifier(
        resource_type=identifier_pb2.TASK, project="p", domain="d", name=name, version=version
    )


class FakeClient:
    """Executions advance one phase per GetExecution; every call is recorded in `calls`."""

    def __init__(self, phases: list[int] | None = None, nodes: list[Any] | None = None) -> None:
        self.phases = list(phases or [WF.SUCCEEDED])
        self.nodes = list(nodes or [])
        self.calls: list[str] = []
        self.tasks: dict[str, Any] = {}
        self.created: list[Any] = []

    def _execution(self, ident: Any, phase: int) -> Any:
        return execution_pb2.Execution(
            id=ident,
            spec=execution_pb2.ExecutionSpec(launch_plan=task_id()),
            closure=execution_pb2.ExecutionClosure(phase=phase),
        )

    def get_execution(self, ident: Any) -> Any:
        self.calls.append("GetExecution")
        phase = self.phases.pop(0) if len(self.phases) > 1 else self.phases[0]
        return self._execution(ident, phase)

    def get_execution_data(self, ident: Any) -> Any:
        self.calls.append("GetExecutionData")
        return execution_pb2.WorkflowExecutionGetDataResponse()

    def iter_node_executions(self, ident: Any, **kwargs: Any) -> Iterator[Any]:
        self.calls.append("ListNodeExecutions")
        return iter(self.nodes if not kwargs.get("unique_parent_id") else [])

    def iter_task_executions(self, ident: Any, **kwargs: Any) -> Iterator[Any]:
        self.calls.append("ListTaskExecutions")
        return iter([])

    def get_node_execution_data(self, ident: Any) -> Any:
        self.calls.append("GetNodeExecutionData")
        return node_execution_pb2.NodeExecutionGetDataResponse()

    def get_task(self, ident: Any) -> Any:
        self.calls.append("GetTask")
        key = ident.SerializeToString(deterministic=True)
        if key not in self.tasks:
            raise FlyteEntityNotExistException("no such task")
        return self.tasks[key]

    def list_tasks_paginated(self, identifier: Any, **kwargs: Any) -> tuple[list[Any], str]:
        self.calls.append("ListTasks")
        return [task for task in self.tasks.values() if task.id.name == identifier.name][:1], ""

    def create_execution(self, project: str, domain: str, name: str | None, spec: Any, inputs: Any) -> Any:
        self.calls.append("CreateExecution")
        self.created.append((project, domain, name, spec, inputs))
        return execution_id(name or "generated")

    def close(self) -> None:
        pass


def node(node_id: str, phase: int) -> Any:
    return node_execution_pb2.NodeExecution(
        id=identifier_pb2.NodeExecutionIdentifier(node_id=node_id, execution_id=execution_id()),
        closure=node_execution_pb2.NodeExecutionClosure(phase=phase),
    )


class NoRemote:
    """An execution's remote handle, unused by these tests."""

    def sync_execution(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("not expected")

    wait = sync_execution
    generate_console_url = sync_execution


def context(client: FakeClient, project: str | None = "p", domain: str | None = "d") -> RemoteContext:
    return RemoteContext(NoRemote(), Config.for_sandbox(), lambda: client, project, domain, "flyte://b/")  # type: ignore[arg-type,return-value]
