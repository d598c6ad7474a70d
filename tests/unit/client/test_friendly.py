"""SynchronousFlyteClient over a scripted raw client: requests built, results read, cache and pages."""

from __future__ import annotations

import datetime
import inspect

import grpc
import pytest
from flyteidl.admin import (
    common_pb2,
    execution_pb2,
    launch_plan_pb2,
    project_pb2,
    task_pb2,
    version_pb2,
)
from flyteidl.core import identifier_pb2, literals_pb2, metrics_pb2
from flyteidl.service import dataproxy_pb2
from tests.unit.client.fakes import ScriptedRaw

from flyteplane.client import (
    AsyncFlyteClient,
    Filter,
    FlyteEntityNotExistException,
    FlyteSystemException,
    Sort,
    SynchronousFlyteClient,
)
from flyteplane.client.exceptions import exception_for

TASK_ID = identifier_pb2.Identifier(
    resource_type=identifier_pb2.TASK, project="p", domain="development", name="t", version="v1"
)
LP_ID = identifier_pb2.Identifier(
    resource_type=identifier_pb2.LAUNCH_PLAN, project="p", domain="development", name="lp", version="v1"
)
EXECUTION_ID = identifier_pb2.WorkflowExecutionIdentifier(project="p", domain="development", name="e1")

# Every method the seed documents name (004) or use through the client (000), flytekit's names and order.
SEED_METHODS = {
    "create_task": ["task_identifer", "task_spec"],
    "get_task": ["id"],
    "list_task_ids_paginated": ["project", "domain", "limit", "token", "sort_by"],
    "list_tasks_paginated": ["identifier", "limit", "token", "filters", "sort_by"],
    "create_workflow": ["workflow_identifier", "workflow_spec"],
    "get_workflow": ["id"],
    "list_workflow_ids_paginated": ["project", "domain", "limit", "token", "sort_by"],
    "list_workflows_paginated": ["identifier", "limit", "token", "filters", "sort_by"],
    "create_launch_plan": ["launch_plan_identifer", "launch_plan_spec"],
    "get_launch_plan": ["id"],
    "get_active_launch_plan": ["identifier"],
    "list_launch_plan_ids_paginated": ["project", "domain", "limit", "token", "sort_by"],
    "list_launch_plans_paginated": ["identifier", "limit", "token", "filters", "sort_by"],
    "list_active_launch_plans_paginated": ["project", "domain", "limit", "token", "sort_by"],
    "update_launch_plan": ["id", "state"],
    "update_named_entity": ["resource_type", "id", "metadata"],
    "create_execution": ["project", "domain", "name", "execution_spec", "inputs"],
    "recover_execution": ["id", "name"],
    "relaunch_execution": ["id", "name"],
    "terminate_execution": ["id", "cause"],
    "get_execution": ["id"],
    "get_execution_data": ["id"],
    "get_execution_metrics": ["id", "depth"],
    "list_executions_paginated": ["project", "domain", "limit", "token", "filters", "sort_by"],
    "get_node_execution": ["node_execution_identifier"],
    "get_node_execution_data": ["node_execution_identifier"],
    "list_node_executions": [
        "workflow_execution_identifier",
        "limit",
        "token",
        "filters",
        "sort_by",
        "unique_parent_id",
    ],
    "list_node_executions_for_task_paginated": ["task_execution_identifier", "limit", "token", "filters", "sort_by"],
    "get_task_execution": ["id"],
    "get_task_execution_data": ["task_execution_identifier"],
    "list_task_executions_paginated": ["node_execution_identifier", "limit", "token", "filters", "sort_by"],
    "register_project": ["project"],
    "update_project": ["project"],
    "list_projects": ["project_list_request"],
    "list_projects_paginated": ["limit", "token", "filters", "sort_by"],
    "get_domains": [],
    "update_project_domain_attributes": ["project", "domain", "matching_attributes"],
    "update_workflow_attributes": ["project", "domain", "workflow", "matching_attributes"],
    "get_project_domain_attributes": ["project", "domain", "resource_type"],
    "get_workflow_attributes": ["project", "domain", "workflow", "resource_type"],
    "list_matchable_attributes": ["resource_type"],
    "get_upload_signed_url": [
        "project",
        "domain",
        "content_md5",
        "filename",
        "expires_in",
        "filename_root",
        "add_content_md5_metadata",
    ],
    "get_download_signed_url": ["native_url", "expires_in"],
    "get_data": ["flyte_uri"],
    "get_download_artifact_signed_url": ["node_id", "project", "domain", "name", "artifact_type", "expires_in"],
    "get_control_plane_version": [],
    "list_signals": ["signal_list_request"],
    "set_signal": ["signal_set_request"],
}


