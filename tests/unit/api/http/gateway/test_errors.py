"""Failures answer with grpc-gateway's body (a google.rpc.Status) and HTTP status for their gRPC code."""

from __future__ import annotations

import json

import grpc
import pytest
from google.rpc import status_pb2

from flyteplane import errors
from flyteplane.api.errors import failure_status
from flyteplane.api.http.gateway.codecs import BINARY, FALLBACK, JSON
from flyteplane.api.http.gateway.errors import HTTP_STATUS, ROUTING_FAILURES, error_response
from flyteplane.api.http.gateway.router import Miss


@pytest.mark.parametrize(
    ("error", "http_status", "code"),
    [
        (errors.InvalidArgument("bad"), 400, 3),
        (errors.NotFound("missing"), 404, 5),
        (errors.AlreadyExists("twice"), 409, 6),
        (errors.FailedPrecondition("state"), 400, 9),
        (errors.AlreadyInTerminalState("done", "SUCCEEDED"), 400, 9),
        (errors.ResourceExhausted("big"), 429, 8),
        (errors.Unimplemented("later"), 501, 12),
        (errors.Unauthenticated("who"), 401, 16),
    ],
)
def test_the_projects_errors_map_to_the_status_flyteadmin_answers(
    error: errors.FlyteplaneError, http_status: int, code: int
) -> None:
    grpc_code, message = failure_status(error, "AdminService.GetTask")
    response = error_response(JSON, grpc_code, message)

    assert response.status_code == http_status
    assert json.loads(response.body) == {"code": code, "message": error.message, "details": []}
    assert response.media_type == "application/json"


def test_a_bug_is_internal_500_naming_the_rpc() -> None:
    grpc_code, message = failure_status(RuntimeError("oops"), "AdminService.GetTask")
    response = error_response(FALLBACK, grpc_code, message)

    assert response.status_code == 500
    assert json.loads(response.body)["message"] == "AdminService.GetTask failed with an internal error; see server log"


def test_every_grpc_code_has_an_http_status() -> None:
    assert set(HTTP_STATUS) == set(grpc.StatusCode)


def test_binary_errors_are_a_serialized_status() -> None:
    response = error_response(BINARY, grpc.StatusCode.NOT_FOUND, "gone")

    assert status_pb2.Status.FromString(bytes(response.body)) == status_pb2.Status(code=5, message="gone")
    assert response.media_type == "application/octet-stream"


def test_unauthenticated_says_so_in_www_authenticate() -> None:
    response = error_response(JSON, grpc.StatusCode.UNAUTHENTICATED, "token parse error\nexpired")

    assert response.headers["www-authenticate"] == "token parse error?expired"


def test_routing_failures_are_not_found_and_method_not_allowed_as_unimplemented() -> None:
    assert ROUTING_FAILURES[Miss.NOT_FOUND] == (grpc.StatusCode.NOT_FOUND, "Not Found")
    assert ROUTING_FAILURES[Miss.METHOD_NOT_ALLOWED] == (grpc.StatusCode.UNIMPLEMENTED, "Method Not Allowed")
