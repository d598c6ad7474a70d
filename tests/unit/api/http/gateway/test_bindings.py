"""Routes are read from flyteidl's `google.api.http` options, additional bindings included; none is hand-written."""

from __future__ import annotations

from flyteidl.service import admin_pb2, auth_pb2, dataproxy_pb2, identity_pb2, signal_pb2

from flyteplane.api.http.gateway import Binding, all_bindings, bindings_of
from flyteplane.api.http.gateway.bindings import http_rules

ADMIN = admin_pb2.DESCRIPTOR.services_by_name["AdminService"]
SERVICES = [
    ADMIN,
    dataproxy_pb2.DESCRIPTOR.services_by_name["DataProxyService"],
    signal_pb2.DESCRIPTOR.services_by_name["SignalService"],
    auth_pb2.DESCRIPTOR.services_by_name["AuthMetadataService"],
    identity_pb2.DESCRIPTOR.services_by_name["IdentityService"],
]


def routes(rpc: str) -> list[tuple[str, str, str]]:
    return [(b.http_method, b.template.source, b.body) for b in all_bindings(SERVICES) if b.rpc == rpc]


def test_a_get_with_nested_path_variables() -> None:
    assert routes("AdminService.GetExecution") == [("GET", "/api/v1/executions/{id.project}/{id.domain}/{id.name}", "")]


def test_additional_bindings_are_routes_of_their_own() -> None:
    assert routes("AdminService.ListTasks") == [
        ("GET", "/api/v1/tasks/{id.project}/{id.domain}/{id.name}", ""),
        ("GET", "/api/v1/tasks/{id.project}/{id.domain}", ""),
    ]


def test_creates_take_the_whole_request_as_body_and_so_do_deletes() -> None:
    assert routes("AdminService.CreateTask") == [("POST", "/api/v1/tasks", "*")]
    assert routes("AdminService.TerminateExecution") == [
        ("DELETE", "/api/v1/executions/{id.project}/{id.domain}/{id.name}", "*")
    ]


def test_auth_and_identity_routes_live_outside_api_v1() -> None:
    assert routes("AuthMetadataService.GetOAuth2Metadata") == [("GET", "/.well-known/oauth-authorization-server", "")]
    assert routes("AuthMetadataService.GetPublicClientConfig") == [("GET", "/config/v1/flyte_client", "")]
    assert routes("IdentityService.UserInfo") == [("GET", "/me", "")]


def test_rpcs_without_an_http_option_have_no_route() -> None:
    get_or_create = signal_pb2.DESCRIPTOR.services_by_name["SignalService"].methods_by_name["GetOrCreateSignal"]

    assert http_rules(get_or_create) == []
    assert routes("SignalService.GetOrCreateSignal") == []


def test_every_annotated_rpc_of_flyteidl_has_its_bindings() -> None:
    annotated = {f"{s.name}.{m.name}": len(http_rules(m)) for s in SERVICES for m in s.methods if http_rules(m)}
    bound: dict[str, int] = {}
    for binding in all_bindings(SERVICES):
        bound[binding.rpc] = bound.get(binding.rpc, 0) + 1

    assert bound == annotated
    assert len(annotated) == 65  # flyteidl 1.16: every RPC of the five services but GetOrCreateSignal


def test_path_variables_and_named_bodies_are_bound_fields() -> None:
    (get_task,) = [b for b in bindings_of(ADMIN) if b.method.name == "GetTask"]

    assert isinstance(get_task, Binding)
    assert get_task.bound_field_paths == ("id.project", "id.domain", "id.name", "id.version")
    assert get_task.rpc == "AdminService.GetTask"
