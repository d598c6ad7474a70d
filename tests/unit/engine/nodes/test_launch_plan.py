"""Launch-plan nodes: one child execution per node attempt, launched as a child of this one and followed until
it ends; its outputs or its error become the node's, and aborting the node terminates it."""

from __future__ import annotations

from pathlib import Path

from flyteidl.admin import execution_pb2 as admin_execution_pb2
from flyteidl.core import execution_pb2
from flytekit import LaunchPlan, task, workflow
from tests.unit.engine.harness import EXECUTION, World, compiled, integers

from flyteplane.engine.errors import decode_error
from flyteplane.engine.events import NodePhase
from flyteplane.engine.round import run_round
from flyteplane.engine.runner import Runner

Phase = execution_pb2.WorkflowExecution.Phase


@task
def double(x: int) -> int:
    return 2 * x


@workflow
def child(x: int) -> int:
    return double(x=x)


child_plan = LaunchPlan.get_or_create(child, name="tests.unit.engine.nodes.child_plan")


@workflow
def parent(x: int) -> int:
    return child_plan(x=x)


class ChildExecutions:
    """The ChildExecutions port: children are created, then take whatever phase the test gives them."""

    def __init__(self) -> None:
        self.created: list[admin_execution_pb2.ExecutionCreateRequest] = []
        self.terminated: list[admin_execution_pb2.ExecutionTerminateRequest] = []
        self.closure = admin_execution_pb2.ExecutionClosure(phase=Phase.RUNNING)
        self.outputs = integers()

    def create_execution(
        self, request: admin_execution_pb2.ExecutionCreateRequest
    ) -> admin_execution_pb2.ExecutionCreateResponse:
        self.created.append(request)
        return admin_execution_pb2.ExecutionCreateResponse()

    def get_execution(self, request: admin_execution_pb2.WorkflowExecutionGetRequest) -> admin_execution_pb2.Execution:
        return admin_execution_pb2.Execution(id=request.id, closure=self.closure)

    def get_execution_data(
        self, request: admin_execution_pb2.WorkflowExecutionGetDataRequest
    ) -> admin_execution_pb2.WorkflowExecutionGetDataResponse:
        return admin_execution_pb2.WorkflowExecutionGetDataResponse(full_outputs=self.outputs)

    def terminate_execution(
        self, request: admin_execution_pb2.ExecutionTerminateRequest
    ) -> admin_execution_pb2.ExecutionTerminateResponse:
        self.terminated.append(request)
        return admin_execution_pb2.ExecutionTerminateResponse()

    def recover_execution(self, request: object) -> object:
        raise AssertionError("nothing is recovered here")


def launched(tmp_path: Path) -> tuple[World, ChildExecutions]:
    children = ChildExecutions()
    world = World(tmp_path, compiled(parent), integers(x=4), children=children)
    run_round(Runner(), world.context())
    return world, children


def test_the_node_launches_one_child_execution_of_the_plan_as_a_child_of_this_one(tmp_path: Path) -> None:
    world, children = launched(tmp_path)
    (request,) = children.created
    assert request.spec.launch_plan.name == "tests.unit.engine.nodes.child_plan"
    assert request.spec.metadata.mode == admin_execution_pb2.ExecutionMetadata.CHILD_WORKFLOW
    assert request.spec.metadata.nesting == 1
    assert request.spec.metadata.parent_node_execution.node_id == "n0"
    assert request.spec.metadata.parent_node_execution.execution_id == EXECUTION
    assert request.inputs == integers(x=4)
    node = world.state.nodes["n0"]
    assert node.phase == "RUNNING" and node.child_execution == request.name
    running = next(e for e in world.events.nodes if e.phase == NodePhase.RUNNING)
    assert running.workflow_node_metadata.execution_id.name == request.name

    run_round(Runner(), world.context())
    assert len(children.created) == 1, "followed, not launched again"


def test_the_child_s_outputs_become_the_node_s(tmp_path: Path) -> None:
    world, children = launched(tmp_path)
    children.closure = admin_execution_pb2.ExecutionClosure(phase=Phase.SUCCEEDED)
    children.outputs = integers(o0=8)
    assert run_round(Runner(), world.context())
    assert world.state.nodes["n0"].phase == "SUCCEEDED"
    assert world.outputs_of("end-node") == integers(o0=8)


def test_a_failed_child_fails_the_node_with_its_error(tmp_path: Path) -> None:
    world, children = launched(tmp_path)
    error = execution_pb2.ExecutionError(code="Boom", message="it broke", kind=execution_pb2.ExecutionError.SYSTEM)
    children.closure = admin_execution_pb2.ExecutionClosure(phase=Phase.FAILED, error=error)
    assert run_round(Runner(), world.context())
    failed = decode_error(world.state.nodes["n0"].error)
    assert (failed.code, failed.message, failed.kind) == ("Boom", "it broke", execution_pb2.ExecutionError.SYSTEM)


def test_an_aborted_child_fails_the_node(tmp_path: Path) -> None:
    world, children = launched(tmp_path)
    children.closure = admin_execution_pb2.ExecutionClosure(phase=Phase.ABORTED)
    assert run_round(Runner(), world.context())
    assert decode_error(world.state.nodes["n0"].error).code == "RemoteChildWorkflowExecutionFailed"


def test_aborting_the_node_terminates_the_child(tmp_path: Path) -> None:
    world, children = launched(tmp_path)
    assert run_round(Runner(), world.context(), abort_requested=True)
    (terminate,) = children.terminated
    assert terminate.id.name == world.state.nodes["n0"].child_execution
    assert terminate.cause.startswith("cascading abort as parent execution id [exec] aborted")
    assert world.state.nodes["n0"].phase == "ABORTED"
