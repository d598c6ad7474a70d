"""The registry samples of seeds/004 (SynchronousFlyteClient) and the client lines of seeds/000, run against a
real `flyteplane serve` with their client imports pointed at flyteplane.

The samples build their arguments with flytekit's models, which flyteplane's client takes as they are (through
`to_flyte_idl()`); where a sample says a spec "would be constructed from a Flyte task definition", the spec is
flytekit's own serialization of a real task. Where a sample names something flytekit does not have, the nearest
real thing is used and a comment says so. Samples about executions run against a fake Admin in
test_execution_methods_fake_admin.py until flyteplane runs executions.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flyteidl.admin import task_pb2
from flytekit.models import launch_plan as launch_plan_model
from flytekit.models import project as project_model
from flytekit.models import task as task_model
from flytekit.models.admin import common as admin_common_models
from flytekit.models.admin import workflow as workflow_model
from flytekit.models.common import NamedEntityIdentifier
from flytekit.models.core import identifier
from tests.integration.client import plans
from tests.integration.server import RunningServer
from tests.integration.support import serialize
from tests.unit.client.fakes import self_signed

from flyteplane.client import (
    FlyteEntityAlreadyExistsException,
    FlyteInvalidInputException,
    PlatformConfig,
    SynchronousFlyteClient,
)

PROJECT = "my-project"  # the seeds say my_project, which flyteadmin refuses: ids are RFC 1123 labels


def with_id(spec_proto: Any, entity_id: Any) -> Any:
    """The serialized spec with its template renamed to the sample's identifier."""
    spec_proto.template.id.CopyFrom(entity_id.to_flyte_idl())
    return spec_proto


@pytest.fixture(scope="module")
def client(plane: RunningServer) -> Iterator[SynchronousFlyteClient]:
    # For insecure connection (e.g., local Flyte deployment)
    client = SynchronousFlyteClient(plane.endpoint, insecure=True)
    yield client
    client.close()


@pytest.fixture(scope="module")
def registry(client: SynchronousFlyteClient) -> dict[str, Any]:
    """The create samples of seed 004, in order: project, task, workflow, launch plan."""
    new_project = project_model.Project(id=PROJECT, name="My Project", description="For the seed samples.")
    client.register_project(new_project)
    serialized = serialize(plans.client_fixed, PROJECT, "v1")
    for spec in serialized["tasks"]:  # the tasks the sample workflow calls
        client.create_task(spec.template.id, spec)

    task_id = identifier.Identifier(
        resource_type=identifier.ResourceType.TASK,
        project="my-project",
        domain="development",
        name="my_task",
        version="v1",
    )
    # task_spec would be constructed from a Flyte task definition
    task_spec = task_model.TaskSpec.from_flyte_idl(with_id(serialized["tasks"][0], task_id))
    client.create_task(task_id, task_spec)

    workflow_id = identifier.Identifier(
        resource_type=identifier.ResourceType.WORKFLOW,
        project="my-project",
        domain="development",
        name="my_workflow",
        version="v1",
    )
    # workflow_spec would be constructed from a Flyte workflow definition
    workflow_spec = workflow_model.WorkflowSpec.from_flyte_idl(with_id(serialized["workflows"][0], workflow_id))
    client.create_workflow(workflow_id, workflow_spec)

    lp_id = identifier.Identifier(
        resource_type=identifier.ResourceType.LAUNCH_PLAN,
        project="my-project",
        domain="development",
        name="my_launch_plan",
        version="v1",
    )
    # lp_spec would be constructed from a Flyte launch plan definition
    lp_proto = serialized["launch_plans"][0].spec
    lp_proto.workflow_id.CopyFrom(workflow_id.to_flyte_idl())
    lp_spec = launch_plan_model.LaunchPlanSpec.from_flyte_idl(lp_proto)
    client.create_launch_plan(lp_id, lp_spec)
    return {
        "task_id": task_id,
        "task_spec": task_spec,
        "workflow_id": workflow_id,
        "lp_id": lp_id,
    }


def test_creating_an_identical_task_again_raises_already_exists(
    client: SynchronousFlyteClient, registry: dict[str, Any]
) -> None:
    import flytekit.exceptions.user

    with pytest.raises(FlyteEntityAlreadyExistsException):
        client.create_task(registry["task_id"], registry["task_spec"])
    # ... which code written for flytekit catches too.
    with pytest.raises(flytekit.exceptions.user.FlyteEntityAlreadyExistsException):
        client.create_task(registry["task_id"], registry["task_spec"])


