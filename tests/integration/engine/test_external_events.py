"""Events from strangers (issue 9, item 10): by default CreateWorkflowEvent / CreateNodeEvent / CreateTaskEvent
over gRPC and the HTTP gateway answer PERMISSION_DENIED naming the setting, even with the engine's producer id
copied from the execution, and the execution is untouched; the engine's own events (in-process) still move it to
its end."""

from __future__ import annotations

from typing import Any

import grpc
import httpx2
import pytest
from flows import gates
from flyteidl.admin import event_pb2
from flyteidl.core import execution_pb2, identifier_pb2
from flyteidl.event import event_pb2 as core_event_pb2
from flyteidl.service import admin_pb2_grpc
from google.protobuf import json_format
from tests.integration.engine.support import (
    DOMAIN,
    assert_succeeded,
    finish,
    phase_name,
    register,
    start,
    wait_for_signal,
)
from tests.integration.server import RunningServer


@pytest.fixture(scope="module")
def asking(flyte: Any, project: str) -> Any:
    return register(flyte, project, gates.asking)


def forged(execution_id: identifier_pb2.WorkflowExecutionIdentifier) -> dict[str, Any]:
    """The three event requests an attacker would send to end a running execution with /etc/passwd as output."""
    node = identifier_pb2.NodeExecutionIdentifier(node_id="n0", execution_id=execution_id)
    succeeded: dict[str, Any] = {"producer_id": "flyteplane", "output_uri": "file:///etc/passwd"}
    workflow = event_pb2.WorkflowExecutionEventRequest(
        event=core_event_pb2.WorkflowExecutionEvent(
            execution_id=execution_id, phase=execution_pb2.WorkflowExecution.SUCCEEDED, **succeeded
        )
    )
    node_event = event_pb2.NodeExecutionEventRequest(
        event=core_event_pb2.NodeExecutionEvent(id=node, phase=execution_pb2.NodeExecution.SUCCEEDED, **succeeded)
    )
    task = event_pb2.TaskExecutionEventRequest(
        event=core_event_pb2.TaskExecutionEvent(
            parent_node_execution_id=node, phase=execution_pb2.TaskExecution.SUCCEEDED, **succeeded
        )
    )
    for request in (workflow, node_event, task):
        request.event.occurred_at.GetCurrentTime()
    return {"CreateWorkflowEvent": workflow, "CreateNodeEvent": node_event, "CreateTaskEvent": task}


ROUTES = {
    "CreateWorkflowEvent": "/api/v1/events/workflows",
    "CreateNodeEvent": "/api/v1/events/nodes",
    "CreateTaskEvent": "/api/v1/events/tasks",
}


def test_events_over_the_wire_are_refused_and_the_engine_still_finishes(
    flyte: Any, project: str, asking: Any, server: RunningServer, admin: admin_pb2_grpc.AdminServiceStub
) -> None:
    execution = start(flyte, project, asking, x=0)
    wait_for_signal(flyte, project, execution, "name")
    execution_id = identifier_pb2.WorkflowExecutionIdentifier(
        project=execution.id.project, domain=execution.id.domain, name=execution.id.name
    )
    requests = forged(execution_id)
    for rpc, request in requests.items():
        with pytest.raises(grpc.RpcError) as refused:
            getattr(admin, rpc)(request, timeout=10)
        assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED, rpc
        assert "accept_external_events" in (refused.value.details() or ""), rpc
    with httpx2.Client(base_url=server.url, timeout=30) as http:
        for rpc, request in requests.items():
            answer = http.post(ROUTES[rpc], content=json_format.MessageToJson(request))
            assert answer.status_code == 403, (rpc, answer.text)
            assert "accept_external_events" in answer.text, rpc

    still = flyte.fetch_execution(project=project, domain=DOMAIN, name=execution.id.name)
    assert phase_name(still.closure.phase) == "RUNNING"
    flyte.set_input("name", execution.id.name, "engine", project=project, domain=DOMAIN, python_type=str)
    ended = finish(flyte, execution)
    assert_succeeded(ended)
    assert ended.outputs["o0"] == "hello engine"
