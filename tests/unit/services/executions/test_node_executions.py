"""Node executions (flyteadmin §7): what node events record, Flyte's parent/child identifiers, listings of the
top level and of one parent's children, data with flyte URLs, and dynamic workflows."""

from __future__ import annotations

from pathlib import Path

import pytest
from flyteidl.admin import common_pb2, node_execution_pb2
from flyteidl.core import catalog_pb2, compiler_pb2, identifier_pb2, workflow_pb2
from flyteidl.core import execution_pb2 as core_execution_pb2
from flyteidl.event import event_pb2 as core_event_pb2
from tests.unit.services.execution_fixtures import (
    D,
    NodePhase,
    P,
    Plane,
    TaskPhase,
    at,
    build_plane,
    execution_id,
    integer,
    launch,
    literal_map,
    node_event,
    node_id,
    register_pipeline,
    task_event,
    task_execution_id,
    write_literal_map,
)

from flyteplane.config import Settings
from flyteplane.errors import InvalidArgument, NotFound
from flyteplane.store.db import Database

ExecutionError = core_execution_pb2.ExecutionError


@pytest.fixture
def plane(db: Database, settings: Settings, tmp_path: Path) -> Plane:
    return build_plane(db, settings, tmp_path)


@pytest.fixture
def run(plane: Plane) -> identifier_pb2.WorkflowExecutionIdentifier:
    return launch(plane, register_pipeline(plane), "e1")  # type: ignore[no-any-return]


def get(plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier, node: str) -> node_execution_pb2.NodeExecution:
    return plane.node_executions.get_node_execution(node_execution_pb2.NodeExecutionGetRequest(id=node_id(run, node)))


def listed(
    plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier, parent: str = "", **kwargs: object
) -> list[str]:
    request = node_execution_pb2.NodeExecutionListRequest(
        workflow_execution_id=run, limit=100, unique_parent_id=parent, **kwargs
    )
    return [ne.id.node_id for ne in plane.node_executions.list_node_executions(request).node_executions]


# -- what node events record ---------------------------------------------------------------------------------


def test_a_node_records_its_lifecycle(plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier) -> None:
    plane.events.create_node_event(node_event(run, "n0", NodePhase.QUEUED, 1, input_uri="/in.pb", retry_group="0"))
    plane.events.create_node_event(node_event(run, "n0", NodePhase.RUNNING, 2, deck_uri="/deck.html"))
    plane.events.create_node_event(node_event(run, "n0", NodePhase.SUCCEEDED, 5, output_uri="/out.pb"))
    node = get(plane, run, "n0")
    assert node.input_uri == "/in.pb"
    assert node.closure.phase == NodePhase.SUCCEEDED
    assert node.closure.created_at == at(1) and node.closure.updated_at == at(5)
    assert node.closure.started_at == at(2)
    assert node.closure.duration.ToSeconds() == 3
    assert node.closure.output_uri == "/out.pb"
    assert node.closure.deck_uri == "/deck.html"
    assert (node.metadata.spec_node_id, node.metadata.retry_group) == ("n0", "0")


def test_reported_at_sets_the_update_time_when_given(
    plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier
) -> None:
    plane.events.create_node_event(node_event(run, "n0", NodePhase.RUNNING, 1, reported_at=at(4)))
    assert get(plane, run, "n0").closure.updated_at == at(4)


def test_inputs_are_kept_from_the_first_event_that_has_them(
    plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier
) -> None:
    plane.events.create_node_event(node_event(run, "n0", NodePhase.QUEUED, 1, input_data=literal_map(a=integer(1))))
    plane.events.create_node_event(node_event(run, "n0", NodePhase.RUNNING, 2, input_uri="/other.pb"))
    assert get(plane, run, "n0").input_uri == plane.blobs.native_url(f"metadata/{P}/{D}/e1/n0/offloaded_inputs")


