"""Every registry method of SynchronousFlyteClient, round trip against a real `flyteplane serve`."""

from __future__ import annotations

import datetime
import urllib.request
from typing import Any

import grpc
import pytest
from flyteidl.admin import (
    common_pb2,
    launch_plan_pb2,
    matchable_resource_pb2,
    project_pb2,
)
from flyteidl.core import identifier_pb2
from flyteidl.service import dataproxy_pb2
from tests.integration.client import plans
from tests.integration.client.specs import DOMAIN, identifier, launch_plan_spec, register_all, task_spec
from tests.integration.server import RunningServer
from tests.integration.support import serialize

import flyteplane
from flyteplane.client import (
    Filter,
    FlyteEntityAlreadyExistsException,
    FlyteEntityNotExistException,
    FlyteInvalidInputException,
    PlatformConfig,
    RawSynchronousFlyteClient,
    Sort,
    SynchronousFlyteClient,
)


def named(project: str, name: str = "") -> Any:
    return common_pb2.NamedEntityIdentifier(project=project, domain=DOMAIN, name=name)


def tasks_named(client: SynchronousFlyteClient, project: str) -> list[Any]:
    entities, _ = client.list_named_entities_paginated(identifier_pb2.TASK, project, DOMAIN, limit=100)
    return list(entities)


@pytest.fixture(scope="module")
def arithmetic(client: SynchronousFlyteClient, project_id: str) -> dict[str, list[Any]]:
    """flytekit's serialization of launch plan `client_fixed` (with its workflow and task), as v1 and v2,
    registered through flyteplane's client."""
    registered: dict[str, list[Any]] = {"tasks": [], "workflows": [], "launch_plans": []}
    for version in ("v1", "v2"):
        entities = serialize(plans.client_fixed, project_id, version)
        for spec in entities["tasks"]:
            client.create_task(spec.template.id, spec)
        for spec in entities["workflows"]:
            client.create_workflow(spec.template.id, spec)
        for plan in entities["launch_plans"]:
            client.create_launch_plan(plan.id, plan.spec)
        for kind, items in entities.items():
            registered[kind].extend(items)
    return registered


def test_a_registered_task_comes_back_compiled(client: SynchronousFlyteClient, arithmetic: dict[str, Any]) -> None:
    spec = arithmetic["tasks"][0]

    task = client.get_task(spec.template.id)

    assert task.id == spec.template.id
    assert task.closure.compiled_task.template == spec.template
    assert task.closure.created_at.seconds > 0


def test_reregistering_an_identical_task_is_already_exists(
    client: SynchronousFlyteClient, arithmetic: dict[str, Any]
) -> None:
    spec = arithmetic["tasks"][0]
    with pytest.raises(FlyteEntityAlreadyExistsException):
        client.create_task(spec.template.id, spec)


def test_registering_a_different_task_under_a_taken_version_is_invalid(
    client: SynchronousFlyteClient, arithmetic: dict[str, Any]
) -> None:
    taken = arithmetic["tasks"][0].template.id
    with pytest.raises(FlyteInvalidInputException, match="different structure"):
        client.create_task(taken, task_spec(taken))


def test_a_missing_task_is_not_found_after_a_single_attempt(plane: RunningServer, project_id: str) -> None:
    attempts: list[str] = []

    class Count(grpc.UnaryUnaryClientInterceptor):  # type: ignore[type-arg]
        def intercept_unary_unary(self, continuation: Any, details: Any, request: Any) -> Any:
            attempts.append(details.method)
            return continuation(details, request)

    raw = RawSynchronousFlyteClient(PlatformConfig(endpoint=plane.endpoint, insecure=True), interceptors=[Count()])
    missing = identifier(identifier_pb2.TASK, project_id, "nope", "v1")

    with pytest.raises(FlyteEntityNotExistException, match="GetTask failed with NOT_FOUND"):
        raw.get_task(common_pb2.ObjectGetRequest(id=missing))
    assert attempts == ["/flyteidl.service.AdminService/GetTask"]


def test_task_names_and_versions_are_listed(
    client: SynchronousFlyteClient, arithmetic: dict[str, Any], project_id: str
) -> None:
    ids, token = client.list_task_ids_paginated(project_id, DOMAIN, limit=10, sort_by=Sort.asc("name"))
    assert [i.name for i in ids] == ["pipelines.tasks.add"]
    assert token == ""

    tasks, token = client.list_tasks_paginated(named(project_id, "pipelines.tasks.add"), limit=1, sort_by="version")
    assert [t.id.version for t in tasks] == ["v1"]
    assert token != ""
    more, _ = client.list_tasks_paginated(
        named(project_id, "pipelines.tasks.add"), limit=1, token=token, sort_by="version"
    )
    assert [t.id.version for t in more] == ["v2"]

    every = client.iter_tasks(named(project_id), filters=[Filter.eq("version", "v2")], page_size=1)
    assert [(t.id.name, t.id.version, t.id.resource_type) for t in every] == [
        ("pipelines.tasks.add", "v2", identifier_pb2.TASK)
    ]
    assert [i.name for i in client.iter_task_ids(project_id, DOMAIN, page_size=1)] == ["pipelines.tasks.add"]