@pytest.fixture
def raw() -> ScriptedRaw:
    return ScriptedRaw()


@pytest.fixture
def client(raw: ScriptedRaw) -> SynchronousFlyteClient:
    return SynchronousFlyteClient(raw=raw)


@pytest.mark.parametrize("client_type", [SynchronousFlyteClient, AsyncFlyteClient])
@pytest.mark.parametrize("name", sorted(SEED_METHODS))
def test_every_seed_method_exists_with_flytekits_parameters(client_type: type, name: str) -> None:
    method = getattr(client_type(raw=ScriptedRaw() if client_type is SynchronousFlyteClient else None), name)
    parameters = list(inspect.signature(method).parameters)
    assert parameters[: len(SEED_METHODS[name])] == SEED_METHODS[name]


def test_raw_is_the_client_underneath(client: SynchronousFlyteClient, raw: ScriptedRaw) -> None:
    assert client.raw is raw


def test_create_task_sends_both_messages_and_returns_nothing(client: SynchronousFlyteClient, raw: ScriptedRaw) -> None:
    spec = task_pb2.TaskSpec()
    spec.template.type = "python-task"

    assert client.create_task(TASK_ID, spec) is None

    assert raw.requests("CreateTask") == [task_pb2.TaskCreateRequest(id=TASK_ID, spec=spec)]


def test_flytekit_models_pass_through_to_flyte_idl(client: SynchronousFlyteClient, raw: ScriptedRaw) -> None:
    from flytekit.models.core.identifier import Identifier, ResourceType

    model = Identifier(ResourceType.TASK, "p", "development", "t", "v1")

    client.get_task(model)

    assert raw.requests("GetTask") == [common_pb2.ObjectGetRequest(id=TASK_ID)]


def test_arguments_of_the_wrong_type_name_the_parameter(client: SynchronousFlyteClient, raw: ScriptedRaw) -> None:
    with pytest.raises(TypeError, match=r"task_spec must be a flyteidl\.admin\.TaskSpec"):
        client.create_task(TASK_ID, {"template": {}})
    with pytest.raises(TypeError, match=r"id must be a flyteidl\.core\.Identifier"):
        client.get_task("p/development/t/v1")
    assert raw.sent == []


def test_get_task_is_fetched_once_then_served_from_the_cache(client: SynchronousFlyteClient, raw: ScriptedRaw) -> None:
    raw.answer("GetTask", task_pb2.Task(id=TASK_ID))

    first = client.get_task(TASK_ID)
    first.id.name = "mutated by the caller"
    second = client.get_task(TASK_ID)

    assert second == task_pb2.Task(id=TASK_ID)
    assert len(raw.requests("GetTask")) == 1
    assert client.cache.hits == 1


def test_get_workflow_and_get_launch_plan_are_cached_too(client: SynchronousFlyteClient, raw: ScriptedRaw) -> None:
    for _ in range(3):
        client.get_workflow(TASK_ID)
        client.get_launch_plan(LP_ID)
        client.get_active_launch_plan(common_pb2.NamedEntityIdentifier(project="p", domain="d", name="lp"))

    assert len(raw.requests("GetWorkflow")) == 1
    assert len(raw.requests("GetLaunchPlan")) == 1
    assert len(raw.requests("GetActiveLaunchPlan")) == 3  # which version is active can change any time