def test_inline_node_outputs_are_offloaded(plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier) -> None:
    plane.events.create_node_event(
        node_event(run, "n0", NodePhase.SUCCEEDED, 1, output_data=literal_map(o0=integer(4)))
    )
    node = get(plane, run, "n0")
    assert node.closure.output_uri == plane.blobs.native_url(f"metadata/{P}/{D}/e1/n0/offloaded_outputs")
    data = plane.node_executions.get_node_execution_data(node_execution_pb2.NodeExecutionGetDataRequest(id=node.id))
    assert data.full_outputs == literal_map(o0=integer(4))


def test_a_failed_node_records_its_error(plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier) -> None:
    error = ExecutionError(code="Boom", message="x" * 150, kind=ExecutionError.SYSTEM)
    plane.events.create_node_event(node_event(run, "n0", NodePhase.FAILED, 1, error=error))
    assert get(plane, run, "n0").closure.error == error
    (only,) = plane.node_executions.list_node_executions(
        node_execution_pb2.NodeExecutionListRequest(workflow_execution_id=run, limit=5, filters="eq(error_kind,SYSTEM)")
    ).node_executions
    assert only.closure.error.message == "x" * 100


def test_flags_are_sticky(plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier) -> None:
    plane.events.create_node_event(node_event(run, "n0", NodePhase.RUNNING, 1, is_parent=True, is_array=True))
    plane.events.create_node_event(node_event(run, "n0", NodePhase.DYNAMIC_RUNNING, 2, is_dynamic=True))
    plane.events.create_node_event(node_event(run, "n0", NodePhase.SUCCEEDED, 3))
    metadata = get(plane, run, "n0").metadata
    assert metadata.is_parent_node and metadata.is_dynamic and metadata.is_array


def test_cache_status_and_catalog_key_are_recorded_and_kept(
    plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier
) -> None:
    key = catalog_pb2.CatalogMetadata(dataset_id=identifier_pb2.Identifier(name="flyte_task-add"))
    hit = core_event_pb2.TaskNodeMetadata(cache_status=catalog_pb2.CACHE_HIT, catalog_key=key)
    plane.events.create_node_event(node_event(run, "n0", NodePhase.RUNNING, 1, task_node_metadata=hit))
    later = core_event_pb2.TaskNodeMetadata(checkpoint_uri="/ckpt")
    plane.events.create_node_event(node_event(run, "n0", NodePhase.SUCCEEDED, 2, task_node_metadata=later))
    metadata = get(plane, run, "n0").closure.task_node_metadata
    assert metadata.cache_status == catalog_pb2.CACHE_HIT and metadata.catalog_key == key
    assert metadata.checkpoint_uri == "/ckpt"
    found = plane.node_executions.list_node_executions(
        node_execution_pb2.NodeExecutionListRequest(
            workflow_execution_id=run, limit=5, filters="eq(cache_status,CACHE_HIT)"
        )
    )
    assert [ne.id.node_id for ne in found.node_executions] == ["n0"]


def test_a_launch_plan_node_records_its_child_execution_once_it_exists(
    plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier
) -> None:
    plane.events.create_node_event(node_event(run, "n0", NodePhase.QUEUED, 1))
    missing = node_event(run, "n0", NodePhase.RUNNING, 2)
    missing.event.workflow_node_metadata.execution_id.CopyFrom(execution_id("child"))
    with pytest.raises(NotFound, match=r"missing entity of type execution"):
        plane.events.create_node_event(missing)
    launch(plane, register_pipeline(plane, "v2"), "child")
    plane.events.create_node_event(missing)
    closure = get(plane, run, "n0").closure
    assert closure.workflow_node_metadata.executionId == execution_id("child")
    assert not get(plane, run, "n0").metadata.is_parent_node


def test_a_nodes_first_event_may_name_its_child_execution(
    plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier
) -> None:
    """flyteadmin records the child only on later events; here the first event's child counts too."""
    launch(plane, register_pipeline(plane, "v2"), "child")
    first = node_event(run, "n0", NodePhase.RUNNING, 1)
    first.event.workflow_node_metadata.execution_id.CopyFrom(execution_id("child"))
    plane.events.create_node_event(first)
    assert get(plane, run, "n0").closure.workflow_node_metadata.executionId == execution_id("child")