def test_retrieve_a_task(client: SynchronousFlyteClient, registry: dict[str, Any], capsys: Any) -> None:
    task_id = registry["task_id"]
    task = client.get_task(task_id)
    print(task.id.name)

    assert capsys.readouterr().out == "my_task\n"


def test_list_task_identifiers(client: SynchronousFlyteClient, registry: dict[str, Any], capsys: Any) -> None:
    task_ids, next_token = client.list_task_ids_paginated(project="my-project", domain="development", limit=50)
    for tid in task_ids:
        # The seed also prints tid.version, which a NamedEntityIdentifier (here as in flytekit) does not have.
        print(f"Task ID: {tid.name}")

    assert capsys.readouterr().out.splitlines() == ["Task ID: my_task", "Task ID: pipelines.tasks.add"]
    assert next_token == ""


def test_list_tasks(client: SynchronousFlyteClient, registry: dict[str, Any], capsys: Any) -> None:
    # The seed imports NamedEntityIdentifier from flytekit.models.core.identifier; flytekit has it in
    # flytekit.models.common.
    tasks, _next_token = client.list_tasks_paginated(
        identifier=NamedEntityIdentifier(project="my-project", domain="development"),
        limit=50,
        sort_by=admin_common_models.Sort(key="name", direction=admin_common_models.Sort.Direction.ASCENDING),
    )
    for task_obj in tasks:
        print(f"Task: {task_obj.id.name}, Type: {task_obj.closure.compiled_task.template.type}")

    assert capsys.readouterr().out.splitlines() == [
        "Task: my_task, Type: python-task",
        "Task: pipelines.tasks.add, Type: python-task",
    ]


def test_retrieve_a_workflow(client: SynchronousFlyteClient, registry: dict[str, Any], capsys: Any) -> None:
    workflow = client.get_workflow(registry["workflow_id"])
    print(workflow.id.name)

    assert capsys.readouterr().out == "my_workflow\n"
    ids, _ = client.list_workflow_ids_paginated("my-project", "development")
    listed, _ = client.list_workflows_paginated(NamedEntityIdentifier("my-project", "development", "my_workflow"))
    assert [i.name for i in ids] == ["my_workflow"]
    assert [w.id.version for w in listed] == ["v1"]


def test_launch_plans_retrieve_activate_and_list(
    client: SynchronousFlyteClient, registry: dict[str, Any], capsys: Any
) -> None:
    from flytekit.models.launch_plan import LaunchPlanState

    lp_id = registry["lp_id"]
    launch_plan = client.get_launch_plan(lp_id)
    print(launch_plan.id.name)

    # "Update a Launch Plan" comes after this in the seed, but only an activated plan can be the active one.
    client.update_launch_plan(lp_id, LaunchPlanState.ACTIVE)

    active_lp = client.get_active_launch_plan(
        NamedEntityIdentifier(project="my-project", domain="development", name="my_launch_plan")
    )
    print(f"Active Launch Plan: {active_lp.id.version}")

    assert capsys.readouterr().out.splitlines() == ["my_launch_plan", "Active Launch Plan: v1"]
    ids, _ = client.list_launch_plan_ids_paginated("my-project", "development")
    plans, _ = client.list_launch_plans_paginated(NamedEntityIdentifier("my-project", "development"))
    active, _ = client.list_active_launch_plans_paginated("my-project", "development")
    assert [i.name for i in ids] == ["my_launch_plan"]
    assert [p.id.name for p in plans] == ["my_launch_plan"]
    assert [p.id.name for p in active] == ["my_launch_plan"]


def test_update_named_entity_metadata(client: SynchronousFlyteClient, registry: dict[str, Any]) -> None:
    # The seed imports flytekit.models.admin.named_entity (it is flytekit.models.named_entity) and passes
    # archived=True (NamedEntityMetadata takes a state).
    from flytekit.models import named_entity
    from flytekit.models.core import identifier as core_identifier

    named_entity_id = named_entity.NamedEntityIdentifier(project="my-project", domain="development", name="my_workflow")
    metadata = named_entity.NamedEntityMetadata(
        description="Updated description", state=named_entity.NamedEntityState.ARCHIVED
    )
    client.update_named_entity(core_identifier.ResourceType.WORKFLOW, named_entity_id, metadata)

    entity = client.get_named_entity(core_identifier.ResourceType.WORKFLOW, named_entity_id)
    assert entity.metadata.description == "Updated description"
    assert entity.metadata.state == named_entity.NamedEntityState.ARCHIVED


