"""Task executions (flyteadmin §7.4, §7.5): what task events record and merge, a node's attempts, data."""

from __future__ import annotations

from pathlib import Path

import pytest
from flyteidl.admin import event_pb2, task_execution_pb2
from flyteidl.core import catalog_pb2, identifier_pb2
from flyteidl.core import execution_pb2 as core_execution_pb2
from flyteidl.event import event_pb2 as core_event_pb2
from google.protobuf import json_format, struct_pb2
from tests.unit.services.execution_fixtures import (
    D,
    NodePhase,
    P,
    Plane,
    TaskPhase,
    at,
    build_plane,
    integer,
    launch,
    literal_map,
    node_event,
    node_id,
    register_pipeline,
    task_event,
    task_execution_id,
    task_id,
    write_literal_map,
)

from flyteplane.config import Settings
from flyteplane.errors import InvalidArgument, NotFound
from flyteplane.store.db import Database

TaskLog = core_execution_pb2.TaskLog


@pytest.fixture
def plane(db: Database, settings: Settings, tmp_path: Path) -> Plane:
    return build_plane(db, settings, tmp_path)


@pytest.fixture
def run(plane: Plane) -> identifier_pb2.WorkflowExecutionIdentifier:
    created = launch(plane, register_pipeline(plane), "e1")
    plane.events.create_node_event(node_event(created, "n0", NodePhase.RUNNING, 0))
    return created  # type: ignore[no-any-return]


def get(
    plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier, attempt: int = 0
) -> task_execution_pb2.TaskExecution:
    return plane.task_executions.get_task_execution(
        task_execution_pb2.TaskExecutionGetRequest(id=task_execution_id(run, "n0", attempt))
    )


def send(plane: Plane, request: event_pb2.TaskExecutionEventRequest) -> None:
    plane.events.create_task_event(request)


# -- what task events record ---------------------------------------------------------------------------------


def test_an_attempt_records_its_lifecycle(plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier) -> None:
    send(plane, task_event(run, "n0", TaskPhase.QUEUED, 1, input_uri="/in.pb", task_type="python-task"))
    send(plane, task_event(run, "n0", TaskPhase.RUNNING, 2))
    send(plane, task_event(run, "n0", TaskPhase.SUCCEEDED, 4.5, output_uri="/out.pb"))
    attempt = get(plane, run)
    assert attempt.id.task_id == task_id() and attempt.id.retry_attempt == 0
    assert attempt.input_uri == "/in.pb"
    closure = attempt.closure
    assert closure.phase == TaskPhase.SUCCEEDED and closure.task_type == "python-task"
    assert closure.created_at == at(1) and closure.started_at == at(2) and closure.updated_at == at(4.5)
    assert closure.duration.ToNanoseconds() == 2_500_000_000
    assert closure.output_uri == "/out.pb"


def test_a_failed_attempt_keeps_its_error(plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier) -> None:
    error = core_execution_pb2.ExecutionError(code="USER:ValueError", message="m" * 300)
    send(plane, task_event(run, "n0", TaskPhase.RUNNING, 1))
    send(plane, task_event(run, "n0", TaskPhase.FAILED, 2, error=error))
    assert get(plane, run).closure.error == error
    listed = plane.task_executions.list_task_executions(
        task_execution_pb2.TaskExecutionListRequest(node_execution_id=node_id(run, "n0"), limit=5)
    )
    assert listed.task_executions[0].closure.error.message == "m" * 300  # untrimmed, unlike node lists


def test_retryable_failure_is_not_final(plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier) -> None:
    send(plane, task_event(run, "n0", TaskPhase.RETRYABLE_FAILED, 1))
    send(plane, task_event(run, "n0", TaskPhase.FAILED, 2))
    assert get(plane, run).closure.phase == TaskPhase.FAILED


def test_each_attempt_is_its_own_task_execution(plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier) -> None:
    send(plane, task_event(run, "n0", TaskPhase.FAILED, 1, attempt=0))
    send(plane, task_event(run, "n0", TaskPhase.RUNNING, 2, attempt=1))
    listed = plane.task_executions.list_task_executions(
        task_execution_pb2.TaskExecutionListRequest(node_execution_id=node_id(run, "n0"), limit=5)
    )
    assert sorted((t.id.retry_attempt, t.closure.phase) for t in listed.task_executions) == [
        (0, TaskPhase.FAILED),
        (1, TaskPhase.RUNNING),
    ]


