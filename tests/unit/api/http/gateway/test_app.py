"""The gateway app calls the RPC table's callables and answers as flyteadmin's gateway does; it sits beside the
other HTTP routes without taking their paths."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flyteidl.admin import common_pb2, project_pb2, version_pb2
from flyteidl.service import admin_pb2, identity_pb2
from google.protobuf import struct_pb2
from starlette.testclient import TestClient

from flyteplane import errors
from flyteplane.api.http.app import http_app
from flyteplane.api.http.gateway import Gateway
from flyteplane.blobs.signing import Signer
from flyteplane.blobs.store import BlobStore

ADMIN = admin_pb2.DESCRIPTOR.services_by_name["AdminService"]
IDENTITY = identity_pb2.DESCRIPTOR.services_by_name["IdentityService"]


class Admin:
    """A few AdminService RPCs; the others are not built, so they answer UNIMPLEMENTED."""

    def __init__(self) -> None:
        self.requests: list[Any] = []

    def GetProject(self, request: project_pb2.ProjectGetRequest) -> project_pb2.Project:
        self.requests.append(request)
        if request.id == "boom":
            raise RuntimeError("a bug")
        if request.id != "p":
            raise errors.NotFound(f"project [{request.id}] not found")
        return project_pb2.Project(id="p", name="P")

    def ListProjects(self, request: project_pb2.ProjectListRequest) -> project_pb2.Projects:
        self.requests.append(request)
        return project_pb2.Projects(projects=[project_pb2.Project(id="p", name="P")], token="next")

    def RegisterProject(self, request: project_pb2.ProjectRegisterRequest) -> project_pb2.ProjectRegisterResponse:
        self.requests.append(request)
        return project_pb2.ProjectRegisterResponse()

    def GetVersion(self, _request: version_pb2.GetVersionRequest) -> version_pb2.GetVersionResponse:
        return version_pb2.GetVersionResponse(control_plane_version=version_pb2.Version(Version="9"))


class Identity:
    def UserInfo(self, _request: identity_pb2.UserInfoRequest) -> identity_pb2.UserInfoResponse:
        claims = struct_pb2.Struct()
        claims.update({"group_names": ["a", "b"]})
        return identity_pb2.UserInfoResponse(subject="alice", additional_claims=claims)


@pytest.fixture
def admin() -> Admin:
    return Admin()


@pytest.fixture
def client(admin: Admin, tmp_path: Path) -> Iterator[TestClient]:
    gateway = Gateway([(ADMIN, admin), (IDENTITY, Identity())], max_body_bytes=1024)
    app = http_app(BlobStore(str(tmp_path / "blobs")), Signer(b"k" * 32), gateway=gateway)
    with TestClient(app) as opened:
        yield opened


def test_a_get_answers_with_the_rpcs_response_as_json(client: TestClient, admin: Admin) -> None:
    response = client.get("/api/v1/projects/p", headers={"Accept": "application/json"})

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json()["id"] == "p"
    assert response.json()["labels"] is None
    assert admin.requests == [project_pb2.ProjectGetRequest(id="p")]


def test_without_an_accept_header_json_is_lower_camel_case(client: TestClient) -> None:
    response = client.get("/api/v1/version")

    assert response.json() == {"controlPlaneVersion": {"Build": "", "Version": "9", "BuildTime": ""}}


def test_binary_in_and_out(client: TestClient, admin: Admin) -> None:
    request = project_pb2.ProjectRegisterRequest(project=project_pb2.Project(id="q", name="Q"))
    binary = {"Accept": "application/octet-stream", "Content-Type": "application/octet-stream"}

    response = client.post("/api/v1/projects", content=request.SerializeToString(), headers=binary)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/octet-stream"
    assert project_pb2.ProjectRegisterResponse.FromString(response.content) == project_pb2.ProjectRegisterResponse()
    assert admin.requests == [request]


def test_query_parameters_reach_the_rpc(client: TestClient, admin: Admin) -> None:
    client.get("/api/v1/projects?limit=5&sort_by.key=name&sort_by.direction=ASCENDING")

    assert admin.requests == [
        project_pb2.ProjectListRequest(
            limit=5, sort_by=common_pb2.Sort(key="name", direction=common_pb2.Sort.ASCENDING)
        )
    ]


def test_a_service_error_is_its_status_and_message(client: TestClient) -> None:
    response = client.get("/api/v1/projects/nope", headers={"Accept": "application/json"})

    assert response.status_code == 404
    assert response.json() == {"code": 5, "message": "project [nope] not found", "details": []}


def test_a_bug_is_500_internal(client: TestClient) -> None:
    response = client.get("/api/v1/projects/boom")

    assert response.status_code == 500
    assert response.json()["code"] == 13
    assert "AdminService.GetProject" in response.json()["message"]


def test_an_rpc_the_table_lacks_is_501_naming_it(client: TestClient) -> None:
    response = client.get("/api/v1/tasks/p/d/n/v")

    assert response.status_code == 501
    assert response.json()["message"] == "AdminService.GetTask is not available yet in flyteplane"


def test_unknown_paths_and_wrong_methods_answer_as_grpc_gateway(client: TestClient) -> None:
    unknown = client.get("/api/v1/no_such_thing")
    wrong_method = client.delete("/api/v1/projects/p")

    assert (unknown.status_code, unknown.json()) == (404, {"code": 5, "message": "Not Found", "details": []})
    assert (wrong_method.status_code, wrong_method.json()["code"]) == (501, 12)


def test_a_bad_request_body_is_400(client: TestClient) -> None:
    response = client.post("/api/v1/projects", content=b'{"project": 1}', headers={"Content-Type": "application/json"})

    assert response.status_code == 400
    assert response.json()["code"] == 3


def test_a_body_over_the_limit_is_resource_exhausted(client: TestClient) -> None:
    response = client.post("/api/v1/projects", content=b" " * 2048)

    assert response.status_code == 429
    assert response.json()["message"] == "request body is larger than 1024 bytes"


def test_user_info_also_answers_in_headers(client: TestClient) -> None:
    response = client.get("/me")

    assert response.headers["x-user-subject"] == "alice"
    assert json.loads(response.headers["x-user-claim-group-names"]) == ["a", "b"]


def test_the_other_http_routes_keep_their_paths(client: TestClient) -> None:
    assert client.get("/healthcheck").status_code == 200
    assert client.get("/blobs/x").status_code == 403  # unsigned: the blob route answered, not the gateway
    assert client.get("/console").status_code == 404
    assert client.get("/console").text == "Not Found"  # Starlette's, not the gateway's JSON


def test_the_gateway_claims_the_first_segments_of_its_routes() -> None:
    gateway = Gateway([(ADMIN, Admin()), (IDENTITY, Identity())])

    assert gateway.claims("/api/v1/anything")
    assert gateway.claims("/me")
    assert not gateway.claims("/healthcheck")
    assert not gateway.claims("/console/projects")