def test_register_update_and_list_projects(client: SynchronousFlyteClient, capsys: Any) -> None:
    new_project = project_model.Project(
        id="new-project-id", name="New Project Name", description="A new project for documentation."
    )
    client.register_project(new_project)

    updated_project = project_model.Project(
        id="new-project-id", name="Updated Project Name", description="Revised description for the project."
    )
    client.update_project(updated_project)

    projects, _next_token = client.list_projects_paginated(limit=10)
    for p in projects:
        print(f"Project: {p.name} ({p.id})")

    assert "Project: Updated Project Name (new-project-id)" in capsys.readouterr().out.splitlines()


def test_get_domains(client: SynchronousFlyteClient, capsys: Any) -> None:
    domains = client.get_domains()
    for d in domains:
        print(f"Domain: {d.id} ({d.name})")

    assert capsys.readouterr().out.splitlines() == [
        "Domain: development (development)",
        "Domain: staging (staging)",
        "Domain: production (production)",
    ]


def test_matching_attributes(client: SynchronousFlyteClient, registry: dict[str, Any]) -> None:
    # The seed takes MatchingAttributes from flytekit.models.common (it is in matchable_resource), gives
    # ClusterResourceAttributes `attrs=` (its parameter is `attributes`), and reads fields the responses do not
    # have (`attrs.attributes.execution_queue_attributes`, `all_attributes`): the real paths are asserted below.
    from flytekit.models import matchable_resource as matchable_resource_models

    matching_attributes = matchable_resource_models.MatchingAttributes(
        execution_queue_attributes=matchable_resource_models.ExecutionQueueAttributes(tags=["high-priority"])
    )
    client.update_project_domain_attributes("my-project", "development", matching_attributes)

    matching_attributes = matchable_resource_models.MatchingAttributes(
        cluster_resource_attributes=matchable_resource_models.ClusterResourceAttributes(
            attributes={"cpu": "2", "memory": "4Gi"}
        )
    )
    client.update_workflow_attributes("my-project", "development", "my_workflow", matching_attributes)

    attrs = client.get_project_domain_attributes(
        "my-project", "development", matchable_resource_models.MatchableResource.EXECUTION_QUEUE
    )
    assert list(attrs.attributes.matching_attributes.execution_queue_attributes.tags) == ["high-priority"]

    attrs = client.get_workflow_attributes(
        "my-project", "development", "my_workflow", matchable_resource_models.MatchableResource.CLUSTER_RESOURCE
    )
    assert dict(attrs.attributes.matching_attributes.cluster_resource_attributes.attributes) == {
        "cpu": "2",
        "memory": "4Gi",
    }

    matchable_attrs = client.list_matchable_attributes(matchable_resource_models.MatchableResource.EXECUTION_QUEUE)
    assert ("my-project", "development") in {(c.project, c.domain) for c in matchable_attrs.configurations}


def test_get_upload_signed_url(client: SynchronousFlyteClient, capsys: Any) -> None:
    # As written (no content_md5 and no filename_root) flyteadmin refuses the request, and so does flyteplane.
    with pytest.raises(FlyteInvalidInputException, match="content_md5 or filename_root is a required parameter"):
        client.get_upload_signed_url(
            project="my-project",
            domain="development",
            filename="my_data.csv",
            expires_in=datetime.timedelta(minutes=10),
        )

    upload_response = client.get_upload_signed_url(
        project="my-project",
        domain="development",
        filename="my_data.csv",
        content_md5=hashlib.md5(b"a,b\n").digest(),
        expires_in=datetime.timedelta(minutes=10),
    )
    print(f"Upload URL: {upload_response.signed_url}")

    assert capsys.readouterr().out.startswith("Upload URL: http://127.0.0.1:")


def test_get_download_signed_url(client: SynchronousFlyteClient) -> None:
    # flyteplane signs only locations in its own blob store; the sample's s3 bucket is not one.
    with pytest.raises(FlyteInvalidInputException, match="is not a location in the blob store"):
        client.get_download_signed_url(
            native_url="s3://my-bucket/flyte/my_data.csv", expires_in=datetime.timedelta(minutes=10)
        )