def test_logs_merge_by_uri_or_name_and_follow_their_visibility_flags(
    plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier
) -> None:
    pending = TaskLog(uri="/pending", name="pending", ShowWhilePending=True)
    stdout = TaskLog(uri="/stdout/v1", name="stdout")
    live = TaskLog(uri="/live", name="live", HideOnceFinished=True)
    send(plane, task_event(run, "n0", TaskPhase.QUEUED, 1, logs=[pending]))
    send(plane, task_event(run, "n0", TaskPhase.RUNNING, 2, logs=[stdout, live]))
    assert [log.name for log in get(plane, run).closure.logs] == ["stdout", "live", "pending"]
    send(
        plane,
        task_event(run, "n0", TaskPhase.RUNNING, 3, phase_version=1, logs=[TaskLog(uri="/stdout/v2", name="stdout")]),
    )
    assert [log.uri for log in get(plane, run).closure.logs] == ["/stdout/v2", "/live", "/pending"]
    send(plane, task_event(run, "n0", TaskPhase.SUCCEEDED, 4))
    assert [log.uri for log in get(plane, run).closure.logs] == ["/stdout/v2", "/pending"]


def test_reasons_accumulate_and_the_latest_is_the_reason(
    plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier
) -> None:
    send(plane, task_event(run, "n0", TaskPhase.QUEUED, 1, reason="waiting for a slot"))
    send(plane, task_event(run, "n0", TaskPhase.QUEUED, 2, phase_version=1, reason="waiting for a slot"))
    send(plane, task_event(run, "n0", TaskPhase.RUNNING, 3, reason="started"))
    closure = get(plane, run).closure
    assert [reason.message for reason in closure.reasons] == ["waiting for a slot", "started"]
    assert closure.reason == "started"
    explicit = [
        core_event_pb2.EventReason(reason="a", occurred_at=at(4)),
        core_event_pb2.EventReason(reason="b"),
    ]
    send(plane, task_event(run, "n0", TaskPhase.RUNNING, 4, phase_version=1, reasons=explicit))
    closure = get(plane, run).closure
    assert [reason.message for reason in closure.reasons][-2:] == ["a", "b"] and closure.reason == "b"


def test_custom_info_is_merge_patched(plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier) -> None:
    def struct(**values: object) -> struct_pb2.Struct:
        value = struct_pb2.Struct()
        value.update(values)
        return value

    send(plane, task_event(run, "n0", TaskPhase.RUNNING, 1, custom_info=struct(a=1, nested={"x": 1, "y": 2})))
    send(
        plane,
        task_event(run, "n0", TaskPhase.RUNNING, 2, phase_version=1, custom_info=struct(b=2, nested={"y": None})),
    )
    info = json_format.MessageToDict(get(plane, run).closure.custom_info)
    assert info == {"a": 1, "b": 2, "nested": {"x": 1}}


def test_sub_task_reports_merge_by_index_and_attempt(
    plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier
) -> None:
    Info = core_event_pb2.ExternalResourceInfo
    first = core_event_pb2.TaskExecutionMetadata(
        generated_name="g",
        external_resources=[Info(index=1, phase=TaskPhase.RUNNING), Info(index=0, phase=TaskPhase.RUNNING)],
    )
    send(plane, task_event(run, "n0", TaskPhase.RUNNING, 1, metadata=first))
    second = core_event_pb2.TaskExecutionMetadata(
        external_resources=[
            Info(index=0, phase=TaskPhase.SUCCEEDED, cache_status=catalog_pb2.CACHE_POPULATED),
            Info(index=0, retry_attempt=1, phase=TaskPhase.QUEUED),
        ],
        plugin_identifier="k8s-array",
    )
    send(plane, task_event(run, "n0", TaskPhase.RUNNING, 2, phase_version=1, metadata=second))
    metadata = get(plane, run).closure.metadata
    assert (metadata.generated_name, metadata.plugin_identifier) == ("g", "k8s-array")
    assert [(r.index, r.retry_attempt, r.phase) for r in metadata.external_resources] == [
        (0, 0, TaskPhase.SUCCEEDED),
        (0, 1, TaskPhase.QUEUED),
        (1, 0, TaskPhase.RUNNING),
    ]
    assert metadata.external_resources[0].cache_status == catalog_pb2.CACHE_POPULATED


def test_inline_task_inputs_and_outputs_are_offloaded(
    plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier
) -> None:
    send(plane, task_event(run, "n0", TaskPhase.RUNNING, 1, input_data=literal_map(a=integer(1))))
    send(plane, task_event(run, "n0", TaskPhase.SUCCEEDED, 2, output_data=literal_map(o0=integer(2))))
    base = f"metadata/{P}/{D}/e1/n0/{P}/{D}/tests.unit.services.flytekit_specs.add/v1/0"
    attempt = get(plane, run)
    assert attempt.input_uri == plane.blobs.native_url(f"{base}/offloaded_inputs")
    assert attempt.closure.output_uri == plane.blobs.native_url(f"{base}/offloaded_outputs")


