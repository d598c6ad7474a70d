"""Everything the RPCs of the HTTP API tests read: a project with tasks, workflows and an active launch plan,
finished executions (task nodes, a dynamic node and its children), one waiting at an approval gate, matchable
attributes, an uploaded blob; and a scratch project where the tests' own executions go, so the readable one
never changes under a comparison.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import httpx2
from flyteidl.admin import (
    execution_pb2,
    launch_plan_pb2,
    matchable_resource_pb2,
    project_attributes_pb2,
    project_domain_attributes_pb2,
    project_pb2,
    task_execution_pb2,
    workflow_attributes_pb2,
)
from flyteidl.admin import signal_pb2 as admin_signal_pb2
from flyteidl.core import execution_pb2 as core_execution_pb2
from flyteidl.core import identifier_pb2, literals_pb2, types_pb2
from flyteidl.service import admin_pb2_grpc, dataproxy_pb2, dataproxy_pb2_grpc, signal_pb2_grpc
from tests.integration.server import RunningServer

APPS = Path(__file__).parent / "apps"
DOMAIN = "development"
VERSION = "v1"
DEADLINE = 180.0  # seconds; an execution that takes longer has found a hang
TERMINAL = {
    core_execution_pb2.WorkflowExecution.SUCCEEDED,
    core_execution_pb2.WorkflowExecution.FAILED,
    core_execution_pb2.WorkflowExecution.ABORTED,
    core_execution_pb2.WorkflowExecution.TIMED_OUT,
}
QUEUE = matchable_resource_pb2.MatchingAttributes(
    execution_queue_attributes=matchable_resource_pb2.ExecutionQueueAttributes(tags=["gateway"])
)
FLOW = "gatewayflows.flows"
EXTRA_SIGNAL = "extra"  # a signal of the gate execution no gate waits for, so setting it changes nothing


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def integer(value: int) -> literals_pb2.Literal:
    return literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(integer=value)))


def integers(**values: int) -> literals_pb2.LiteralMap:
    return literals_pb2.LiteralMap(literals={name: integer(value) for name, value in values.items()})


def identifier(kind: int, project: str, name: str, version: str = VERSION) -> identifier_pb2.Identifier:
    return identifier_pb2.Identifier(
        resource_type=kind,  # type: ignore[arg-type]
        project=project,
        domain=DOMAIN,
        name=f"{FLOW}.{name}",
        version=version,
    )


def execution_id(project: str, name: str) -> identifier_pb2.WorkflowExecutionIdentifier:
    return identifier_pb2.WorkflowExecutionIdentifier(project=project, domain=DOMAIN, name=name)


@dataclass
class World:
    admin: admin_pb2_grpc.AdminServiceStub
    signals: signal_pb2_grpc.SignalServiceStub
    project: str
    scratch: str
    task: identifier_pb2.Identifier  # gatewayflows.flows.double
    workflow: identifier_pb2.Identifier  # gatewayflows.flows.arithmetic
    launch_plan: identifier_pb2.Identifier  # its default launch plan, activated
    finished: identifier_pb2.WorkflowExecutionIdentifier  # arithmetic(a=5): add is n0, double n1
    node: identifier_pb2.NodeExecutionIdentifier  # its n0
    attempt: identifier_pb2.TaskExecutionIdentifier  # n0's attempt
    dynamic_node: identifier_pb2.NodeExecutionIdentifier  # fanned's dynamic node
    dynamic_attempt: identifier_pb2.TaskExecutionIdentifier  # its attempt, parent of the children
    gate: identifier_pb2.WorkflowExecutionIdentifier  # reviewed, waiting for "review"
    scratch_finished: identifier_pb2.WorkflowExecutionIdentifier  # echo in the scratch project
    blob: str  # native URL of an uploaded blob

    def launch(self, project: str, name: str, workflow: str, inputs: literals_pb2.LiteralMap) -> Any:
        spec = execution_pb2.ExecutionSpec(
            launch_plan=identifier(identifier_pb2.LAUNCH_PLAN, project, workflow),
            metadata=execution_pb2.ExecutionMetadata(mode=execution_pb2.ExecutionMetadata.MANUAL),
        )
        request = execution_pb2.ExecutionCreateRequest(
            project=project, domain=DOMAIN, name=name, spec=spec, inputs=inputs
        )
        return self.admin.CreateExecution(request).id

    def terminate(self, execution: identifier_pb2.WorkflowExecutionIdentifier) -> None:
        with contextlib.suppress(grpc.RpcError):  # already over
            self.admin.TerminateExecution(execution_pb2.ExecutionTerminateRequest(id=execution, cause="cleanup"))

    def wait(self, execution: identifier_pb2.WorkflowExecutionIdentifier) -> execution_pb2.Execution:
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            found = self.admin.GetExecution(execution_pb2.WorkflowExecutionGetRequest(id=execution))
            if found.closure.phase in TERMINAL:
                return found
            time.sleep(0.2)
        raise AssertionError(f"{execution.name} did not finish in {DEADLINE} s")


def build_world(plane: RunningServer, channel: grpc.Channel, http: httpx2.Client) -> World:
    admin = admin_pb2_grpc.AdminServiceStub(channel)
    project, scratch = unique("gw"), unique("gwscratch")
    for project_id in (project, scratch):
        admin.RegisterProject(
            project_pb2.ProjectRegisterRequest(project=project_pb2.Project(id=project_id, name=project_id))
        )
    _register(plane, project, ["arithmetic", "fanned", "reviewed"])
    _register(plane, scratch, ["echo", "napping"])
    launch_plan = identifier(identifier_pb2.LAUNCH_PLAN, project, "arithmetic")
    admin.UpdateLaunchPlan(launch_plan_pb2.LaunchPlanUpdateRequest(id=launch_plan, state=launch_plan_pb2.ACTIVE))
    _set_attributes(admin, project)

    world = World(
        admin=admin,
        signals=signal_pb2_grpc.SignalServiceStub(channel),
        project=project,
        scratch=scratch,
        task=identifier(identifier_pb2.TASK, project, "double"),
        workflow=identifier(identifier_pb2.WORKFLOW, project, "arithmetic"),
        launch_plan=launch_plan,
        finished=execution_id(project, "arith"),
        node=identifier_pb2.NodeExecutionIdentifier(node_id="n0", execution_id=execution_id(project, "arith")),
        attempt=identifier_pb2.TaskExecutionIdentifier(),
        dynamic_node=identifier_pb2.NodeExecutionIdentifier(node_id="n0", execution_id=execution_id(project, "fan")),
        dynamic_attempt=identifier_pb2.TaskExecutionIdentifier(),
        gate=execution_id(project, "gate"),
        scratch_finished=execution_id(scratch, "echo"),
        blob=_upload(channel, http, project),
    )
    world.launch(project, "arith", "arithmetic", integers(a=5))
    world.launch(project, "fan", "fanned", _list_of(1, 2))
    world.launch(project, "gate", "reviewed", integers(x=3))
    world.launch(scratch, "echo", "echo", integers(x=1))
    for execution in (world.finished, world.dynamic_node.execution_id, world.scratch_finished):
        ended = world.wait(execution)
        assert ended.closure.phase == core_execution_pb2.WorkflowExecution.SUCCEEDED, ended.closure.error.message
    world.attempt = _first_attempt(admin, world.node)
    world.dynamic_attempt = _first_attempt(admin, world.dynamic_node)
    _wait_for_gate(world)
    world.signals.GetOrCreateSignal(
        _signal_request(world.gate, EXTRA_SIGNAL, types_pb2.LiteralType(simple=types_pb2.BOOLEAN))
    )
    return world


def _register(plane: RunningServer, project: str, workflows: list[str]) -> None:
    """Fast-registers the workflows (their tasks and default launch plans too), as `pyflyte register` does."""
    from flytekit.remote import FlyteRemote

    if str(APPS) not in sys.path:
        sys.path.insert(0, str(APPS))
    from gatewayflows import flows

    remote = FlyteRemote.for_endpoint(plane.endpoint, insecure=True, default_project=project, default_domain=DOMAIN)
    for name in workflows:
        remote.register_script(
            getattr(flows, name), project=project, domain=DOMAIN, version=VERSION, source_path=str(APPS), copy_all=True
        )


def _set_attributes(admin: admin_pb2_grpc.AdminServiceStub, project: str) -> None:
    admin.UpdateProjectDomainAttributes(
        project_domain_attributes_pb2.ProjectDomainAttributesUpdateRequest(
            attributes=project_domain_attributes_pb2.ProjectDomainAttributes(
                project=project, domain=DOMAIN, matching_attributes=QUEUE
            )
        )
    )
    admin.UpdateProjectAttributes(
        project_attributes_pb2.ProjectAttributesUpdateRequest(
            attributes=project_attributes_pb2.ProjectAttributes(project=project, matching_attributes=QUEUE)
        )
    )
    admin.UpdateWorkflowAttributes(
        workflow_attributes_pb2.WorkflowAttributesUpdateRequest(
            attributes=workflow_attributes_pb2.WorkflowAttributes(
                project=project, domain=DOMAIN, workflow=f"{FLOW}.arithmetic", matching_attributes=QUEUE
            )
        )
    )


def _upload(channel: grpc.Channel, http: httpx2.Client, project: str) -> str:
    """A blob put through the data proxy as flytekit puts one, so download locations have something to sign."""
    content = b"hello over http\n"
    digest = hashlib.md5(content).digest()
    location = dataproxy_pb2_grpc.DataProxyServiceStub(channel).CreateUploadLocation(
        dataproxy_pb2.CreateUploadLocationRequest(
            project=project, domain=DOMAIN, filename="hello.txt", content_md5=digest
        )
    )
    headers = dict(location.headers)
    headers["Content-MD5"] = base64.b64encode(digest).decode()
    assert http.put(location.signed_url, content=content, headers=headers).status_code in (200, 201)
    return str(location.native_url)


def _list_of(*values: int) -> literals_pb2.LiteralMap:
    collection = literals_pb2.LiteralCollection(literals=[integer(v) for v in values])
    return literals_pb2.LiteralMap(literals={"xs": literals_pb2.Literal(collection=collection)})


def _first_attempt(
    admin: admin_pb2_grpc.AdminServiceStub, node: identifier_pb2.NodeExecutionIdentifier
) -> identifier_pb2.TaskExecutionIdentifier:
    attempts = admin.ListTaskExecutions(task_execution_pb2.TaskExecutionListRequest(node_execution_id=node, limit=10))
    assert attempts.task_executions, f"no attempt of {node.node_id}"
    return attempts.task_executions[0].id


def _signal_request(execution: Any, signal_id: str, kind: types_pb2.LiteralType) -> Any:
    return admin_signal_pb2.SignalGetOrCreateRequest(
        id=identifier_pb2.SignalIdentifier(signal_id=signal_id, execution_id=execution), type=kind
    )


def _wait_for_gate(world: World) -> None:
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        listed = world.signals.ListSignals(
            admin_signal_pb2.SignalListRequest(workflow_execution_id=world.gate, limit=10)
        )
        if any(s.id.signal_id == "review" for s in listed.signals):
            return
        time.sleep(0.2)
    raise AssertionError("the gate execution never reached its approval")
