"""The JSON is flyteadmin's: snake_case with `Accept: application/json`, lowerCamelCase otherwise (as curl gets it),
every field written (unset messages as null), int64 as strings, enums by name; and flyteconsole's binary calls."""

from __future__ import annotations

import httpx2
from flyteidl.admin import common_pb2, execution_pb2, project_pb2
from flyteidl.core import execution_pb2 as core_execution_pb2
from google.rpc import status_pb2
from tests.integration.gateway.world import DOMAIN, FLOW, World, integers

JSON = {"Accept": "application/json"}
BINARY = {"Accept": "application/octet-stream", "Content-Type": "application/octet-stream"}


def test_application_json_is_snake_case_with_every_field(http: httpx2.Client, world: World) -> None:
    execution = http.get(f"/api/v1/executions/{world.project}/{DOMAIN}/arith", headers=JSON).json()

    assert execution["id"] == {"project": world.project, "domain": DOMAIN, "name": "arith", "org": ""}
    assert execution["closure"]["phase"] == "SUCCEEDED"
    assert execution["closure"]["started_at"].endswith("Z")
    assert execution["spec"]["launch_plan"]["resource_type"] == "LAUNCH_PLAN"
    assert execution["spec"]["auth_role"] is None  # unset, still written: null


def test_without_accept_the_json_is_lower_camel_case(http: httpx2.Client, world: World) -> None:
    execution = http.get(f"/api/v1/executions/{world.project}/{DOMAIN}/arith").json()

    assert execution["spec"]["launchPlan"]["resourceType"] == "LAUNCH_PLAN"
    assert execution["closure"]["startedAt"].endswith("Z")


def test_int64_values_are_strings(http: httpx2.Client, world: World) -> None:
    flyte_url = f"flyte://v1/{world.project}/{DOMAIN}/arith/n0/o"
    data = http.get("/api/v1/data", params={"flyte_url": flyte_url}, headers=JSON).json()

    assert data["literal_map"]["literals"]["o0"]["scalar"]["primitive"] == {"integer": "12"}


def test_list_queries_use_flyteadmins_filters_and_sort(http: httpx2.Client, world: World) -> None:
    listed = http.get(
        f"/api/v1/tasks/{world.project}/{DOMAIN}/{FLOW}.add",
        params={
            "limit": "1",
            "sort_by.key": "created_at",
            "sortBy.direction": "DESCENDING",
            "filters": "eq(version,v1)",
        },
        headers=JSON,
    ).json()

    assert [t["id"]["version"] for t in listed["tasks"]] == ["v1"]


def test_flyteconsole_style_binary_calls_with_enums_as_numbers(http: httpx2.Client, world: World) -> None:
    response = http.get(f"/api/v1/named_entities/1/{world.project}/{DOMAIN}", params={"limit": "50"}, headers=BINARY)

    assert response.headers["content-type"] == "application/octet-stream"
    entities = common_pb2.NamedEntityList.FromString(response.content).entities
    assert f"{FLOW}.add" in {entity.id.name for entity in entities}


def test_a_json_body_creates_what_grpc_reads(http: httpx2.Client, world: World) -> None:
    project_id = f"{world.project}-json"
    created = http.post("/api/v1/projects", json={"project": {"id": project_id, "name": "made over HTTP"}})

    assert created.status_code == 200
    assert created.json() == {}
    got = http.get(f"/api/v1/projects/{project_id}", headers=BINARY)
    assert project_pb2.Project.FromString(got.content).name == "made over HTTP"


def test_errors_are_json_status_bodies_with_the_matching_http_status(http: httpx2.Client, world: World) -> None:
    missing = http.get(f"/api/v1/executions/{world.project}/{DOMAIN}/nope", headers=JSON)
    twice = http.post("/api/v1/projects", json={"project": {"id": world.project, "name": "again"}}, headers=JSON)
    unknown_field = http.post("/api/v1/projects", json={"project": {"id": "x"}, "colour": "red"}, headers=JSON)

    assert missing.status_code == 404
    assert missing.json()["code"] == 5
    assert missing.json()["details"] == []
    assert (twice.status_code, twice.json()["code"]) == (409, 6)
    assert (unknown_field.status_code, unknown_field.json()["code"]) == (400, 3)


def test_binary_errors_are_a_serialized_status(http: httpx2.Client, world: World) -> None:
    missing = http.get(f"/api/v1/executions/{world.project}/{DOMAIN}/nope", headers=BINARY)

    assert missing.status_code == 404
    assert status_pb2.Status.FromString(missing.content).code == 5


def test_terminate_is_a_delete_with_a_body(http: httpx2.Client, world: World) -> None:
    execution = world.launch(world.scratch, "deleted-over-http", "napping", integers(seconds=600))
    request = execution_pb2.ExecutionTerminateRequest(cause="stop")  # the path names the execution

    response = http.request(
        "DELETE",
        f"/api/v1/executions/{execution.project}/{DOMAIN}/{execution.name}",
        content=request.SerializeToString(),
        headers=BINARY,
    )

    assert response.status_code == 200
    assert world.wait(execution).closure.phase == core_execution_pb2.WorkflowExecution.ABORTED
