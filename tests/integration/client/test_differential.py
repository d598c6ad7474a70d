"""Differential: for every read operation, flyteplane's client and flytekit's, against the same server, return
equal protobuf messages.

Two levels. The raw clients, sent the same request, return equal messages. The friendly clients, called the
same way, return the same content: flytekit's models keep only some fields of a message, so flyteplane's message
is passed through the same flytekit model before comparing (`Model.from_flyte_idl(ours).to_flyte_idl()`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flyteidl.admin import common_pb2, launch_plan_pb2, matchable_resource_pb2
from flyteidl.core import identifier_pb2
from tests.integration.client import plans
from tests.integration.client.specs import DOMAIN
from tests.integration.support import serialize

from flyteplane.client import FlyteEntityNotExistException, SynchronousFlyteClient

WORKFLOW = "pipelines.workflows.arithmetic"


def as_flytekit_sees(ours: Any, theirs: Any) -> tuple[Any, Any]:
    """Both results as messages, ours first passed through the flytekit model `theirs` is (if it is one)."""
    if isinstance(theirs, list | tuple):
        assert isinstance(ours, list | tuple) and len(ours) == len(theirs), (ours, theirs)
        pairs = [as_flytekit_sees(a, b) for a, b in zip(ours, theirs, strict=True)]
        return [a for a, _ in pairs], [b for _, b in pairs]
    if hasattr(theirs, "to_flyte_idl") and hasattr(type(theirs), "from_flyte_idl"):
        return type(theirs).from_flyte_idl(ours).to_flyte_idl(), theirs.to_flyte_idl()
    return ours, theirs


@pytest.fixture(scope="module")
def registered(client: SynchronousFlyteClient, project_id: str) -> dict[str, Any]:
    entities: dict[str, Any] = {}
    for version in ("v1", "v2", "v3"):
        serialized = serialize(plans.client_fixed, project_id, version)
        for spec in serialized["tasks"]:
            client.create_task(spec.template.id, spec)
        for spec in serialized["workflows"]:
            client.create_workflow(spec.template.id, spec)
        for plan in serialized["launch_plans"]:
            client.create_launch_plan(plan.id, plan.spec)
        entities[version] = serialized
    client.update_launch_plan(entities["v2"]["launch_plans"][0].id, launch_plan_pb2.ACTIVE)
    client.update_project_domain_attributes(
        project_id,
        DOMAIN,
        matchable_resource_pb2.MatchingAttributes(
            execution_queue_attributes=matchable_resource_pb2.ExecutionQueueAttributes(tags=["gpu"])
        ),
    )
    client.update_workflow_attributes(
        project_id,
        DOMAIN,
        WORKFLOW,
        matchable_resource_pb2.MatchingAttributes(
            cluster_resource_attributes=matchable_resource_pb2.ClusterResourceAttributes(attributes={"cpu": "1"})
        ),
    )
    return entities


def reads(project: str, registered: dict[str, Any]) -> list[tuple[str, Callable[[Any], Any]]]:
    """Each read operation, called the same way on either client."""
    from flytekit.models.admin.common import Sort
    from flytekit.models.common import NamedEntityIdentifier
    from flytekit.models.core.identifier import Identifier
    from flytekit.models.filters import Equal

    task_id = Identifier.from_flyte_idl(registered["v1"]["tasks"][0].template.id)
    workflow_id = Identifier.from_flyte_idl(registered["v2"]["workflows"][0].template.id)
    plan_id = Identifier.from_flyte_idl(registered["v3"]["launch_plans"][0].id)
    project_domain = NamedEntityIdentifier(project, DOMAIN)
    plan_name = NamedEntityIdentifier(project, DOMAIN, plan_id.name)
    by_version = Sort("version", Sort.Direction.ASCENDING)
    queue, cluster = matchable_resource_pb2.EXECUTION_QUEUE, matchable_resource_pb2.CLUSTER_RESOURCE
    return [
        ("get_task", lambda c: c.get_task(task_id)),
        ("get_workflow", lambda c: c.get_workflow(workflow_id)),
        ("get_launch_plan", lambda c: c.get_launch_plan(plan_id)),
        ("get_active_launch_plan", lambda c: c.get_active_launch_plan(plan_name)),
        ("list_task_ids_paginated", lambda c: c.list_task_ids_paginated(project, DOMAIN)),
        ("list_tasks_paginated", lambda c: c.list_tasks_paginated(project_domain, sort_by=by_version)),
        ("list_tasks_paginated_page", lambda c: c.list_tasks_paginated(project_domain, limit=2, sort_by=by_version)),
        ("list_tasks_filtered", lambda c: c.list_tasks_paginated(project_domain, filters=[Equal("version", "v2")])),
        ("list_workflow_ids_paginated", lambda c: c.list_workflow_ids_paginated(project, DOMAIN)),
        ("list_workflows_paginated", lambda c: c.list_workflows_paginated(project_domain, sort_by=by_version)),
        ("list_launch_plan_ids_paginated", lambda c: c.list_launch_plan_ids_paginated(project, DOMAIN)),
        ("list_launch_plans_paginated", lambda c: c.list_launch_plans_paginated(project_domain, sort_by=by_version)),
        ("list_active_launch_plans_paginated", lambda c: c.list_active_launch_plans_paginated(project, DOMAIN)),
        ("list_projects_paginated", lambda c: c.list_projects_paginated(limit=500)),
        ("list_projects", lambda c: c.list_projects()),
        ("get_domains", lambda c: c.get_domains()),
        ("get_project_domain_attributes", lambda c: c.get_project_domain_attributes(project, DOMAIN, queue)),
        ("get_workflow_attributes", lambda c: c.get_workflow_attributes(project, DOMAIN, WORKFLOW, cluster)),
        ("list_matchable_attributes", lambda c: c.list_matchable_attributes(queue)),
        ("get_control_plane_version", lambda c: c.get_control_plane_version()),
    ]


READS = [
    "get_task",
    "get_workflow",
    "get_launch_plan",
    "get_active_launch_plan",
    "list_task_ids_paginated",
    "list_tasks_paginated",
    "list_tasks_paginated_page",
    "list_tasks_filtered",
    "list_workflow_ids_paginated",
    "list_workflows_paginated",
    "list_launch_plan_ids_paginated",
    "list_launch_plans_paginated",
    "list_active_launch_plans_paginated",
    "list_projects_paginated",
    "list_projects",
    "get_domains",
    "get_project_domain_attributes",
    "get_workflow_attributes",
    "list_matchable_attributes",
    "get_control_plane_version",
]


@pytest.mark.parametrize("operation", READS)
def test_both_clients_read_the_same_messages(
    client: SynchronousFlyteClient, flytekit_client: Any, project_id: str, registered: dict[str, Any], operation: str
) -> None:
    read = dict(reads(project_id, registered))[operation]

    ours, theirs = as_flytekit_sees(read(client), read(flytekit_client))

    assert ours == theirs
    assert ours not in ([], [[], ""], None, "")


def raw_reads(project: str, registered: dict[str, Any]) -> dict[str, tuple[str, str, Any]]:
    """RPC -> (our raw method, flytekit's raw method, request)."""
    from flyteidl.admin import project_pb2

    task_id = registered["v1"]["tasks"][0].template.id
    workflow_id = registered["v2"]["workflows"][0].template.id
    plan_id = registered["v3"]["launch_plans"][0].id
    project_domain = common_pb2.NamedEntityIdentifier(project=project, domain=DOMAIN)
    listing = common_pb2.ResourceListRequest(
        id=project_domain, limit=10, sort_by=common_pb2.Sort(key="version", direction=common_pb2.Sort.ASCENDING)
    )
    ids = common_pb2.NamedEntityIdentifierListRequest(project=project, domain=DOMAIN, limit=10)
    return {
        "GetTask": ("get_task", "get_task", common_pb2.ObjectGetRequest(id=task_id)),
        "GetWorkflow": ("get_workflow", "get_workflow", common_pb2.ObjectGetRequest(id=workflow_id)),
        "GetLaunchPlan": ("get_launch_plan", "get_launch_plan", common_pb2.ObjectGetRequest(id=plan_id)),
        "GetActiveLaunchPlan": (
            "get_active_launch_plan",
            "get_active_launch_plan",
            launch_plan_pb2.ActiveLaunchPlanRequest(
                id=common_pb2.NamedEntityIdentifier(project=project, domain=DOMAIN, name=plan_id.name)
            ),
        ),
        "ListTasks": ("list_tasks", "list_tasks_paginated", listing),
        "ListTaskIds": ("list_task_ids", "list_task_ids_paginated", ids),
        "ListWorkflows": ("list_workflows", "list_workflows_paginated", listing),
        "ListWorkflowIds": ("list_workflow_ids", "list_workflow_ids_paginated", ids),
        "ListLaunchPlans": ("list_launch_plans", "list_launch_plans_paginated", listing),
        "ListLaunchPlanIds": ("list_launch_plan_ids", "list_launch_plan_ids_paginated", ids),
        "ListActiveLaunchPlans": (
            "list_active_launch_plans",
            "list_active_launch_plans_paginated",
            launch_plan_pb2.ActiveLaunchPlanListRequest(project=project, domain=DOMAIN, limit=10),
        ),
        "ListProjects": ("list_projects", "list_projects", project_pb2.ProjectListRequest(limit=500)),
        "ListMatchableAttributes": (
            "list_matchable_attributes",
            "list_matchable_attributes",
            matchable_resource_pb2.ListMatchableAttributesRequest(resource_type=matchable_resource_pb2.EXECUTION_QUEUE),
        ),
    }


RAW_READS = [
    "GetTask",
    "GetWorkflow",
    "GetLaunchPlan",
    "GetActiveLaunchPlan",
    "ListTasks",
    "ListTaskIds",
    "ListWorkflows",
    "ListWorkflowIds",
    "ListLaunchPlans",
    "ListLaunchPlanIds",
    "ListActiveLaunchPlans",
    "ListProjects",
    "ListMatchableAttributes",
]


@pytest.mark.parametrize("rpc", RAW_READS)
def test_both_raw_clients_read_the_same_messages(
    client: SynchronousFlyteClient, flytekit_client: Any, project_id: str, registered: dict[str, Any], rpc: str
) -> None:
    from flytekit.clients.raw import RawSynchronousFlyteClient as FlytekitRaw

    ours_method, theirs_method, request = raw_reads(project_id, registered)[rpc]

    ours = getattr(client.raw, ours_method)(request)
    theirs = getattr(FlytekitRaw, theirs_method)(flytekit_client, request)

    assert ours == theirs
    assert ours.ByteSize() > 0


def test_both_clients_fail_alike_on_a_missing_entity(
    client: SynchronousFlyteClient, flytekit_client: Any, project_id: str
) -> None:
    from flytekit.exceptions.user import FlyteEntityNotExistException as FlytekitNotExist
    from flytekit.models.core.identifier import Identifier

    missing = Identifier(identifier_pb2.WORKFLOW, project_id, DOMAIN, "missing", "v1")

    with pytest.raises(FlytekitNotExist):
        flytekit_client.get_workflow(missing)
    with pytest.raises(FlytekitNotExist) as ours:
        client.get_workflow(missing)
    assert isinstance(ours.value, FlyteEntityNotExistException)


def test_pages_are_the_same_pages(
    client: SynchronousFlyteClient, flytekit_client: Any, project_id: str, registered: dict[str, Any]
) -> None:
    from flytekit.models.admin.common import Sort
    from flytekit.models.task import Task

    sort = Sort("version", Sort.Direction.DESCENDING)
    name = common_pb2.NamedEntityIdentifier(project=project_id, domain=DOMAIN, name="pipelines.tasks.add")
    from flytekit.models.common import NamedEntityIdentifier

    model = NamedEntityIdentifier.from_flyte_idl(name)
    theirs: list[Any] = []
    token = ""
    while True:
        page, token = flytekit_client.list_tasks_paginated(model, limit=1, token=token, sort_by=sort)
        theirs.extend(task.to_flyte_idl() for task in page)
        if not token:
            break

    ours = [Task.from_flyte_idl(task).to_flyte_idl() for task in client.iter_tasks(name, sort_by=sort, page_size=1)]
    assert ours == theirs
    assert [task.id.version for task in theirs] == ["v3", "v2", "v1"]