def test_events_for_a_missing_execution_are_not_found(plane: Plane) -> None:
    with pytest.raises(NotFound, match=r"^Failed to get existing execution id: \[.*name:\"nope\"\] with err"):
        plane.events.create_node_event(node_event(execution_id("nope"), "n0", NodePhase.RUNNING))


def test_node_event_validation(plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier) -> None:
    """flyteadmin only logs an invalid node event and then fails in less helpful ways (a quirk, not kept):
    here the validation is the answer."""
    from flyteidl.admin import event_pb2

    with pytest.raises(InvalidArgument, match=r"^missing event$"):
        plane.events.create_node_event(event_pb2.NodeExecutionEventRequest())
    anonymous = node_event(run, "", NodePhase.RUNNING)
    with pytest.raises(InvalidArgument, match=r"^missing node_id$"):
        plane.events.create_node_event(anonymous)
    unknown = node_event(run, "n0", 99)
    with pytest.raises(InvalidArgument, match=r"invalid value for phase"):
        plane.events.create_node_event(unknown)


# -- identifiers of nested nodes -----------------------------------------------------------------------------


def run_subworkflow(plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier) -> None:
    """Node n0 is a sub-workflow whose children have unique ids `n0-0-<spec id>`."""
    plane.events.create_node_event(node_event(run, "start-node", NodePhase.SUCCEEDED, 0))
    plane.events.create_node_event(node_event(run, "n0", NodePhase.RUNNING, 1, is_parent=True))
    for child in ("start-node", "n1", "end-node"):
        plane.events.create_node_event(
            node_event(run, f"n0-0-{child}", NodePhase.SUCCEEDED, 2, parent="n0", spec_node_id=child, retry_group="0")
        )
    plane.events.create_node_event(node_event(run, "n1", NodePhase.QUEUED, 3))


def test_children_name_their_parent_and_the_parent_must_exist(
    plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier
) -> None:
    run_subworkflow(plane, run)
    child = get(plane, run, "n0-0-n1")
    assert (child.metadata.spec_node_id, child.metadata.retry_group) == ("n1", "0")
    with pytest.raises(NotFound, match=r'missing entity of type node execution with identifier \[node_id:"ghost"'):
        plane.events.create_node_event(node_event(run, "n9-0-n1", NodePhase.RUNNING, parent="ghost"))


def test_the_top_level_list_has_no_children_and_a_parent_lists_its_own(
    plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier
) -> None:
    run_subworkflow(plane, run)
    ascending = common_pb2.Sort(key="id", direction=common_pb2.Sort.ASCENDING)
    assert listed(plane, run, sort_by=ascending) == ["start-node", "n0", "n1"]
    assert listed(plane, run, "n0", sort_by=ascending) == ["n0-0-start-node", "n0-0-n1", "n0-0-end-node"]
    assert listed(plane, run, "n1") == []
    with pytest.raises(NotFound, match=r"missing entity of type node execution"):
        listed(plane, run, "nope")


def test_a_node_with_children_is_a_parent_in_get_and_list(
    plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier
) -> None:
    """A branch node's events never say is_parent; flyteadmin marks it in lists because it has children. Here
    Get answers the same, so that a client sees one truth."""
    plane.events.create_node_event(node_event(run, "n2", NodePhase.RUNNING, 1))
    plane.events.create_node_event(
        node_event(run, "n2-0-n2-n0", NodePhase.RUNNING, 2, parent="n2", spec_node_id="n2-n0")
    )
    assert get(plane, run, "n2").metadata.is_parent_node
    request = node_execution_pb2.NodeExecutionListRequest(workflow_execution_id=run, limit=5)
    (branch,) = plane.node_executions.list_node_executions(request).node_executions
    assert branch.metadata.is_parent_node and not branch.metadata.is_dynamic
    assert not get(plane, run, "n2-0-n2-n0").metadata.is_parent_node


