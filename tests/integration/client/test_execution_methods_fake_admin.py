"""Execution, node, task, signal and data methods, and the execution samples of seed 004, against a FAKE Admin.

FAKE ADMIN: written while flyteplane answered these RPCs with UNIMPLEMENTED. The execution engine has since
landed and test_executions.py runs the same methods (and the seed's execution sample) against the real server;
this fake stays for what a real server cannot be steered into on demand: exact page tokens, fixed phases and
URLs, GetData and deck links of known content, and the seed's samples verbatim (names the real server refuses).
All tests here are marked `fake_admin`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from flyteidl.admin import (
    common_pb2,
    execution_pb2,
    node_execution_pb2,
    signal_pb2,
    task_execution_pb2,
)
from flyteidl.core import execution_pb2 as core_execution_pb2
from flyteidl.core import identifier_pb2, literals_pb2, metrics_pb2
from flyteidl.service import dataproxy_pb2
from tests.unit.client.fakes import ScriptedServer, scripted_server

from flyteplane.client import (
    AsyncFlyteClient,
    FlyteEntityAlreadyExistsException,
    FlyteEntityNotExistException,
    SynchronousFlyteClient,
)

pytestmark = pytest.mark.fake_admin

PROJECT, DOMAIN = "my-project", "development"


class FakeAdmin:
    """Executions kept in a dict: enough Admin behaviour to answer every execution RPC the client sends."""

    def __init__(self, server: ScriptedServer) -> None:
        self.executions: dict[str, Any] = {}
        for rpc in (
            "CreateExecution",
            "RecoverExecution",
            "RelaunchExecution",
            "TerminateExecution",
            "GetExecution",
            "GetExecutionData",
            "GetExecutionMetrics",
            "ListExecutions",
            "GetNodeExecution",
            "GetNodeExecutionData",
            "ListNodeExecutions",
            "ListNodeExecutionsForTask",
            "GetTaskExecution",
            "GetTaskExecutionData",
            "ListTaskExecutions",
            "ListSignals",
            "SetSignal",
            "GetData",
            "CreateDownloadLink",
        ):
            server.on(rpc, getattr(self, rpc))

    def _launch(self, context: grpc.ServicerContext, project: str, domain: str, name: str, spec: Any) -> Any:
        name = name or f"f{len(self.executions):07d}"
        if name in self.executions:
            context.abort(grpc.StatusCode.ALREADY_EXISTS, f"execution {name} already exists")
        execution_id = identifier_pb2.WorkflowExecutionIdentifier(project=project, domain=domain, name=name)
        self.executions[name] = execution_pb2.Execution(
            id=execution_id,
            spec=spec,
            closure=execution_pb2.ExecutionClosure(phase=core_execution_pb2.WorkflowExecution.RUNNING),
        )
        return execution_pb2.ExecutionCreateResponse(id=execution_id)

    def _get(self, context: grpc.ServicerContext, execution_id: Any) -> Any:
        execution = self.executions.get(execution_id.name)
        if execution is None:
            context.abort(grpc.StatusCode.NOT_FOUND, f"missing execution {execution_id.name}")
        return execution

    def CreateExecution(self, request: Any, context: grpc.ServicerContext) -> Any:
        return self._launch(context, request.project, request.domain, request.name, request.spec)

    def RecoverExecution(self, request: Any, context: grpc.ServicerContext) -> Any:
        original = self._get(context, request.id)
        return self._launch(context, request.id.project, request.id.domain, request.name, original.spec)

    RelaunchExecution = RecoverExecution

    def TerminateExecution(self, request: Any, context: grpc.ServicerContext) -> Any:
        execution = self._get(context, request.id)
        execution.closure.phase = core_execution_pb2.WorkflowExecution.ABORTED
        execution.closure.abort_metadata.cause = request.cause
        return execution_pb2.ExecutionTerminateResponse()

    def GetExecution(self, request: Any, context: grpc.ServicerContext) -> Any:
        return self._get(context, request.id)

    def GetExecutionData(self, request: Any, context: grpc.ServicerContext) -> Any:
        self._get(context, request.id)
        return execution_pb2.WorkflowExecutionGetDataResponse(
            inputs=common_pb2.UrlBlob(url=f"http://blobs/{request.id.name}/inputs.pb"),
            outputs=common_pb2.UrlBlob(url=f"http://blobs/{request.id.name}/outputs.pb"),
        )

    def GetExecutionMetrics(self, request: Any, context: grpc.ServicerContext) -> Any:
        self._get(context, request.id)
        span = metrics_pb2.Span(workflow_id=request.id)
        return execution_pb2.WorkflowExecutionGetMetricsResponse(span=span)

    def ListExecutions(self, request: Any, context: grpc.ServicerContext) -> Any:
        names = sorted(self.executions)
        start = int(request.token or 0)
        page = names[start : start + request.limit]
        token = str(start + request.limit) if start + request.limit < len(names) else ""
        return execution_pb2.ExecutionList(executions=[self.executions[n] for n in page], token=token)

    def _node(self, node_id: str, execution_id: Any) -> Any:
        return node_execution_pb2.NodeExecution(
            id=identifier_pb2.NodeExecutionIdentifier(node_id=node_id, execution_id=execution_id),
            closure=node_execution_pb2.NodeExecutionClosure(phase=core_execution_pb2.NodeExecution.SUCCEEDED),
        )

    def GetNodeExecution(self, request: Any, context: grpc.ServicerContext) -> Any:
        self._get(context, request.id.execution_id)
        return self._node(request.id.node_id, request.id.execution_id)

    def GetNodeExecutionData(self, request: Any, context: grpc.ServicerContext) -> Any:
        return node_execution_pb2.NodeExecutionGetDataResponse(
            outputs=common_pb2.UrlBlob(url=f"http://blobs/{request.id.node_id}/outputs.pb")
        )

    def ListNodeExecutions(self, request: Any, context: grpc.ServicerContext) -> Any:
        self._get(context, request.workflow_execution_id)
        prefix = f"{request.unique_parent_id}-" if request.unique_parent_id else ""
        nodes = [self._node(f"{prefix}n{i}", request.workflow_execution_id) for i in range(2)]
        return node_execution_pb2.NodeExecutionList(node_executions=nodes)

    def ListNodeExecutionsForTask(self, request: Any, context: grpc.ServicerContext) -> Any:
        execution_id = request.task_execution_id.node_execution_id.execution_id
        return node_execution_pb2.NodeExecutionList(node_executions=[self._node("dn0", execution_id)])

    def _task_execution(self, task_execution_id: Any) -> Any:
        return task_execution_pb2.TaskExecution(
            id=task_execution_id,
            closure=task_execution_pb2.TaskExecutionClosure(phase=core_execution_pb2.TaskExecution.SUCCEEDED),
        )

    def GetTaskExecution(self, request: Any, context: grpc.ServicerContext) -> Any:
        return self._task_execution(request.id)

    def GetTaskExecutionData(self, request: Any, context: grpc.ServicerContext) -> Any:
        return task_execution_pb2.TaskExecutionGetDataResponse(
            outputs=common_pb2.UrlBlob(url="http://blobs/task/outputs.pb")
        )

    def ListTaskExecutions(self, request: Any, context: grpc.ServicerContext) -> Any:
        attempt = identifier_pb2.TaskExecutionIdentifier(
            task_id=identifier_pb2.Identifier(resource_type=identifier_pb2.TASK, name="my_task", version="v1"),
            node_execution_id=request.node_execution_id,
        )
        return task_execution_pb2.TaskExecutionList(task_executions=[self._task_execution(attempt)])

    def ListSignals(self, request: Any, context: grpc.ServicerContext) -> Any:
        signal = signal_pb2.Signal(
            id=identifier_pb2.SignalIdentifier(signal_id="approve", execution_id=request.workflow_execution_id)
        )
        return signal_pb2.SignalList(signals=[signal])

    def SetSignal(self, request: Any, context: grpc.ServicerContext) -> Any:
        if not request.value.HasField("scalar"):
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "signal value must be a scalar")
        return signal_pb2.SignalSetResponse()

    def GetData(self, request: Any, context: grpc.ServicerContext) -> Any:
        literal = literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(integer=42)))
        return dataproxy_pb2.GetDataResponse(literal_map=literals_pb2.LiteralMap(literals={"o0": literal}))

    def CreateDownloadLink(self, request: Any, context: grpc.ServicerContext) -> Any:
        node = request.node_execution_id
        return dataproxy_pb2.CreateDownloadLinkResponse(
            signed_url=[f"http://blobs/{node.execution_id.name}/{node.node_id}/deck.html"],
            expires_at=None,
        )


@pytest.fixture
def admin() -> Iterator[tuple[ScriptedServer, FakeAdmin]]:
    with scripted_server() as server:
        yield server, FakeAdmin(server)


@pytest.fixture
def client(admin: tuple[ScriptedServer, FakeAdmin]) -> Iterator[SynchronousFlyteClient]:
    server, _ = admin
    with SynchronousFlyteClient(server.endpoint, insecure=True) as opened:
        yield opened


def seed_execution_spec() -> Any:
    """The seed's `ExecutionSpec(launch_plan=lp_id, ...)`, with the metadata flytekit's model requires."""
    from flytekit.models import execution as execution_model
    from flytekit.models.core import identifier

    lp_id = identifier.Identifier(
        resource_type=identifier.ResourceType.LAUNCH_PLAN,
        project="my-project",
        domain="development",
        name="my_launch_plan",
        version="v1",
    )
    metadata = execution_model.ExecutionMetadata(
        mode=execution_model.ExecutionMetadata.ExecutionMode.MANUAL, principal="docs", nesting=0
    )
    return execution_model.ExecutionSpec(launch_plan=lp_id, metadata=metadata)


def test_seed_workflow_execution_samples(
    client: SynchronousFlyteClient, admin: tuple[ScriptedServer, FakeAdmin], capsys: Any
) -> None:
    from flytekit.models import literals
    from flytekit.models.core import identifier

    execution_spec = seed_execution_spec()
    inputs = literals.LiteralMap(literals={})  # Provide actual inputs if required by the launch plan
    exec_id = client.create_execution(
        project="my-project",
        domain="development",
        name="my_first_execution",  # Optional, client generates if not provided
        execution_spec=execution_spec,
        inputs=inputs,
    )
    print(f"Created execution: {exec_id.name}")

    failed_exec_id = identifier.WorkflowExecutionIdentifier(
        project="my-project", domain="development", name="my_first_execution"
    )
    recovered_exec_id = client.recover_execution(failed_exec_id)
    print(f"Recovered execution: {recovered_exec_id.name}")

    new_exec_id = client.relaunch_execution(failed_exec_id, name="relaunch_of_prev_exec")
    print(f"Relaunched execution: {new_exec_id.name}")

    client.terminate_execution(new_exec_id, cause="User requested termination")

    execution = client.get_execution(exec_id)
    print(f"Execution status: {execution.closure.phase}")

    exec_data = client.get_execution_data(exec_id)
    print(f"Input URI: {exec_data.inputs.url}")  # the seed says .uri; UrlBlob's field is url

    metrics_span = client.get_execution_metrics(exec_id, depth=5)

    executions, next_token = client.list_executions_paginated(
        project="my-project", domain="development", limit=20, filters=[], sort_by=None
    )
    for e in executions:
        print(f"Execution: {e.id.name}, Phase: {e.closure.phase}")

    assert capsys.readouterr().out.splitlines() == [
        "Created execution: my_first_execution",
        "Recovered execution: f0000001",
        "Relaunched execution: relaunch_of_prev_exec",
        f"Execution status: {core_execution_pb2.WorkflowExecution.RUNNING}",
        "Input URI: http://blobs/my_first_execution/inputs.pb",
        f"Execution: f0000001, Phase: {core_execution_pb2.WorkflowExecution.RUNNING}",
        f"Execution: my_first_execution, Phase: {core_execution_pb2.WorkflowExecution.RUNNING}",
        f"Execution: relaunch_of_prev_exec, Phase: {core_execution_pb2.WorkflowExecution.ABORTED}",
    ]
    assert metrics_span.workflow_id == exec_id
    assert next_token == ""
    server, fake = admin
    (created,) = server.calls["CreateExecution"]
    assert created.spec == execution_spec.to_flyte_idl()
    assert fake.executions["relaunch_of_prev_exec"].closure.abort_metadata.cause == "User requested termination"


def test_creating_an_execution_twice_is_already_exists(client: SynchronousFlyteClient) -> None:
    client.create_execution("my-project", "development", "once", seed_execution_spec(), None)
    with pytest.raises(FlyteEntityAlreadyExistsException):
        client.create_execution("my-project", "development", "once", seed_execution_spec(), None)


def test_a_missing_execution_is_not_found(client: SynchronousFlyteClient) -> None:
    missing = identifier_pb2.WorkflowExecutionIdentifier(project=PROJECT, domain=DOMAIN, name="nope")
    with pytest.raises(FlyteEntityNotExistException):
        client.get_execution(missing)


def test_every_execution_is_walked_page_by_page(
    client: SynchronousFlyteClient, admin: tuple[ScriptedServer, FakeAdmin]
) -> None:
    for n in range(5):
        client.create_execution(PROJECT, DOMAIN, f"e{n}", seed_execution_spec(), None)

    names = [e.id.name for e in client.iter_executions(PROJECT, DOMAIN, page_size=2)]

    assert names == ["e0", "e1", "e2", "e3", "e4"]
    server, _ = admin
    assert [r.token for r in server.calls["ListExecutions"]] == ["", "2", "4"]


def test_seed_node_and_task_execution_samples(client: SynchronousFlyteClient, capsys: Any) -> None:
    from flytekit.models.core import identifier as core_identifier

    exec_id = client.create_execution(PROJECT, DOMAIN, "my_execution_name", seed_execution_spec(), None)
    # flyteplane returns messages, flytekit models: to nest one in a flytekit model, wrap it first.
    execution_model_id = core_identifier.WorkflowExecutionIdentifier.from_flyte_idl(exec_id)
    node_exec_id = core_identifier.NodeExecutionIdentifier(node_id="n0", execution_id=execution_model_id)
    node_execution = client.get_node_execution(node_exec_id)
    print(f"Node execution phase: {node_execution.closure.phase}")

    node_exec_data = client.get_node_execution_data(node_exec_id)
    print(f"Node output URI: {node_exec_data.outputs.url}")

    node_executions, _next_token = client.list_node_executions(exec_id)
    for ne in node_executions:
        print(f"Node: {ne.id.node_id}, Phase: {ne.closure.phase}")

    task_exec_id = core_identifier.TaskExecutionIdentifier(
        task_id=core_identifier.Identifier(core_identifier.ResourceType.TASK, PROJECT, DOMAIN, "my_task", "v1"),
        node_execution_id=node_exec_id,
        retry_attempt=0,
    )
    child_node_executions, _next_token = client.list_node_executions_for_task_paginated(task_exec_id)

    task_execution = client.get_task_execution(task_exec_id)
    print(f"Task execution phase: {task_execution.closure.phase}")

    task_exec_data = client.get_task_execution_data(task_exec_id)
    print(f"Task output URI: {task_exec_data.outputs.url}")

    task_executions, _next_token = client.list_task_executions_paginated(node_exec_id)
    for te in task_executions:
        print(f"Task: {te.id.task_id.name}, Phase: {te.closure.phase}")

    succeeded = core_execution_pb2.NodeExecution.SUCCEEDED
    assert capsys.readouterr().out.splitlines() == [
        f"Node execution phase: {succeeded}",
        "Node output URI: http://blobs/n0/outputs.pb",
        f"Node: n0, Phase: {succeeded}",
        f"Node: n1, Phase: {succeeded}",
        f"Task execution phase: {core_execution_pb2.TaskExecution.SUCCEEDED}",
        "Task output URI: http://blobs/task/outputs.pb",
        f"Task: my_task, Phase: {core_execution_pb2.TaskExecution.SUCCEEDED}",
    ]
    assert [n.id.node_id for n in child_node_executions] == ["dn0"]
    children = client.list_node_executions(exec_id, unique_parent_id="n1")[0]
    assert [n.id.node_id for n in children] == ["n1-n0", "n1-n1"]
    assert [n.id.node_id for n in client.iter_node_executions(exec_id)] == ["n0", "n1"]
    assert len(list(client.iter_task_executions(node_exec_id))) == 1
    assert len(list(client.iter_node_executions_for_task(task_exec_id))) == 1


def test_seed_data_samples(client: SynchronousFlyteClient) -> None:
    from flytekit.models.core import identifier as core_identifier

    data_response = client.get_data("flyte://my_project/development/my_execution/outputs/output_data")
    # The seed says data_response.content holds bytes; GetDataResponse holds literals.
    assert data_response.literal_map.literals["o0"].scalar.primitive.integer == 42

    node_exec_id = core_identifier.NodeExecutionIdentifier(
        node_id="n0",
        execution_id=core_identifier.WorkflowExecutionIdentifier(
            project="my-project", domain="development", name="my_execution_name"
        ),
    )
    artifact_url_response = client.get_download_artifact_signed_url(
        node_id=node_exec_id.node_id,
        project=node_exec_id.execution_id.project,
        domain=node_exec_id.execution_id.domain,
        name=node_exec_id.execution_id.name,
        artifact_type=dataproxy_pb2.ARTIFACT_TYPE_DECK,
        expires_in=datetime.timedelta(minutes=5),
    )
    assert list(artifact_url_response.signed_url) == ["http://blobs/my_execution_name/n0/deck.html"]


def test_signals_are_listed_and_set(client: SynchronousFlyteClient, admin: tuple[ScriptedServer, FakeAdmin]) -> None:
    exec_id = client.create_execution(PROJECT, DOMAIN, "gated", seed_execution_spec(), None)
    approve = literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(boolean=True)))

    signals, _ = client.list_signals_paginated(exec_id)
    listed = client.list_signals(signal_pb2.SignalListRequest(workflow_execution_id=exec_id, limit=10))
    client.set_signal_value(exec_id, "approve", approve)

    assert [s.id.signal_id for s in signals] == ["approve"]
    assert list(listed.signals) == list(signals)
    assert [s.id.signal_id for s in client.iter_signals(exec_id)] == ["approve"]
    server, _ = admin
    (sent,) = server.calls["SetSignal"]
    assert (sent.id.signal_id, sent.id.execution_id, sent.value) == ("approve", exec_id, approve)


def test_the_async_client_runs_the_same_execution_methods(admin: tuple[ScriptedServer, FakeAdmin]) -> None:
    import asyncio

    server, _ = admin

    async def scenario() -> list[str]:
        async with AsyncFlyteClient(server.endpoint, insecure=True) as client:
            exec_id = await client.create_execution(PROJECT, DOMAIN, "async-run", seed_execution_spec(), None)
            await client.terminate_execution(exec_id, cause="done")
            execution = await client.get_execution(exec_id)
            return [execution.closure.abort_metadata.cause] + [
                e.id.name async for e in client.iter_executions(PROJECT, DOMAIN)
            ]

    assert asyncio.run(scenario()) == ["done", "async-run"]