def test_task_event_validation(plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier) -> None:
    def refused(request: event_pb2.TaskExecutionEventRequest) -> str:
        with pytest.raises(InvalidArgument) as caught:
            send(plane, request)
        return caught.value.message

    assert refused(event_pb2.TaskExecutionEventRequest()) == "missing event"
    timeless = task_event(run, "n0", TaskPhase.RUNNING)
    timeless.event.ClearField("occurred_at")
    assert refused(timeless) == "missing occurred_at"
    nodeless = task_event(run, "n0", TaskPhase.RUNNING)
    nodeless.event.ClearField("parent_node_execution_id")
    assert refused(nodeless) == "missing node_execution_id"
    taskless = task_event(run, "n0", TaskPhase.RUNNING)
    taskless.event.ClearField("task_id")
    assert refused(taskless) == "missing task_id"
    workflow_kind = identifier_pb2.Identifier()
    workflow_kind.CopyFrom(task_id())
    workflow_kind.resource_type = identifier_pb2.WORKFLOW
    assert refused(task_event(run, "n0", TaskPhase.RUNNING, task=workflow_kind)).startswith(
        "unexpected resource type workflow"
    )


def test_an_attempt_of_an_unknown_node_is_not_found(
    plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier
) -> None:
    """flyteadmin answers this with a plain Go error, i.e. INTERNAL (a quirk, not kept): NOT_FOUND here."""
    with pytest.raises(NotFound, match=r"^Failed to get existing node execution id: \[node_id:\"n7\""):
        send(plane, task_event(run, "n7", TaskPhase.RUNNING))


# -- get, list and data --------------------------------------------------------------------------------------


def test_get_enforces_the_identifier(plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier) -> None:
    with pytest.raises(InvalidArgument, match=r"^missing id$"):
        plane.task_executions.get_task_execution(task_execution_pb2.TaskExecutionGetRequest())
    with pytest.raises(NotFound, match=r"missing entity of type task execution"):
        get(plane, run, attempt=3)


def test_task_filters_name_the_task_and_execution_columns_the_execution(
    plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier
) -> None:
    """flyteadmin rewrites `name` on task executions to the execution's name after checking it against the
    task's columns (a quirk that makes `eq(name,<task>)` find nothing); here `name` is the task's."""
    send(plane, task_event(run, "n0", TaskPhase.RUNNING, 1))

    def matching(filters: str) -> int:
        request = task_execution_pb2.TaskExecutionListRequest(
            node_execution_id=node_id(run, "n0"), limit=5, filters=filters
        )
        return len(plane.task_executions.list_task_executions(request).task_executions)

    assert matching("eq(name,tests.unit.services.flytekit_specs.add)") == 1
    assert matching("eq(execution_name,e1)") == 1
    assert matching("eq(name,e1)") == 0
    assert matching("eq(retry_attempt,0)+eq(execution.phase,UNDEFINED)+eq(node_execution.phase,RUNNING)") == 1
    assert matching("eq(task.type,python-task)") == 1
    with pytest.raises(InvalidArgument, match=r"^invalid value for limit$"):
        plane.task_executions.list_task_executions(
            task_execution_pb2.TaskExecutionListRequest(node_execution_id=node_id(run, "n0"))
        )


def test_attempt_data_has_inputs_outputs_and_attempt_flyte_urls(
    plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier
) -> None:
    inputs = write_literal_map(plane, "metadata/p/n0/inputs.pb", literal_map(a=integer(1)))
    outputs = write_literal_map(plane, "metadata/p/n0/1/outputs.pb", literal_map(o0=integer(2)))
    send(plane, task_event(run, "n0", TaskPhase.RUNNING, 1, attempt=1, input_uri=inputs))
    send(plane, task_event(run, "n0", TaskPhase.SUCCEEDED, 2, attempt=1, output_uri=outputs))
    data = plane.task_executions.get_task_execution_data(
        task_execution_pb2.TaskExecutionGetDataRequest(id=task_execution_id(run, "n0", 1))
    )
    assert data.full_inputs == literal_map(a=integer(1))
    assert data.full_outputs == literal_map(o0=integer(2))
    assert data.flyte_urls.inputs == f"flyte://v1/{P}/{D}/e1/n0/1/i"
    assert data.flyte_urls.outputs == f"flyte://v1/{P}/{D}/e1/n0/1/o"
    assert data.flyte_urls.deck == ""


def test_an_attempt_that_launched_nodes_is_a_parent(
    plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier
) -> None:
    send(plane, task_event(run, "n0", TaskPhase.RUNNING, 1))
    assert not get(plane, run).is_parent
    legacy = node_event(run, "n0-0-dn0", NodePhase.RUNNING, 2)
    legacy.event.parent_task_metadata.id.CopyFrom(task_execution_id(run, "n0"))
    plane.events.create_node_event(legacy)
    assert get(plane, run).is_parent