def test_listing_validates_and_pages(plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier) -> None:
    for index in range(5):
        plane.events.create_node_event(node_event(run, f"n{index}", NodePhase.RUNNING, index))
    with pytest.raises(InvalidArgument, match=r"^missing execution_id$"):
        plane.node_executions.list_node_executions(node_execution_pb2.NodeExecutionListRequest(limit=1))
    with pytest.raises(InvalidArgument, match=r"^invalid value for limit$"):
        plane.node_executions.list_node_executions(
            node_execution_pb2.NodeExecutionListRequest(workflow_execution_id=run)
        )
    seen, token = [], ""
    while True:
        page = plane.node_executions.list_node_executions(
            node_execution_pb2.NodeExecutionListRequest(
                workflow_execution_id=run,
                limit=2,
                token=token,
                sort_by=common_pb2.Sort(key="created_at", direction=common_pb2.Sort.ASCENDING),
            )
        )
        seen += [ne.id.node_id for ne in page.node_executions]
        token = page.token
        if not token:
            break
    assert seen == [f"n{index}" for index in range(5)]


def test_listing_filters_on_node_and_execution_columns(
    plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier
) -> None:
    plane.events.create_node_event(node_event(run, "n0", NodePhase.RUNNING, 1))
    plane.events.create_node_event(node_event(run, "n1", NodePhase.SUCCEEDED, 2))
    assert listed(plane, run, filters="eq(phase,SUCCEEDED)") == ["n1"]
    assert sorted(listed(plane, run, filters="eq(execution.phase,UNDEFINED)")) == ["n0", "n1"]
    assert listed(plane, run, filters="eq(execution.phase,RUNNING)") == []
    with pytest.raises(InvalidArgument, match=r"^'t' entity is not allowed in filters$"):
        listed(plane, run, filters="eq(task.name,x)")


def test_nodes_launched_by_a_task_attempt_are_listed_for_it(
    plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier
) -> None:
    plane.events.create_node_event(node_event(run, "n0", NodePhase.RUNNING, 1))
    plane.events.create_task_event(task_event(run, "n0", TaskPhase.RUNNING, 1))
    legacy = node_event(run, "n0-0-dn0", NodePhase.RUNNING, 2)
    legacy.event.parent_task_metadata.id.CopyFrom(task_execution_id(run, "n0"))
    plane.events.create_node_event(legacy)
    request = node_execution_pb2.NodeExecutionForTaskListRequest(
        task_execution_id=task_execution_id(run, "n0"), limit=5
    )
    children = plane.node_executions.list_node_executions_for_task(request).node_executions
    assert [ne.id.node_id for ne in children] == ["n0-0-dn0"]
    assert "n0-0-dn0" not in listed(plane, run)
    with pytest.raises(InvalidArgument, match=r"^missing id$"):
        plane.node_executions.list_node_executions_for_task(node_execution_pb2.NodeExecutionForTaskListRequest(limit=1))


# -- data and dynamic workflows ------------------------------------------------------------------------------


def test_node_data_inlines_inputs_and_outputs_with_flyte_urls(
    plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier
) -> None:
    inputs = write_literal_map(plane, "metadata/propeller/e1/n0/data/inputs.pb", literal_map(a=integer(1)))
    outputs = write_literal_map(plane, "metadata/propeller/e1/n0/data/0/outputs.pb", literal_map(o0=integer(3)))
    plane.events.create_node_event(node_event(run, "n0", NodePhase.QUEUED, 1, input_uri=inputs))
    request = node_execution_pb2.NodeExecutionGetDataRequest(id=node_id(run, "n0"))
    data = plane.node_executions.get_node_execution_data(request)
    assert data.full_inputs == literal_map(a=integer(1)) and not data.full_outputs.literals
    assert data.flyte_urls.inputs == f"flyte://v1/{P}/{D}/e1/n0/i"
    assert data.flyte_urls.outputs == f"flyte://v1/{P}/{D}/e1/n0/o"
    assert data.flyte_urls.deck == ""
    plane.events.create_node_event(
        node_event(run, "n0", NodePhase.SUCCEEDED, 2, output_uri=outputs, deck_uri="/deck.html")
    )
    data = plane.node_executions.get_node_execution_data(request)
    assert data.full_outputs == literal_map(o0=integer(3))
    assert data.flyte_urls.deck == f"flyte://v1/{P}/{D}/e1/n0/d"


