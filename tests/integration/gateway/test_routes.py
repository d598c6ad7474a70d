"""Every RPC flyteidl annotates with google.api.http has its route on a real server, beside the other HTTP paths."""

from __future__ import annotations

import httpx2
import pytest
from tests.integration.gateway.support import BINDINGS, SERVICES, binding_id

from flyteplane.api.http.gateway import Binding
from flyteplane.api.http.gateway.bindings import http_rules

ROUTING_MISSES = {"Not Found", "Method Not Allowed"}


def placeholder_path(binding: Binding) -> str:
    """The route's path with every variable and wildcard filled with a placeholder."""
    segments = ["x" if s in ("*", "**") else s for s in binding.template.segments]
    return "/" + "/".join(segments) + (f":{binding.template.verb}" if binding.template.verb else "")


def test_the_routes_are_every_binding_of_every_annotated_rpc() -> None:
    annotated = [(s.name, m.name, len(http_rules(m))) for s in SERVICES for m in s.methods if http_rules(m)]

    assert [(b.service.name, b.method.name) for b in BINDINGS] == [
        (service, method) for service, method, count in annotated for _ in range(count)
    ]
    assert len(annotated) == 65


@pytest.mark.parametrize("binding", BINDINGS, ids=binding_id)
def test_every_annotated_rpc_has_an_http_route(binding: Binding, http: httpx2.Client) -> None:
    body = b"{}" if binding.body else None
    response = http.request(
        binding.http_method,
        placeholder_path(binding),
        content=body,
        headers={"Accept": "application/json", "Content-Type": "application/json"},
    )

    answer = response.json()
    assert answer.get("message") not in ROUTING_MISSES, f"{binding_id(binding)}: no route ({response.status_code})"
    assert response.status_code == 200 or set(answer) == {"code", "message", "details"}


def test_a_path_without_a_route_is_grpc_gateways_not_found(http: httpx2.Client) -> None:
    response = http.get("/api/v1/no_such_resource")

    assert response.status_code == 404
    assert response.json() == {"code": 5, "message": "Not Found", "details": []}


def test_a_route_with_the_wrong_method_is_501_method_not_allowed(http: httpx2.Client) -> None:
    response = http.post("/api/v1/projects/flytesnacks", content=b"{}")

    assert response.status_code == 501
    assert response.json() == {"code": 12, "message": "Method Not Allowed", "details": []}


def test_the_other_http_paths_are_still_theirs(http: httpx2.Client) -> None:
    assert http.get("/healthcheck").status_code == 200
    assert http.get("/blobs/anything").status_code == 403  # the signed blob route, not the gateway
    assert http.get("/logs/none/stdout").status_code == 404
    assert http.get("/logs/none/stdout").text.startswith("no stdout log")
