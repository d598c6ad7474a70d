"""Event state machines (flyteadmin §6.8, §7.3, §7.4): every transition accepted or refused as flyteadmin
does, and what a workflow event records — on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from flyteidl.admin import event_pb2, execution_pb2, node_execution_pb2
from flyteidl.core import execution_pb2 as core_execution_pb2
from flyteidl.core import identifier_pb2
from sqlalchemy import select
from tests.unit.services.execution_fixtures import (
    STORES,
    D,
    NodePhase,
    P,
    Plane,
    TaskPhase,
    WorkflowPhase,
    build_plane,
    create_request,
    execution_id,
    execution_row,
    integer,
    launch,
    list_request,
    literal_map,
    node_event,
    register_pipeline,
    store_fixture,
    task_event,
    task_id,
    workflow_event,
)

from flyteplane.config import Settings
from flyteplane.engine.events import Emitter, NodeRef
from flyteplane.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound, ResourceExhausted
from flyteplane.services.executions.phases import AlreadyInTerminalState, IncompatibleCluster
from flyteplane.store.db import Database
from flyteplane.store.models import NodeExecution, TaskExecution

ExecutionError = core_execution_pb2.ExecutionError


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest) -> Database:
    return store_fixture(request)


@pytest.fixture
def plane(store: Database, settings: Settings, tmp_path: Path) -> Plane:
    return build_plane(store, settings, tmp_path)


@pytest.fixture
def run(plane: Plane) -> identifier_pb2.WorkflowExecutionIdentifier:
    return launch(plane, register_pipeline(plane), "e1")  # type: ignore[no-any-return]


def get(plane: Plane, name: str = "e1") -> execution_pb2.Execution:
    return plane.executions.get_execution(execution_pb2.WorkflowExecutionGetRequest(id=execution_id(name)))


def outcome(record: object, request: object) -> str:
    try:
        record(request)  # type: ignore[operator]
    except AlreadyExists:
        return "AE"
    except AlreadyInTerminalState:
        return "terminal"
    except FailedPrecondition:
        return "FP"
    return "ok"


# -- workflow events -----------------------------------------------------------------------------------------

WORKFLOW_PHASES = list(WorkflowPhase.Phase.values())
WORKFLOW_TERMINAL = {
    WorkflowPhase.SUCCEEDED,
    WorkflowPhase.FAILED,
    WorkflowPhase.TIMED_OUT,
    WorkflowPhase.ABORTED,
}


def expected_workflow_outcome(current: int, new: int) -> str:
    if new != WorkflowPhase.QUEUED and current == new:
        return "AE"
    if current in WORKFLOW_TERMINAL:
        return "terminal"
    if current == WorkflowPhase.RUNNING and new == WorkflowPhase.QUEUED:
        return "FP"
    if current == WorkflowPhase.ABORTING and new not in WORKFLOW_TERMINAL:
        return "FP"
    return "ok"


def force_workflow_phase(plane: Plane, name: str, phase: int) -> None:
    with plane.db.transaction() as session:
        row = execution_row(plane, name)
        row = session.merge(row)
        closure = execution_pb2.ExecutionClosure.FromString(row.closure)
        closure.phase = phase  # type: ignore[assignment]
        row.closure = closure.SerializeToString()
        row.phase = WorkflowPhase.Phase.Name(phase)


def test_every_workflow_phase_transition_is_judged_as_flyteadmin_does(
    plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier
) -> None:
    table = {}
    for current in WORKFLOW_PHASES:
        for new in WORKFLOW_PHASES:
            force_workflow_phase(plane, "e1", current)
            table[(current, new)] = outcome(plane.events.create_workflow_event, workflow_event(run, new, 10))
    expected = {(c, n): expected_workflow_outcome(c, n) for c in WORKFLOW_PHASES for n in WORKFLOW_PHASES}
    wrong = {
        (WorkflowPhase.Phase.Name(c), WorkflowPhase.Phase.Name(n)): (table[(c, n)], expected[(c, n)])
        for (c, n) in table
        if table[(c, n)] != expected[(c, n)]
    }
    assert wrong == {}


def test_refusals_carry_flyteadmins_messages(plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier) -> None:
    shown = 'project:"flytesnacks" domain:"development" name:"e1"'
    plane.events.create_workflow_event(workflow_event(run, WorkflowPhase.RUNNING, 1))
    with pytest.raises(AlreadyExists) as repeated:
        plane.events.create_workflow_event(workflow_event(run, WorkflowPhase.RUNNING, 2))
    assert repeated.value.message == f"This phase RUNNING was already recorded for workflow execution {shown}"
    with pytest.raises(FailedPrecondition) as backwards:
        plane.events.create_workflow_event(workflow_event(run, WorkflowPhase.QUEUED, 2))
    assert backwards.value.message == f"Cannot go from RUNNING to QUEUED for workflow execution {shown}"
    plane.events.create_workflow_event(workflow_event(run, WorkflowPhase.SUCCEEDED, 3))
    with pytest.raises(AlreadyInTerminalState) as terminal:
        plane.events.create_workflow_event(workflow_event(run, WorkflowPhase.FAILED, 4))
    assert terminal.value.message == f"Invalid phase change from SUCCEEDED to FAILED for workflow execution {shown}"
    assert terminal.value.current_phase == "SUCCEEDED"


def test_aborting_only_ends(plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier) -> None:
    plane.executions.terminate_execution(execution_pb2.ExecutionTerminateRequest(id=run, cause="stop"))
    with pytest.raises(FailedPrecondition, match=r"^Invalid phase change from aborting to RUNNING for workflow"):
        plane.events.create_workflow_event(workflow_event(run, WorkflowPhase.RUNNING, 1))
    plane.events.create_workflow_event(workflow_event(run, WorkflowPhase.ABORTED, 2))


def test_running_and_success_record_times_and_outputs(
    plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier
) -> None:
    plane.events.create_workflow_event(workflow_event(run, WorkflowPhase.RUNNING, 10))
    plane.events.create_workflow_event(workflow_event(run, WorkflowPhase.SUCCEEDING, 11))
    plane.events.create_workflow_event(
        workflow_event(run, WorkflowPhase.SUCCEEDED, 12.5, output_uri="/somewhere/outputs.pb")
    )
    closure = get(plane).closure
    assert closure.phase == WorkflowPhase.SUCCEEDED
    assert closure.started_at.seconds == 1_700_000_010
    assert closure.updated_at.seconds == 1_700_000_012 and closure.updated_at.nanos == 500_000_000
    assert closure.duration.ToNanoseconds() == 2_500_000_000
    assert closure.outputs.uri == "/somewhere/outputs.pb"
    row = execution_row(plane, "e1")
    assert (row.phase, row.duration) == ("SUCCEEDED", 2_500_000_000)
    assert row.started_at is not None


def test_inline_outputs_are_offloaded_and_served(plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier) -> None:
    plane.events.create_workflow_event(workflow_event(run, WorkflowPhase.RUNNING, 1))
    plane.events.create_workflow_event(
        workflow_event(run, WorkflowPhase.SUCCEEDED, 2, output_data=literal_map(o0=integer(3)))
    )
    assert get(plane).closure.outputs.uri == plane.blobs.native_url(f"metadata/{P}/{D}/e1/offloaded_outputs")
    data = plane.executions.get_execution_data(execution_pb2.WorkflowExecutionGetDataRequest(id=run))
    assert data.full_outputs == literal_map(o0=integer(3))


def test_inline_outputs_over_the_limit_are_resource_exhausted(
    plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier
) -> None:
    plane.execution_data.max_inline_bytes = 10
    big = literal_map(o0=integer(3), o1=integer(4))
    with pytest.raises(
        ResourceExhausted, match=r"^Output data size exceeds platform configured threshold \(\d+ > 10\)"
    ):
        plane.events.create_workflow_event(workflow_event(run, WorkflowPhase.SUCCEEDED, 2, output_data=big))


def test_a_failure_records_its_error_and_columns(plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier) -> None:
    error = ExecutionError(code="RetriesExhausted|Boom", message="it broke", kind=ExecutionError.USER)
    plane.events.create_workflow_event(workflow_event(run, WorkflowPhase.FAILING, 1, error=error))
    plane.events.create_workflow_event(workflow_event(run, WorkflowPhase.FAILED, 2, error=error))
    assert get(plane).closure.error == error
    row = execution_row(plane, "e1")
    assert (row.error_kind, row.error_code) == ("USER", "RetriesExhausted|Boom")
    listed = plane.executions.list_executions(list_request(filters="eq(error_kind,USER)"))
    assert [execution.id.name for execution in listed.executions] == ["e1"]


def test_workflow_event_validation(plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier) -> None:
    with pytest.raises(InvalidArgument, match=r"^Workflow event handler was called without event$"):
        plane.events.create_workflow_event(event_pb2.WorkflowExecutionEventRequest())
    empty = workflow_event(run, WorkflowPhase.RUNNING)
    empty.event.ClearField("execution_id")
    with pytest.raises(InvalidArgument, match=r"doesn't have an execution id"):
        plane.events.create_workflow_event(empty)
    timeless = workflow_event(run, WorkflowPhase.RUNNING)
    timeless.event.ClearField("occurred_at")
    with pytest.raises(InvalidArgument, match=r"missing occurred_at"):
        plane.events.create_workflow_event(timeless)
    with pytest.raises(NotFound, match=r"missing entity of type execution"):
        plane.events.create_workflow_event(workflow_event(execution_id("nope"), WorkflowPhase.RUNNING))


def test_only_the_executions_cluster_or_the_default_producer_may_report(
    plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier
) -> None:
    foreign = workflow_event(run, WorkflowPhase.RUNNING, 1)
    foreign.event.producer_id = "elsewhere"
    with pytest.raises(IncompatibleCluster, match=r"Cluster/producer from event \[elsewhere\] does not match"):
        plane.events.create_workflow_event(foreign)
    legacy = workflow_event(run, WorkflowPhase.RUNNING, 1)
    legacy.event.producer_id = "propeller"
    plane.events.create_workflow_event(legacy)


def test_a_queued_event_from_a_named_producer_claims_the_execution(plane: Plane) -> None:
    created = launch(plane, register_pipeline(plane), "e2")
    claim = workflow_event(created, WorkflowPhase.QUEUED, 1)
    claim.event.producer_id = "cluster-b"
    plane.events.create_workflow_event(claim)
    assert execution_row(plane, "e2").cluster == "cluster-b"
    assert get(plane, "e2").spec.metadata.system_metadata.execution_cluster == "cluster-b"
    running = workflow_event(created, WorkflowPhase.RUNNING, 2)
    running.event.producer_id = "cluster-b"
    plane.events.create_workflow_event(running)


def test_the_engine_takes_repeated_events_as_recorded(
    plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier
) -> None:
    """The engine re-sends events after a crash: over the event RPCs, a repeat (or an event for an execution that
    already ended) is a success for it, while the RPC itself still answers ALREADY_EXISTS."""
    engine = Emitter(plane.events, run)
    ref = NodeRef(unique_id="n0", spec_node_id="n0", name="n0")
    for _ in range(2):
        engine.workflow(WorkflowPhase.RUNNING, 1)
        engine.node(ref, NodePhase.QUEUED, 1)
        engine.task(ref, task_id(), "python-task", 0, TaskPhase.RUNNING, 1)
    with pytest.raises(AlreadyExists):
        plane.events.create_task_event(task_event(run, "n0", TaskPhase.RUNNING, 1))
    engine.workflow(WorkflowPhase.SUCCEEDED, 2)
    engine.node(ref, NodePhase.RUNNING, 3)


def test_a_finished_child_wakes_its_parent(plane: Plane) -> None:
    plan = register_pipeline(plane)
    parent = launch(plane, plan, "parent")
    plane.events.create_node_event(node_event(parent, "n0", NodePhase.RUNNING))
    child = create_request(plan, "child")
    child.spec.metadata.parent_node_execution.CopyFrom(
        identifier_pb2.NodeExecutionIdentifier(execution_id=parent, node_id="n0")
    )
    child_id = plane.executions.create_execution(child).id
    plane.woken.executions.clear()
    plane.events.create_workflow_event(workflow_event(child_id, WorkflowPhase.RUNNING, 1))
    assert plane.woken.executions == []
    plane.events.create_workflow_event(workflow_event(child_id, WorkflowPhase.SUCCEEDED, 2))
    assert plane.woken.executions == [(P, D, "parent")]


# -- node events ---------------------------------------------------------------------------------------------

NODE_PHASES = list(NodePhase.Phase.values())
NODE_TERMINAL = {
    NodePhase.SUCCEEDED,
    NodePhase.FAILED,
    NodePhase.TIMED_OUT,
    NodePhase.ABORTED,
    NodePhase.SKIPPED,
    NodePhase.RECOVERED,
}


def force_node_phase(plane: Plane, node: str, phase: int) -> None:
    with plane.db.transaction() as session:
        row = session.scalar(select(NodeExecution).where(NodeExecution.node_id == node))
        assert row is not None
        closure = node_execution_pb2.NodeExecutionClosure.FromString(row.closure)
        closure.phase = phase  # type: ignore[assignment]
        row.closure = closure.SerializeToString()
        row.phase = NodePhase.Phase.Name(phase)


def test_every_node_phase_transition_is_judged_as_flyteadmin_does(
    plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier
) -> None:
    """Unlike workflows, a node may go anywhere (even back to QUEUED) until it is terminal."""
    plane.events.create_node_event(node_event(run, "n0", NodePhase.UNDEFINED))
    wrong = {}
    for current in NODE_PHASES:
        for new in NODE_PHASES:
            force_node_phase(plane, "n0", current)
            got = outcome(plane.events.create_node_event, node_event(run, "n0", new, 5))
            expected = "AE" if current == new else "terminal" if current in NODE_TERMINAL else "ok"
            if got != expected:
                wrong[(NodePhase.Phase.Name(current), NodePhase.Phase.Name(new))] = (got, expected)
    assert wrong == {}


def test_a_nodes_first_event_may_have_any_phase(plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier) -> None:
    for index, phase in enumerate(NODE_PHASES):
        plane.events.create_node_event(node_event(run, f"n{index}", phase))
    with plane.db.read() as session:
        phases = {row.node_id: row.phase for row in session.execute(select(NodeExecution.node_id, NodeExecution.phase))}
    assert phases == {f"n{index}": NodePhase.Phase.Name(phase) for index, phase in enumerate(NODE_PHASES)}


def test_node_refusals_name_the_phase_the_node_is_in(
    plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier
) -> None:
    """flyteadmin reports the incoming phase as `current_phase` (a quirk); here it is the stored one."""
    plane.events.create_node_event(node_event(run, "n0", NodePhase.SUCCEEDED))
    with pytest.raises(AlreadyExists, match=r'^This phase was already recorded SUCCEEDED for node_id:"n0"'):
        plane.events.create_node_event(node_event(run, "n0", NodePhase.SUCCEEDED, 1))
    with pytest.raises(AlreadyInTerminalState, match=r"^Invalid phase change from SUCCEEDED to RUNNING") as caught:
        plane.events.create_node_event(node_event(run, "n0", NodePhase.RUNNING, 1))
    assert caught.value.current_phase == "SUCCEEDED"


# -- task events ---------------------------------------------------------------------------------------------

TASK_PHASES = list(TaskPhase.Phase.values())
TASK_TERMINAL = {TaskPhase.SUCCEEDED, TaskPhase.FAILED, TaskPhase.ABORTED}


def force_task_phase(plane: Plane, phase: int, version: int) -> None:
    with plane.db.transaction() as session:
        row = session.scalar(select(TaskExecution))
        assert row is not None
        row.phase = TaskPhase.Phase.Name(phase)
        row.phase_version = version


def test_every_task_phase_transition_is_judged_as_flyteadmin_does(
    plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier
) -> None:
    """A repeated phase needs a higher phase_version; RETRYABLE_FAILED is not final."""
    plane.events.create_node_event(node_event(run, "n0", NodePhase.RUNNING))
    plane.events.create_task_event(task_event(run, "n0", TaskPhase.UNDEFINED))
    wrong = {}
    for current in TASK_PHASES:
        for new in TASK_PHASES:
            for version in (0, 1):
                force_task_phase(plane, current, 1)
                got = outcome(plane.events.create_task_event, task_event(run, "n0", new, 5, phase_version=version))
                if current == new and version <= 1:
                    expected = "AE"
                elif current in TASK_TERMINAL:
                    expected = "terminal"
                else:
                    expected = "ok"
                if got != expected:
                    wrong[(TaskPhase.Phase.Name(current), TaskPhase.Phase.Name(new), version)] = (
                        got,
                        expected,
                    )
    force_task_phase(plane, TaskPhase.RUNNING, 1)
    plane.events.create_task_event(task_event(run, "n0", TaskPhase.RUNNING, 6, phase_version=2))
    assert wrong == {}


def test_task_event_refusals_carry_flyteadmins_messages(
    plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier
) -> None:
    plane.events.create_node_event(node_event(run, "n0", NodePhase.RUNNING))
    plane.events.create_task_event(task_event(run, "n0", TaskPhase.RUNNING, phase_version=3))
    with pytest.raises(AlreadyExists, match=r"^have already recorded task execution phase RUNNING \(version: 2\) for"):
        plane.events.create_task_event(task_event(run, "n0", TaskPhase.RUNNING, 1, phase_version=2))
    plane.events.create_task_event(task_event(run, "n0", TaskPhase.FAILED, 2))
    with pytest.raises(
        AlreadyInTerminalState, match=r"^invalid phase change from FAILED to RUNNING for task execution"
    ):
        plane.events.create_task_event(task_event(run, "n0", TaskPhase.RUNNING, 3))