def test_large_node_data_is_a_signed_download_url(
    plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier
) -> None:
    outputs = write_literal_map(plane, "metadata/x/outputs.pb", literal_map(o0=integer(3), o1=integer(4)))
    plane.events.create_node_event(node_event(run, "n0", NodePhase.SUCCEEDED, 1, output_uri=outputs))
    plane.execution_data.max_inline_bytes = 8
    data = plane.node_executions.get_node_execution_data(
        node_execution_pb2.NodeExecutionGetDataRequest(id=node_id(run, "n0"))
    )
    assert not data.full_outputs.literals
    assert data.outputs.bytes == literal_map(o0=integer(3), o1=integer(4)).ByteSize()
    assert data.outputs.url.startswith("http://") and "signature=" in data.outputs.url


def dynamic_closure() -> compiler_pb2.CompiledWorkflowClosure:
    template = workflow_pb2.WorkflowTemplate(
        id=identifier_pb2.Identifier(
            resource_type=identifier_pb2.WORKFLOW, project=P, domain=D, name="dynamic_n0", version="r1"
        )
    )
    return compiler_pb2.CompiledWorkflowClosure(primary=compiler_pb2.CompiledWorkflow(template=template))


def test_a_dynamic_nodes_workflow_is_kept_and_served(
    plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier
) -> None:
    closure = dynamic_closure()
    metadata = core_event_pb2.TaskNodeMetadata(
        dynamic_workflow=core_event_pb2.DynamicWorkflowNodeMetadata(
            id=closure.primary.template.id, compiled_workflow=closure, dynamic_job_spec_uri="/futures.pb"
        )
    )
    plane.events.create_node_event(node_event(run, "n0", NodePhase.RUNNING, 1))
    plane.events.create_node_event(
        node_event(
            run,
            "n0",
            NodePhase.DYNAMIC_RUNNING,
            2,
            is_parent=True,
            is_dynamic=True,
            task_node_metadata=metadata,
        )
    )
    plane.events.create_node_event(node_event(run, "n0", NodePhase.SUCCEEDED, 3))
    key = f"metadata/admin/{P}/{D}/e1/n0/{P}_{D}_dynamic_n0_r1"
    assert compiler_pb2.CompiledWorkflowClosure.FromString(plane.blobs.get_bytes(key)) == closure
    request = node_execution_pb2.NodeExecutionGetDataRequest(id=node_id(run, "n0"))
    dynamic = plane.node_executions.get_node_execution_data(request).dynamic_workflow
    assert dynamic.compiled_workflow == closure
    assert dynamic.id == closure.primary.template.id
    assert dynamic.dynamic_job_spec_uri == "/futures.pb"
    answer = plane.node_executions.get_dynamic_node_workflow(
        node_execution_pb2.GetDynamicNodeWorkflowRequest(id=node_id(run, "n0"))
    )
    assert answer.compiled_workflow == closure


def test_get_looks_the_node_up_without_validating_its_identifier(plane: Plane) -> None:
    """GetNodeExecution only logs identifier problems in flyteadmin (kept): an empty id is not found."""
    with pytest.raises(NotFound):
        plane.node_executions.get_node_execution(node_execution_pb2.NodeExecutionGetRequest())


def test_a_node_without_a_dynamic_workflow_says_so(
    plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier
) -> None:
    plane.events.create_node_event(node_event(run, "n0", NodePhase.RUNNING, 1))
    with pytest.raises(NotFound, match=r"^node does not contain dynamic workflow$"):
        plane.node_executions.get_dynamic_node_workflow(
            node_execution_pb2.GetDynamicNodeWorkflowRequest(id=node_id(run, "n0"))
        )
    with pytest.raises(NotFound):
        get(plane, run, "nope")


def test_the_deck_lookup_serves_the_data_proxy(plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier) -> None:
    plane.events.create_node_event(node_event(run, "n0", NodePhase.SUCCEEDED, 1, deck_uri="/deck.html"))
    assert plane.node_executions.deck_uri_of(node_id(run, "n0")) == "/deck.html"
    with pytest.raises(InvalidArgument, match=r"node execution with id \[flytesnacks/development/e1/n9\]"):
        plane.node_executions.deck_uri_of(node_id(run, "n9"))