def test_workflows_round_trip(client: SynchronousFlyteClient, arithmetic: dict[str, Any], project_id: str) -> None:
    spec = arithmetic["workflows"][0]

    workflow = client.get_workflow(spec.template.id)

    assert workflow.id == spec.template.id
    assert workflow.closure.compiled_workflow.primary.template.id == spec.template.id
    ids, _ = client.list_workflow_ids_paginated(project_id, DOMAIN)
    assert [i.name for i in ids] == ["pipelines.workflows.arithmetic"]
    listed, _ = client.list_workflows_paginated(named(project_id), sort_by=Sort.desc("version"))
    assert [w.id.version for w in listed] == ["v2", "v1"]
    walked = client.iter_workflows(named(project_id), sort_by="-version", page_size=1)
    assert [w.id.version for w in walked] == ["v2", "v1"]
    assert [i.name for i in client.iter_workflow_ids(project_id, DOMAIN)] == ["pipelines.workflows.arithmetic"]


def test_launch_plans_activate_and_deactivate(
    client: SynchronousFlyteClient, arithmetic: dict[str, Any], project_id: str
) -> None:
    v1, v2 = (plan.id for plan in arithmetic["launch_plans"])
    name = named(project_id, v1.name)
    assert client.get_launch_plan(v1).closure.state == launch_plan_pb2.INACTIVE

    client.update_launch_plan(v1, launch_plan_pb2.ACTIVE)
    assert client.get_active_launch_plan(name).id == v1
    assert client.get_launch_plan(v1).closure.state == launch_plan_pb2.ACTIVE  # not a stale cached copy

    client.update_launch_plan(v2, "ACTIVE")
    assert client.get_active_launch_plan(name).id == v2
    assert client.get_launch_plan(v1).closure.state == launch_plan_pb2.INACTIVE
    active, _ = client.list_active_launch_plans_paginated(project_id, DOMAIN)
    assert [plan.id for plan in active] == [v2]
    assert [plan.id for plan in client.iter_active_launch_plans(project_id, DOMAIN)] == [v2]

    client.update_launch_plan(v2, launch_plan_pb2.INACTIVE)
    with pytest.raises(FlyteEntityNotExistException):
        client.get_active_launch_plan(name)


def test_launch_plans_are_listed(client: SynchronousFlyteClient, arithmetic: dict[str, Any], project_id: str) -> None:
    ids, _ = client.list_launch_plan_ids_paginated(project_id, DOMAIN)
    assert [i.name for i in ids] == ["client_fixed"]
    listed, _ = client.list_launch_plans_paginated(named(project_id), sort_by="version")
    assert [(p.id.version, p.id.resource_type) for p in listed] == [
        ("v1", identifier_pb2.LAUNCH_PLAN),
        ("v2", identifier_pb2.LAUNCH_PLAN),
    ]
    assert len(list(client.iter_launch_plans(named(project_id), page_size=1))) == 2
    assert [i.name for i in client.iter_launch_plan_ids(project_id, DOMAIN)] == ["client_fixed"]


def test_a_hand_built_launch_plan_registers_against_its_workflow(
    client: SynchronousFlyteClient, project_id: str
) -> None:
    ids = register_all(client, project_id, "hand-1", name="double")

    plan = client.get_launch_plan(ids["launch_plan"])

    assert plan.spec.workflow_id == ids["workflow"]
    assert plan.spec == launch_plan_spec(ids["workflow"])
    assert plan.closure.expected_inputs.parameters["x"].default.scalar.primitive.integer == 3


def test_named_entities_carry_metadata(
    client: SynchronousFlyteClient, arithmetic: dict[str, Any], project_id: str
) -> None:
    name = named(project_id, "pipelines.workflows.arithmetic")
    metadata = common_pb2.NamedEntityMetadata(description="adds two numbers", state=common_pb2.NAMED_ENTITY_ACTIVE)

    client.update_named_entity(identifier_pb2.WORKFLOW, name, metadata)

    entity = client.get_named_entity(identifier_pb2.WORKFLOW, name)
    assert entity.metadata.description == "adds two numbers"
    entities, _ = client.list_named_entities_paginated(
        identifier_pb2.WORKFLOW, project_id, DOMAIN, filters=Filter.eq("name", "pipelines.workflows.arithmetic")
    )
    assert [(e.id.name, e.metadata.description) for e in entities] == [
        ("pipelines.workflows.arithmetic", "adds two numbers")
    ]
    tasks = client.iter_named_entities(identifier_pb2.TASK, project_id, DOMAIN, sort_by="name", page_size=1)
    assert [e.id.name for e in tasks] == sorted(e.id.name for e in tasks_named(client, project_id))


