"""The raw clients have one method per RPC of the five services, under both names, sending the right message."""

from __future__ import annotations

import asyncio

import pytest
from flyteidl.admin import common_pb2, project_pb2
from flyteidl.core import identifier_pb2
from tests.unit.client.fakes import ScriptedAsyncRaw, ScriptedRaw

from flyteplane.client import RawAsyncFlyteClient, RawSynchronousFlyteClient
from flyteplane.client.rpc_method import RpcMethod
from flyteplane.client.rpcs import ADMIN, ALL_SERVICES, snake_case

EVERY_RPC = [spec for service in ALL_SERVICES for spec in service.rpcs]


def test_the_five_services_have_sixty_six_rpcs() -> None:
    assert [len(service.rpcs) for service in ALL_SERVICES] == [56, 4, 3, 2, 1]


@pytest.mark.parametrize("client_type", [RawSynchronousFlyteClient, RawAsyncFlyteClient])
@pytest.mark.parametrize("spec", EVERY_RPC, ids=lambda spec: spec.name)
def test_every_rpc_is_a_method_under_its_snake_case_and_its_own_name(client_type: type, spec: object) -> None:
    snake = getattr(client_type, spec.method_name)  # type: ignore[attr-defined]
    pascal = getattr(client_type, spec.name)  # type: ignore[attr-defined]
    assert isinstance(snake, RpcMethod)
    assert snake is pascal
    assert snake.spec == spec


def test_snake_case_names_match_flytekits_spelling() -> None:
    assert snake_case("CreateTask") == "create_task"
    assert snake_case("ListNodeExecutionsForTask") == "list_node_executions_for_task"
    assert snake_case("GetOAuth2Metadata") == "get_oauth2_metadata"
    assert snake_case("UserInfo") == "user_info"


def test_paths_are_the_grpc_method_paths() -> None:
    assert ADMIN["CreateTask"].path == "/flyteidl.service.AdminService/CreateTask"


def test_a_method_sends_its_rpc_with_the_given_request() -> None:
    raw = ScriptedRaw()
    request = common_pb2.ObjectGetRequest(id=identifier_pb2.Identifier(name="t"))

    raw.get_task(request)
    raw.GetTask(request)

    assert raw.sent == [("GetTask", request), ("GetTask", request)]


def test_no_request_sends_an_empty_one() -> None:
    raw = ScriptedRaw()
    raw.get_domains()
    assert raw.sent == [("GetDomains", project_pb2.GetDomainRequest())]


def test_objects_with_to_flyte_idl_are_sent_as_their_message() -> None:
    class Model:
        def to_flyte_idl(self) -> project_pb2.ProjectListRequest:
            return project_pb2.ProjectListRequest(limit=3)

    raw = ScriptedRaw()
    raw.list_projects(Model())
    assert raw.sent == [("ListProjects", project_pb2.ProjectListRequest(limit=3))]


def test_a_request_of_the_wrong_type_is_refused_before_sending() -> None:
    raw = ScriptedRaw()
    with pytest.raises(TypeError, match=r"GetTask request must be a flyteidl\.admin\.ObjectGetRequest"):
        raw.get_task(project_pb2.ProjectListRequest())
    with pytest.raises(TypeError, match="to_flyte_idl\\(\\) returned"):
        raw.get_task(type("Wrong", (), {"to_flyte_idl": lambda self: "eq(a,b)"})())
    assert raw.sent == []


def test_async_methods_return_awaitables() -> None:
    raw = ScriptedAsyncRaw()
    response: project_pb2.GetDomainsResponse = asyncio.run(raw.get_domains())
    assert response == project_pb2.GetDomainsResponse()
    assert raw.sync.sent == [("GetDomains", project_pb2.GetDomainRequest())]


def test_methods_describe_their_messages() -> None:
    assert RawSynchronousFlyteClient.create_task.__doc__ == (
        "CreateTask: takes flyteidl.admin.TaskCreateRequest, returns flyteidl.admin.TaskCreateResponse."
    )
    assert getattr(ScriptedRaw().create_task, "__name__", None) == "create_task"