def test_different_versions_are_different_cache_entries(client: SynchronousFlyteClient, raw: ScriptedRaw) -> None:
    other = identifier_pb2.Identifier()
    other.CopyFrom(TASK_ID)
    other.version = "v2"

    client.get_task(TASK_ID)
    client.get_task(other)

    assert len(raw.requests("GetTask")) == 2


def test_failures_are_not_cached(client: SynchronousFlyteClient, raw: ScriptedRaw) -> None:
    raw.answer("GetTask", exception_for(grpc.StatusCode.NOT_FOUND, "not yet"))
    with pytest.raises(FlyteEntityNotExistException):
        client.get_task(TASK_ID)
    raw.answer("GetTask", task_pb2.Task(id=TASK_ID))

    assert client.get_task(TASK_ID).id == TASK_ID
    assert len(raw.requests("GetTask")) == 2


def test_updating_a_launch_plan_drops_cached_launch_plans(client: SynchronousFlyteClient, raw: ScriptedRaw) -> None:
    client.get_launch_plan(LP_ID)
    client.update_launch_plan(LP_ID, launch_plan_pb2.ACTIVE)
    client.get_launch_plan(LP_ID)

    assert len(raw.requests("GetLaunchPlan")) == 2
    assert raw.requests("UpdateLaunchPlan") == [
        launch_plan_pb2.LaunchPlanUpdateRequest(id=LP_ID, state=launch_plan_pb2.ACTIVE)
    ]


def test_a_cache_of_size_zero_always_asks_the_server(raw: ScriptedRaw) -> None:
    client = SynchronousFlyteClient(raw=raw, cache_size=0)
    client.get_task(TASK_ID)
    client.get_task(TASK_ID)
    assert len(raw.requests("GetTask")) == 2


def test_listings_return_items_and_the_next_token(client: SynchronousFlyteClient, raw: ScriptedRaw) -> None:
    listed = task_pb2.Task(id=identifier_pb2.Identifier(project="p", domain="d", name="t", version="v1"))
    raw.answer("ListTasks", task_pb2.TaskList(tasks=[listed], token="next"))

    tasks, token = client.list_tasks_paginated(
        common_pb2.NamedEntityIdentifier(project="p", domain="d"),
        limit=1,
        filters=[Filter.eq("name", "t")],
        sort_by=Sort.asc("created_at"),
    )

    assert token == "next"
    assert [task.id.name for task in tasks] == ["t"]
    assert tasks[0].id.resource_type == identifier_pb2.TASK  # flyteadmin leaves it unset in listings
    (request,) = raw.requests("ListTasks")
    assert request.limit == 1
    assert request.filters == "eq(name,t)"
    assert request.sort_by == common_pb2.Sort(key="created_at", direction=common_pb2.Sort.ASCENDING)


def test_iterators_walk_every_page(client: SynchronousFlyteClient, raw: ScriptedRaw) -> None:
    pages = {
        "": project_pb2.Projects(projects=[project_pb2.Project(id="a"), project_pb2.Project(id="b")], token="2"),
        "2": project_pb2.Projects(projects=[project_pb2.Project(id="c")], token=""),
    }
    raw.answer("ListProjects", lambda request: pages[request.token])

    projects = client.iter_projects(page_size=2, sort_by="id")

    assert next(projects).id == "a"
    assert len(raw.requests("ListProjects")) == 1  # the next page is fetched only when needed
    assert [p.id for p in projects] == ["b", "c"]
    assert [r.limit for r in raw.requests("ListProjects")] == [2, 2]


def test_an_iterator_stops_when_the_server_repeats_a_token(client: SynchronousFlyteClient, raw: ScriptedRaw) -> None:
    raw.answer("ListExecutions", execution_pb2.ExecutionList(executions=[execution_pb2.Execution()], token="same"))

    with pytest.raises(FlyteSystemException, match="returned page token 'same' twice"):
        list(client.iter_executions("p", "d"))


def test_list_executions_names_the_project_and_domain(client: SynchronousFlyteClient, raw: ScriptedRaw) -> None:
    client.list_executions_paginated("p", "d", limit=20, filters="eq(phase,SUCCEEDED)", sort_by="-created_at")

    (request,) = raw.requests("ListExecutions")
    assert request.id == common_pb2.NamedEntityIdentifier(project="p", domain="d")
    assert request.filters == "eq(phase,SUCCEEDED)"
    assert request.sort_by.direction == common_pb2.Sort.DESCENDING


