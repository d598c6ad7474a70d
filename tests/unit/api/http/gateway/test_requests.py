"""Requests are read in grpc-gateway's order: body, path variables, then the query string for routes without one."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from flyteidl.admin import common_pb2, execution_pb2, launch_plan_pb2, project_pb2
from flyteidl.core import identifier_pb2
from flyteidl.service import admin_pb2, dataproxy_pb2
from google.protobuf import json_format
from google.protobuf.message import Message
from tests.http_calls import http_call

from flyteplane.api.http.gateway import Binding, bindings_of
from flyteplane.api.http.gateway.codecs import BINARY, JSON
from flyteplane.api.http.gateway.requests import decode_request, parse_query
from flyteplane.api.http.gateway.router import Found, Router
from flyteplane.api.http.gateway.templates import parse_template
from flyteplane.errors import InvalidArgument

ADMIN = admin_pb2.DESCRIPTOR.services_by_name["AdminService"]
DATA_PROXY = dataproxy_pb2.DESCRIPTOR.services_by_name["DataProxyService"]


def binding(rpc: str, index: int = 0) -> Binding:
    service, method = rpc.split(".")
    descriptor = ADMIN if service == "AdminService" else DATA_PROXY
    return [b for b in bindings_of(descriptor) if b.method.name == method][index]


def decode(rpc: str, path: str, query: str = "", body: bytes = b"", index: int = 0, codec: object = JSON) -> Message:
    route = binding(rpc, index)
    router: Router[Binding] = Router()
    router.add(route.http_method, route.template, route)
    found = router.match(route.http_method, path)
    assert isinstance(found, Found), f"{path} does not match {route.template.source}"
    message = route.method.input_type._concrete_class()
    return decode_request(route, message, found.params, query.encode(), body, codec)  # type: ignore[arg-type]


def test_path_variables_fill_nested_fields() -> None:
    request = decode("AdminService.GetExecution", "/api/v1/executions/p/d/n")

    assert request == execution_pb2.WorkflowExecutionGetRequest(
        id=identifier_pb2.WorkflowExecutionIdentifier(project="p", domain="d", name="n")
    )


def test_query_parameters_fill_the_other_fields_with_dotted_paths() -> None:
    request = decode(
        "AdminService.ListExecutions",
        "/api/v1/executions/p/d",
        "limit=20&token=abc&filters=eq(phase%2CSUCCEEDED)%2Bgte(duration%2C60)&sort_by.key=created_at"
        "&sort_by.direction=DESCENDING",
    )

    assert request == common_pb2.ResourceListRequest(
        id=common_pb2.NamedEntityIdentifier(project="p", domain="d"),
        limit=20,
        token="abc",
        filters="eq(phase,SUCCEEDED)+gte(duration,60)",
        sort_by=common_pb2.Sort(key="created_at", direction=common_pb2.Sort.DESCENDING),
    )


def test_query_keys_the_path_binds_are_skipped_and_the_others_apply() -> None:
    request = decode("AdminService.ListExecutions", "/api/v1/executions/p/d", "id.project=other&id.name=x")

    assert request.id == common_pb2.NamedEntityIdentifier(project="p", domain="d", name="x")  # type: ignore[attr-defined]


def test_an_enum_in_the_path_may_be_a_number_as_flyteconsole_sends_it() -> None:
    by_number = decode("AdminService.ListNamedEntities", "/api/v1/named_entities/2/p/d")
    by_name = decode("AdminService.ListNamedEntities", "/api/v1/named_entities/WORKFLOW/p/d")

    assert by_number == by_name
    assert by_number.resource_type == identifier_pb2.WORKFLOW  # type: ignore[attr-defined]


def test_a_path_value_of_the_wrong_type_is_a_type_mismatch() -> None:
    with pytest.raises(InvalidArgument, match=r"type mismatch, parameter: resource_type, error: .*not a valid value"):
        decode("AdminService.ListNamedEntities", "/api/v1/named_entities/TABLE/p/d")


def test_the_body_is_the_whole_request_and_path_variables_win_over_it() -> None:
    body = json_format.MessageToJson(
        launch_plan_pb2.LaunchPlanUpdateRequest(
            id=identifier_pb2.Identifier(project="body", name="body"), state=launch_plan_pb2.ACTIVE
        )
    ).encode()

    request = decode("AdminService.UpdateLaunchPlan", "/api/v1/launch_plans/p/d/n/v", "state=INACTIVE", body)

    assert request == launch_plan_pb2.LaunchPlanUpdateRequest(
        id=identifier_pb2.Identifier(project="p", domain="d", name="n", version="v"), state=launch_plan_pb2.ACTIVE
    )  # the query is not read when the body is the whole request


def test_a_binary_body() -> None:
    project = project_pb2.ProjectRegisterRequest(project=project_pb2.Project(id="p", name="P"))

    request = decode("AdminService.RegisterProject", "/api/v1/projects", body=project.SerializeToString(), codec=BINARY)

    assert request == project


def test_go_query_parsing_plus_is_a_space_and_a_raw_semicolon_is_refused() -> None:
    assert parse_query(b"a=1+2&a=%2B&b=&c") == {"a": ["1 2", "+"], "b": [""], "c": [""]}
    with pytest.raises(ValueError, match="invalid semicolon separator in query"):
        parse_query(b"filters=value_in(phase,A;B)")
    with pytest.raises(ValueError, match='invalid URL escape "%zz"'):
        parse_query(b"a=%zz")


def test_query_errors_are_invalid_arguments() -> None:
    with pytest.raises(InvalidArgument, match="invalid semicolon separator in query"):
        decode("AdminService.ListExecutions", "/api/v1/executions/p/d", "filters=value_in(phase,A;B)")
    with pytest.raises(InvalidArgument, match='parsing field "limit"'):
        decode("AdminService.ListExecutions", "/api/v1/executions/p/d", "limit=ten")


def test_a_duration_in_the_query_is_written_as_go_writes_it() -> None:
    request = decode("DataProxyService.CreateDownloadLocation", "/api/v1/dataproxy/artifact_urn", "expires_in=1m30s")

    assert request.expires_in.seconds == 90  # type: ignore[attr-defined]


def test_map_entries_in_the_query_are_key_brackets() -> None:
    create = binding("AdminService.CreateExecution")
    as_get = Binding(create.service, create.method, "GET", parse_template("/x/{project}"), "", "")

    request = decode_request(
        as_get,
        execution_pb2.ExecutionCreateRequest(),
        {"project": "p"},
        b"spec.labels.values[team]=ml&spec.labels.values[env]=prod&spec.annotations.values[a]=b",
        b"",
        JSON,
    )

    assert dict(request.spec.labels.values) == {"team": "ml", "env": "prod"}  # type: ignore[attr-defined]
    assert dict(request.spec.annotations.values) == {"a": "b"}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("rpc", "index", "request_message"),
    [
        (
            "AdminService.ListTasks",
            0,
            common_pb2.ResourceListRequest(
                id=common_pb2.NamedEntityIdentifier(project="p", domain="d", name="my tasks+more"),
                limit=3,
                filters="value_in(version,v1;v2)",
                sort_by=common_pb2.Sort(key="version", direction=common_pb2.Sort.ASCENDING),
            ),
        ),
        (
            "AdminService.ListNamedEntities",
            0,
            common_pb2.NamedEntityListRequest(
                resource_type=identifier_pb2.LAUNCH_PLAN, project="p", domain="d", limit=1, filters="eq(state,0)"
            ),
        ),
        (
            "DataProxyService.CreateDownloadLocation",
            0,
            dataproxy_pb2.CreateDownloadLocationRequest(native_url="s3://bucket/a?b=c"),
        ),
    ],
)
def test_what_a_client_encodes_the_gateway_decodes(rpc: str, index: int, request_message: Message) -> None:
    route = binding(rpc, index)
    path, _, query = http_call(route, request_message, "json").url.partition("?")

    assert decode(rpc, unquote(path), query, index=index) == request_message  # the server sees the decoded path
