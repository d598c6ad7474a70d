"""Syncing an execution's node tree from what Flyte Admin reports: parents get their children, launch-plan nodes
the child execution they started, task nodes their attempts (with data only once the node is done)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flyteidl.admin import execution_pb2, node_execution_pb2, task_execution_pb2
from flyteidl.core import execution_pb2 as core_execution_pb2
from flyteidl.core import identifier_pb2, literals_pb2
from tests.unit.remote.fakes import NODE, WF, FakeClient, NoRemote, context, execution_id, task_id

from flyteplane.remote.executions import FlyteWorkflowExecution
from flyteplane.remote.syncing import sync_execution

TASK = core_execution_pb2.TaskExecution


def integer(value: int) -> Any:
    return literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(integer=value)))


def node(node_id: str, phase: int, execution: str = "e1", parent: bool = False, child: str = "") -> Any:
    closure = node_execution_pb2.NodeExecutionClosure(phase=phase)
    if child:
        closure.workflow_node_metadata.executionId.CopyFrom(execution_id(child))
    return node_execution_pb2.NodeExecution(
        id=identifier_pb2.NodeExecutionIdentifier(node_id=node_id, execution_id=execution_id(execution)),
        closure=closure,
        metadata=node_execution_pb2.NodeExecutionMetaData(is_parent_node=parent, spec_node_id=node_id),
    )


class TreeClient(FakeClient):
    """e1: n0 (task, done, one attempt), n1 (subworkflow parent of n1-0-n0), n2 (launch plan node -> e2),
    n3 (task still running); e2: one task node."""

    def __init__(self) -> None:
        super().__init__([WF.RUNNING])
        self.tree = {
            ("e1", ""): [
                node("n0", NODE.SUCCEEDED),
                node("n1", NODE.SUCCEEDED, parent=True),
                node("n2", NODE.SUCCEEDED, child="e2"),
                node("n3", NODE.RUNNING),
            ],
            ("e1", "n1"): [node("n1-0-n0", NODE.SUCCEEDED)],
            ("e2", ""): [node("n0", NODE.SUCCEEDED, execution="e2")],
        }

    def get_execution(self, ident: Any) -> Any:
        self.calls.append(f"GetExecution {ident.name}")
        phase = WF.RUNNING if ident.name == "e1" else WF.SUCCEEDED
        return execution_pb2.Execution(id=ident, closure=execution_pb2.ExecutionClosure(phase=phase))

    def get_execution_data(self, ident: Any) -> Any:
        data = execution_pb2.WorkflowExecutionGetDataResponse()
        data.full_inputs.literals["x"].CopyFrom(integer(1))
        data.full_outputs.literals["o0"].CopyFrom(integer(2))
        return data

    def iter_node_executions(self, ident: Any, **kwargs: Any) -> Iterator[Any]:
        return iter(self.tree.get((ident.name, kwargs.get("unique_parent_id") or ""), []))

    def get_node_execution_data(self, ident: Any) -> Any:
        data = node_execution_pb2.NodeExecutionGetDataResponse()
        data.full_outputs.literals["o0"].CopyFrom(integer(len(ident.node_id)))
        return data

    def iter_task_executions(self, ident: Any, **kwargs: Any) -> Iterator[Any]:
        phase = TASK.RUNNING if ident.node_id == "n3" else TASK.SUCCEEDED
        attempt = task_execution_pb2.TaskExecution(
            id=identifier_pb2.TaskExecutionIdentifier(task_id=task_id(), node_execution_id=ident),
            closure=task_execution_pb2.TaskExecutionClosure(phase=phase),
        )
        return iter([attempt])

    def get_task_execution_data(self, ident: Any) -> Any:
        self.calls.append(f"GetTaskExecutionData {ident.node_execution_id.node_id}")
        return task_execution_pb2.TaskExecutionGetDataResponse()


def synced() -> tuple[TreeClient, FlyteWorkflowExecution]:
    client = TreeClient()
    execution = FlyteWorkflowExecution(execution_pb2.Execution(id=execution_id("e1")), remote=NoRemote())  # type: ignore[arg-type]
    return client, sync_execution(context(client), execution, sync_nodes=True)


def test_the_node_tree_follows_what_admin_reports() -> None:
    _, execution = synced()
    nodes = execution.node_executions

    assert list(nodes) == ["n0", "n1", "n2", "n3"]
    assert [t.current_state for t in nodes["n0"].task_executions] == ["SUCCEEDED"]
    assert list(nodes["n1"].subworkflow_node_executions) == ["n1-0-n0"]
    (child,) = nodes["n2"].workflow_executions
    assert child.id.name == "e2" and child.is_successful and list(child.node_executions) == ["n0"]
    assert nodes["n2"].executions == [child]


def test_outputs_are_read_only_for_finished_successful_runs() -> None:
    client, execution = synced()
    assert execution.inputs is not None and execution.inputs["x"] == 1
    assert execution.is_done is False
    nodes = execution.node_executions
    assert nodes["n0"].outputs is not None and nodes["n0"].outputs["o0"] == 2
    assert nodes["n3"].inputs is not None
    # Attempt data is fetched once a node is done, never for the running n3.
    assert "GetTaskExecutionData n0" in client.calls and "GetTaskExecutionData n3" not in client.calls


def test_a_running_executions_outputs_and_error_are_refused_until_done() -> None:
    import pytest

    from flyteplane.remote import FlyteAssertion

    _, execution = synced()
    with pytest.raises(FlyteAssertion, match="wait until the execution has completed"):
        execution.outputs  # noqa: B018
    with pytest.raises(FlyteAssertion, match="before checking for an error"):
        execution.error  # noqa: B018