def test_create_execution_returns_the_new_id(client: SynchronousFlyteClient, raw: ScriptedRaw) -> None:
    raw.answer("CreateExecution", execution_pb2.ExecutionCreateResponse(id=EXECUTION_ID))
    spec = execution_pb2.ExecutionSpec(launch_plan=LP_ID)
    inputs = literals_pb2.LiteralMap()

    assert client.create_execution("p", "development", "e1", spec, inputs) == EXECUTION_ID
    assert client.create_execution("p", "development", None, spec, None) == EXECUTION_ID

    first, second = raw.requests("CreateExecution")
    assert first == execution_pb2.ExecutionCreateRequest(
        project="p", domain="development", name="e1", spec=spec, inputs=inputs
    )
    assert second.name == "" and not second.HasField("inputs")


def test_recover_and_relaunch_return_the_new_ids(client: SynchronousFlyteClient, raw: ScriptedRaw) -> None:
    new_id = identifier_pb2.WorkflowExecutionIdentifier(project="p", domain="development", name="e2")
    raw.answer("RecoverExecution", execution_pb2.ExecutionCreateResponse(id=new_id))
    raw.answer("RelaunchExecution", execution_pb2.ExecutionCreateResponse(id=new_id))

    assert client.recover_execution(EXECUTION_ID) == new_id
    assert client.relaunch_execution(EXECUTION_ID, name="again") == new_id
    assert raw.requests("RelaunchExecution")[0].name == "again"


def test_execution_metrics_return_the_span(client: SynchronousFlyteClient, raw: ScriptedRaw) -> None:
    span = metrics_pb2.Span(workflow_id=EXECUTION_ID)
    raw.answer("GetExecutionMetrics", execution_pb2.WorkflowExecutionGetMetricsResponse(span=span))

    assert client.get_execution_metrics(EXECUTION_ID, depth=5) == span
    assert raw.requests("GetExecutionMetrics")[0].depth == 5


def test_version_and_domains_are_unwrapped(client: SynchronousFlyteClient, raw: ScriptedRaw) -> None:
    raw.answer(
        "GetVersion", version_pb2.GetVersionResponse(control_plane_version=version_pb2.Version(Version="1.16.0"))
    )
    raw.answer("GetDomains", project_pb2.GetDomainsResponse(domains=[project_pb2.Domain(id="development")]))

    assert client.get_control_plane_version() == "1.16.0"
    assert [d.id for d in client.get_domains()] == ["development"]


def test_signed_urls_carry_their_expiry(client: SynchronousFlyteClient, raw: ScriptedRaw) -> None:
    ten_minutes = datetime.timedelta(minutes=10)

    client.get_upload_signed_url("p", "d", filename="data.csv", expires_in=ten_minutes)
    client.get_download_signed_url("s3://bucket/key", expires_in=ten_minutes)
    client.get_download_artifact_signed_url("n0", "p", "development", "e1")

    (upload,) = raw.requests("CreateUploadLocation")
    assert (upload.filename, upload.expires_in.seconds, upload.add_content_md5_metadata) == ("data.csv", 600, True)
    assert raw.requests("CreateDownloadLocation")[0].expires_in.seconds == 600
    (link,) = raw.requests("CreateDownloadLink")
    assert link.artifact_type == dataproxy_pb2.ARTIFACT_TYPE_DECK
    assert link.node_execution_id.execution_id == EXECUTION_ID
    assert not link.HasField("expires_in")


def test_the_client_closes_its_raw_client(raw: ScriptedRaw) -> None:
    with SynchronousFlyteClient(raw=raw):
        pass
    assert raw.closed


def test_an_endpoint_and_insecure_build_a_client_without_connecting() -> None:
    client = SynchronousFlyteClient("your.domain:1234", insecure=True)
    assert (client.url, client.config.insecure) == ("your.domain:1234", True)
    client.close()