def test_projects_register_update_and_list(client: SynchronousFlyteClient, project_id: str) -> None:
    new_id = f"{project_id}-x"
    client.register_project(project_pb2.Project(id=new_id, name="first", description="one"))
    client.update_project(project_pb2.Project(id=new_id, name="second", description="two"))

    project = client.get_project(new_id)
    assert (project.name, project.description) == ("second", "two")
    assert [d.id for d in project.domains] == ["development", "staging", "production"]
    with pytest.raises(FlyteEntityAlreadyExistsException):
        client.register_project(project_pb2.Project(id=new_id, name="again"))

    page, _ = client.list_projects_paginated(limit=500, filters=Filter.eq("name", "second"))
    assert [p.id for p in page] == [new_id]
    assert new_id in {p.id for p in client.iter_projects(page_size=2)}
    assert new_id in {p.id for p in client.list_projects().projects}
    assert [p.id for p in client.list_projects(project_pb2.ProjectListRequest(limit=1)).projects]


def test_domains_are_the_servers(client: SynchronousFlyteClient) -> None:
    assert [(d.id, d.name) for d in client.get_domains()] == [
        ("development", "development"),
        ("staging", "staging"),
        ("production", "production"),
    ]


def test_matchable_attributes_at_every_level(
    client: SynchronousFlyteClient, arithmetic: dict[str, Any], project_id: str
) -> None:
    queue = matchable_resource_pb2.MatchingAttributes(
        execution_queue_attributes=matchable_resource_pb2.ExecutionQueueAttributes(tags=["high-priority"])
    )
    resources = matchable_resource_pb2.MatchingAttributes(
        cluster_resource_attributes=matchable_resource_pb2.ClusterResourceAttributes(attributes={"cpu": "2"})
    )
    queue_type = matchable_resource_pb2.EXECUTION_QUEUE
    cluster_type = matchable_resource_pb2.CLUSTER_RESOURCE
    workflow = "pipelines.workflows.arithmetic"

    client.update_project_domain_attributes(project_id, DOMAIN, queue)
    client.update_workflow_attributes(project_id, DOMAIN, workflow, resources)
    client.update_project_attributes(project_id, queue)

    got = client.get_project_domain_attributes(project_id, DOMAIN, queue_type)
    assert got.attributes.matching_attributes == queue
    got = client.get_workflow_attributes(project_id, DOMAIN, workflow, cluster_type)
    assert got.attributes.matching_attributes == resources
    assert client.get_project_attributes(project_id, queue_type).attributes.matching_attributes == queue
    listed = client.list_matchable_attributes(queue_type)
    assert {(c.project, c.domain) for c in listed.configurations} >= {(project_id, DOMAIN), (project_id, "")}

    client.delete_project_domain_attributes(project_id, DOMAIN, queue_type)
    client.delete_workflow_attributes(project_id, DOMAIN, workflow, cluster_type)
    client.delete_project_attributes(project_id, queue_type)
    with pytest.raises(FlyteEntityNotExistException):
        client.get_project_domain_attributes(project_id, DOMAIN, queue_type)


def test_a_file_goes_up_and_comes_back_through_signed_urls(client: SynchronousFlyteClient, project_id: str) -> None:
    upload = client.get_upload_signed_url(
        project_id, DOMAIN, filename="data.csv", filename_root="client-test", expires_in=datetime.timedelta(minutes=5)
    )
    put = urllib.request.Request(upload.signed_url, data=b"a,b\n1,2\n", method="PUT")
    for header, value in upload.headers.items():
        put.add_header(header, value)
    with urllib.request.urlopen(put, timeout=10) as response:
        assert response.status in (200, 201)

    download = client.get_download_signed_url(upload.native_url, expires_in=datetime.timedelta(minutes=5))

    with urllib.request.urlopen(download.signed_url, timeout=10) as response:
        assert response.read() == b"a,b\n1,2\n"


def test_a_deck_link_for_an_unknown_execution_is_refused(client: SynchronousFlyteClient, project_id: str) -> None:
    with pytest.raises(FlyteInvalidInputException, match="node execution does not exist"):
        client.get_download_artifact_signed_url(
            "n0", project_id, DOMAIN, "no-such-execution", artifact_type=dataproxy_pb2.ARTIFACT_TYPE_DECK
        )


def test_the_control_plane_reports_its_version(client: SynchronousFlyteClient) -> None:
    assert client.get_control_plane_version() == f"v{flyteplane.__version__}"  # flyteadmin-style, as flytekit expects


def test_the_auth_and_identity_rpcs_answer_through_the_raw_client(client: SynchronousFlyteClient) -> None:
    raw = client.raw
    assert raw.get_public_client_config() is not None
    assert raw.GetOAuth2Metadata() is not None
    assert raw.user_info() is not None
