"""GetExecutionMetrics (flyteadmin §6.12): an execution's time as a tree of spans following its workflow."""

from __future__ import annotations

from pathlib import Path

import pytest
from flyteidl.admin import execution_pb2
from flyteidl.core import identifier_pb2, metrics_pb2
from google.protobuf.timestamp_pb2 import Timestamp
from tests.unit.services.execution_fixtures import (
    NodePhase,
    Plane,
    TaskPhase,
    WorkflowPhase,
    build_plane,
    execution_id,
    launch,
    node_event,
    register_pipeline,
    task_event,
    workflow_event,
)

from flyteplane.config import Settings
from flyteplane.errors import NotFound
from flyteplane.store.db import Database


@pytest.fixture
def plane(db: Database, settings: Settings, tmp_path: Path) -> Plane:
    return build_plane(db, settings, tmp_path)


@pytest.fixture
def run(plane: Plane) -> identifier_pb2.WorkflowExecutionIdentifier:
    """The pipeline run to the end: n0 fails once and succeeds on its second attempt, then n1 runs."""
    created = launch(plane, register_pipeline(plane), "e1")
    send = plane.events
    send.create_workflow_event(workflow_event(created, WorkflowPhase.RUNNING, 1))
    send.create_node_event(node_event(created, "start-node", NodePhase.SUCCEEDED, 2))
    send.create_node_event(node_event(created, "n0", NodePhase.QUEUED, 3))
    send.create_task_event(task_event(created, "n0", TaskPhase.QUEUED, 4))
    send.create_task_event(task_event(created, "n0", TaskPhase.RUNNING, 5))
    send.create_task_event(task_event(created, "n0", TaskPhase.FAILED, 6))
    send.create_task_event(task_event(created, "n0", TaskPhase.RUNNING, 7, attempt=1))
    send.create_task_event(task_event(created, "n0", TaskPhase.SUCCEEDED, 9, attempt=1))
    send.create_node_event(node_event(created, "n0", NodePhase.SUCCEEDED, 10))
    send.create_node_event(node_event(created, "n1", NodePhase.QUEUED, 11))
    send.create_task_event(task_event(created, "n1", TaskPhase.RUNNING, 12))
    send.create_task_event(task_event(created, "n1", TaskPhase.SUCCEEDED, 13))
    send.create_node_event(node_event(created, "n1", NodePhase.SUCCEEDED, 14))
    send.create_node_event(node_event(created, "end-node", NodePhase.SUCCEEDED, 15))
    send.create_workflow_event(workflow_event(created, WorkflowPhase.SUCCEEDED, 16))
    return created  # type: ignore[no-any-return]


def metrics(plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier, depth: int) -> metrics_pb2.Span:
    request = execution_pb2.WorkflowExecutionGetMetricsRequest(id=run, depth=depth)
    return plane.execution_metrics.get_execution_metrics(request).span  # type: ignore[no-any-return]


def seconds(stamp: Timestamp) -> float:
    return stamp.ToNanoseconds() / 1e9 - 1_700_000_000


def shape(span: metrics_pb2.Span) -> tuple[str, float, float]:
    kind = span.WhichOneof("id")
    label = span.operation_id if kind == "operation_id" else kind
    return label, seconds(span.start_time), seconds(span.end_time)


def test_the_root_span_is_the_execution_and_depth_zero_stops_there(
    plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier
) -> None:
    root = metrics(plane, run, 0)
    assert root.workflow_id == run
    assert seconds(root.end_time) == 16
    assert list(root.spans) == []


def test_nodes_break_down_into_setup_attempts_and_teardown(
    plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier
) -> None:
    root = metrics(plane, run, 10)
    labels = [shape(span) for span in root.spans]
    assert labels[0][0] == "WORKFLOW_SETUP" and labels[0][2] == 2
    assert [label for label, *_ in labels[1:3]] == ["node_id", "node_id"]
    assert labels[-1] == ("WORKFLOW_TEARDOWN", 14, 16)
    n0, n1 = root.spans[1], root.spans[2]
    assert (n0.node_id.node_id, n1.node_id.node_id) == ("n0", "n1")
    n0_parts = [shape(span) for span in n0.spans]
    assert n0_parts[0] == ("NODE_TRANSITION", 2, 3)
    assert n0_parts[1] == ("NODE_SETUP", 3, 4)
    assert [label for label, *_ in n0_parts[2:5]] == ["task_id", "NODE_RESET", "task_id"]
    assert n0_parts[3] == ("NODE_RESET", 6, 7)
    assert n0_parts[-1] == ("NODE_TEARDOWN", 9, 10)
    first_attempt = [shape(span) for span in n0.spans[2].spans]
    assert first_attempt == [("TASK_SETUP", 4, 5), ("TASK_RUNTIME", 5, 6), ("TASK_TEARDOWN", 6, 6)]
    assert shape(n1.spans[0]) == ("NODE_TRANSITION", 10, 11)


def test_an_unstarted_execution_is_all_setup(plane: Plane) -> None:
    created = launch(plane, register_pipeline(plane), "e2")
    root = metrics(plane, created, 5)
    (setup,) = root.spans
    assert setup.operation_id == "WORKFLOW_SETUP"
    assert (setup.start_time, setup.end_time) == (root.start_time, root.end_time)


def test_metrics_of_an_unknown_execution_are_not_found(plane: Plane) -> None:
    with pytest.raises(NotFound):
        metrics(plane, execution_id("nope"), 1)