def test_retrieve_control_plane_version(client: SynchronousFlyteClient, capsys: Any) -> None:
    version = client.get_control_plane_version()
    print(f"Flyte Admin Version: {version}")

    assert capsys.readouterr().out == "Flyte Admin Version: v0.1.0\n"


def test_raw_client_access(client: SynchronousFlyteClient, registry: dict[str, Any]) -> None:
    raw_client = client.raw
    # You can now call raw gRPC methods directly, e.g.,
    from flyteidl.admin import task_pb2 as raw_task_pb2

    task_id = registry["task_id"].to_flyte_idl()
    task_id.version = "raw-v1"
    spec = registry["task_spec"].to_flyte_idl()
    spec.template.id.CopyFrom(task_id)
    raw_client.CreateTask(raw_task_pb2.TaskCreateRequest(id=task_id, spec=spec))

    assert client.get_task(task_id).id.version == "raw-v1"


def test_secure_client_construction(plane: RunningServer, tmp_path: Path) -> None:
    # For secure connection (production deployments)
    client = SynchronousFlyteClient("your.domain:port", insecure=False)
    assert client.config.insecure is False

    # For secure connections with a custom root certificate:
    root_cert, _, _ = self_signed(tmp_path)
    client = SynchronousFlyteClient.with_root_certificate(
        PlatformConfig(endpoint="your.domain:port", insecure=False), root_cert_file=str(root_cert)
    )
    assert client.config.ca_cert_file_path == str(root_cert)


def test_seed_000_low_level_client_access(plane: RunningServer) -> None:
    """seeds/000 "Low-Level Client Access": a task built from flytekit's models by hand.

    The seed's TaskMetadata(discoverable=True, timeout=..., retries=0) leaves out arguments flytekit requires
    and gives `retries` an int; the nearest valid call is used.
    """
    from flytekit.models.core.identifier import Identifier, ResourceType
    from flytekit.models.interface import TypedInterface, Variable
    from flytekit.models.literals import RetryStrategy
    from flytekit.models.task import RuntimeMetadata, TaskMetadata, TaskSpec, TaskTemplate
    from flytekit.models.types import LiteralType, SimpleType

    # Instantiate the low-level client
    client = SynchronousFlyteClient(plane.endpoint, insecure=True)

    task_id = Identifier(
        resource_type=ResourceType.TASK,
        project="flytesnacks",
        domain="development",
        name="direct_task",
        version="1.0.0",
    )
    task_spec = TaskSpec(
        template=TaskTemplate(
            id=task_id,
            type="python-task",
            metadata=TaskMetadata(
                discoverable=True,
                runtime=RuntimeMetadata(RuntimeMetadata.RuntimeType.FLYTE_SDK, "1.16.0", "python"),
                timeout=datetime.timedelta(minutes=1),
                retries=RetryStrategy(0),
                interruptible=False,
                discovery_version="",
                deprecated_error_message="",
                cache_serializable=False,
                pod_template_name="",
                cache_ignore_input_vars=(),
            ),
            interface=TypedInterface(
                inputs={"x": Variable(type=LiteralType(simple=SimpleType.INTEGER), description="")},
                outputs={"y": Variable(type=LiteralType(simple=SimpleType.INTEGER), description="")},
            ),
            custom={},
        )
    )
    client.create_task(task_id, task_spec)

    fetched = client.get_task(task_id)
    assert (
        fetched.closure.compiled_task.template
        == task_pb2.TaskSpec.FromString(task_spec.to_flyte_idl().SerializeToString()).template
    )


def test_seed_000_project_and_launch_plan_lines(client: SynchronousFlyteClient, registry: dict[str, Any]) -> None:
    """The `remote.client...` lines of seeds/000 that touch the registry, on flyteplane's client."""
    from flytekit.models.launch_plan import LaunchPlanState
    from flytekit.models.project import Project

    new_project = Project(id="my-new-project", name="My New Project", description="A project for documentation")
    client.register_project(new_project)
    updated_project = Project(id="my-new-project", name="My Updated Project Name", description="Updated description")
    client.update_project(updated_project)
    assert client.get_project("my-new-project").name == "My Updated Project Name"

    client.update_launch_plan(registry["lp_id"], LaunchPlanState.INACTIVE)
    assert client.get_launch_plan(registry["lp_id"]).closure.state == LaunchPlanState.INACTIVE
