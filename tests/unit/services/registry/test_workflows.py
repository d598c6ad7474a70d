"""CreateWorkflow compiles against registered tasks (flyteadmin §2.3); Get returns the closure, List the interface."""

from __future__ import annotations

import pytest
from flyteidl.admin import common_pb2, task_pb2, workflow_pb2
from flyteidl.core import identifier_pb2
from flyteidl.core import workflow_pb2 as core_workflow_pb2
from tests.unit.services.flytekit_specs import pipeline, serialize
from tests.unit.services.registry_fixtures import Registry

from flyteplane.config import Settings
from flyteplane.errors import AlreadyExists, InvalidArgument
from flyteplane.store.db import Database


@pytest.fixture
def registry(db: Database, settings: Settings) -> Registry:
    return Registry.build(db, settings)


def register_tasks(registry: Registry) -> None:
    for spec in serialize(pipeline)["tasks"]:
        registry.tasks.create_task(task_pb2.TaskCreateRequest(id=spec.template.id, spec=spec))


def workflow_request() -> workflow_pb2.WorkflowCreateRequest:
    spec = serialize(pipeline)["workflows"][0]
    return workflow_pb2.WorkflowCreateRequest(id=spec.template.id, spec=spec)


def test_registered_workflow_has_a_compiled_closure_with_its_tasks(registry: Registry) -> None:
    register_tasks(registry)
    request = workflow_request()
    registry.workflows.create_workflow(request)
    workflow = registry.workflows.get_workflow(common_pb2.ObjectGetRequest(id=request.id))
    compiled = workflow.closure.compiled_workflow
    assert compiled.primary.template.id == request.id
    node_ids = [node.id for node in compiled.primary.template.nodes]
    assert node_ids[:2] == ["start-node", "end-node"]
    assert {task.template.id.name for task in compiled.tasks} == {
        t.template.id.name for t in serialize(pipeline)["tasks"]
    }
    assert compiled.primary.connections.downstream["start-node"].ids


def test_listed_workflows_carry_only_the_interface(registry: Registry) -> None:
    register_tasks(registry)
    request = workflow_request()
    registry.workflows.create_workflow(request)
    listed = registry.workflows.list_workflows(
        common_pb2.ResourceListRequest(
            id=common_pb2.NamedEntityIdentifier(project="flytesnacks", domain="development"), limit=5
        )
    )
    (workflow,) = listed.workflows
    template = workflow.closure.compiled_workflow.primary.template
    assert template.interface == request.spec.template.interface
    assert list(template.nodes) == []


def test_workflow_referencing_an_unregistered_task_fails_to_compile(registry: Registry) -> None:
    with pytest.raises(InvalidArgument, match=r"failed to compile workflow for \[.*\] with err: .*TASK"):
        registry.workflows.create_workflow(workflow_request())


def test_compile_errors_are_invalid_argument(registry: Registry) -> None:
    register_tasks(registry)
    request = workflow_request()
    request.spec.template.nodes[0].inputs[0].binding.promise.node_id = "no-such-node"
    with pytest.raises(InvalidArgument, match="no-such-node"):
        registry.workflows.create_workflow(request)


def test_reregistration_is_already_exists_or_a_diff(registry: Registry) -> None:
    register_tasks(registry)
    registry.workflows.create_workflow(workflow_request())
    with pytest.raises(AlreadyExists, match="workflow with identical structure already exists"):
        registry.workflows.create_workflow(workflow_request())
    changed = workflow_request()
    changed.spec.template.metadata.on_failure = core_workflow_pb2.WorkflowMetadata.FAIL_AFTER_EXECUTABLE_NODES_COMPLETE
    with pytest.raises(InvalidArgument, match="workflow with different structure already exists"):
        registry.workflows.create_workflow(changed)


def test_node_limit_is_enforced(db: Database, tmp_path: object) -> None:
    registry = Registry.build(db, Settings(max_workflow_nodes=1))
    register_tasks(registry)
    with pytest.raises(InvalidArgument, match=r"exceeds limit \(2 > 1\)"):
        registry.workflows.create_workflow(workflow_request())


def test_workflow_id_of_the_wrong_kind_is_rejected(registry: Registry) -> None:
    request = workflow_request()
    request.id.resource_type = identifier_pb2.TASK
    with pytest.raises(InvalidArgument, match="unexpected resource type task"):
        registry.workflows.create_workflow(request)
