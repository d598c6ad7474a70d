"""The one port: every RPC answers with a deliberate status, garbage cannot hurt it, HTTP shares it."""

from __future__ import annotations

import os
import socket
import urllib.error
import urllib.request
from typing import Any

import grpc
import pytest
from flyteidl.admin import version_pb2
from flyteidl.service import admin_pb2, admin_pb2_grpc, auth_pb2, dataproxy_pb2, identity_pb2, signal_pb2
from google.protobuf import message_factory
from tests.integration.server import RunningServer

SERVICES = [
    admin_pb2.DESCRIPTOR.services_by_name["AdminService"],
    dataproxy_pb2.DESCRIPTOR.services_by_name["DataProxyService"],
    signal_pb2.DESCRIPTOR.services_by_name["SignalService"],
    auth_pb2.DESCRIPTOR.services_by_name["AuthMetadataService"],
    identity_pb2.DESCRIPTOR.services_by_name["IdentityService"],
]
METHODS = [(service, method) for service in SERVICES for method in service.methods]
# What a flytekit user can already do: everything else is a later milestone and must say so.
SERVED = {
    "AdminService": {
        "CreateTask", "GetTask", "ListTaskIds", "ListTasks",
        "CreateWorkflow", "GetWorkflow", "ListWorkflowIds", "ListWorkflows",
        "CreateLaunchPlan", "GetLaunchPlan", "GetActiveLaunchPlan", "ListActiveLaunchPlans", "ListLaunchPlanIds",
        "ListLaunchPlans", "UpdateLaunchPlan",
        "RegisterProject", "UpdateProject", "GetProject", "ListProjects", "GetDomains",
        "UpdateProjectDomainAttributes", "GetProjectDomainAttributes", "DeleteProjectDomainAttributes",
        "UpdateProjectAttributes", "GetProjectAttributes", "DeleteProjectAttributes",
        "UpdateWorkflowAttributes", "GetWorkflowAttributes", "DeleteWorkflowAttributes", "ListMatchableAttributes",
        "ListNamedEntities", "GetNamedEntity", "UpdateNamedEntity", "GetVersion",
        "GetDescriptionEntity", "ListDescriptionEntities",
    },
    "DataProxyService": {"CreateUploadLocation", "CreateDownloadLocation", "CreateDownloadLink"},
    "SignalService": set(),
    "AuthMetadataService": {"GetOAuth2Metadata", "GetPublicClientConfig"},
    "IdentityService": {"UserInfo"},
}  # fmt: skip


def call_empty(channel: grpc.Channel, service: Any, method: Any) -> grpc.RpcError | None:
    """Sends the method's default request message; returns the error, or None when it succeeded."""
    request_type = message_factory.GetMessageClass(method.input_type)
    response_type = message_factory.GetMessageClass(method.output_type)
    rpc = channel.unary_unary(
        f"/{service.full_name}/{method.name}",
        request_serializer=request_type.SerializeToString,
        response_deserializer=response_type.FromString,
    )
    try:
        rpc(request_type(), timeout=10)
    except grpc.RpcError as exc:
        return exc
    return None


@pytest.mark.parametrize(("service", "method"), METHODS, ids=[f"{s.name}.{m.name}" for s, m in METHODS])
def test_every_rpc_answers_an_empty_request_deliberately(channel: grpc.Channel, service: Any, method: Any) -> None:
    """Never UNKNOWN (flytekit would start a browser login) nor INTERNAL (a server bug) for a bad request; an RPC
    that is not built yet says so by name. RPCs outside SERVED may be built by now: they only must not fail badly."""
    error = call_empty(channel, service, method)
    if error is None:
        return
    assert error.code() not in (grpc.StatusCode.UNKNOWN, grpc.StatusCode.INTERNAL), error.details()
    if method.name in SERVED[service.name]:
        assert error.code() != grpc.StatusCode.UNIMPLEMENTED, error.details()
    if error.code() == grpc.StatusCode.UNIMPLEMENTED:
        assert error.details() == f"{service.name}.{method.name} is not available yet in flyteplane"


def test_an_rpc_unknown_to_flyteidl_is_unimplemented(channel: grpc.Channel) -> None:
    rpc = channel.unary_unary("/flyteidl.service.AdminService/NoSuchRpc")
    with pytest.raises(grpc.RpcError) as caught:
        rpc(b"", timeout=10)
    assert caught.value.code() == grpc.StatusCode.UNIMPLEMENTED


def test_get_version_names_flyteplane(remote: Any, admin: admin_pb2_grpc.AdminServiceStub) -> None:
    version = admin.GetVersion(version_pb2.GetVersionRequest()).control_plane_version
    assert version.Version == "v0.1.0" and version.Build.startswith("flyteplane")
    # flytekit's own remote test: "unknown" or a v-prefixed version, as flyteadmin reports it
    assert remote.client.get_control_plane_version().startswith("v")


def http(server: RunningServer, path: str, method: str = "GET") -> tuple[int, bytes]:
    request = urllib.request.Request(server.url + path, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_healthcheck_answers_200_on_the_grpc_port(server: RunningServer, admin: Any) -> None:
    assert http(server, "/healthcheck") == (200, b"")
    assert http(server, "/healthcheck", "HEAD")[0] == 200
    admin.GetVersion(version_pb2.GetVersionRequest())  # and gRPC on the very same port
    assert http(server, "/healthcheck") == (200, b"")


def test_unknown_http_paths_are_404(server: RunningServer) -> None:
    assert http(server, "/no/such/page")[0] == 404


def test_an_unsigned_blob_url_is_refused(server: RunningServer) -> None:
    assert http(server, "/blobs/flytesnacks/development/x/file.txt")[0] == 403


def exchange(server: RunningServer, payload: bytes) -> bytes:
    """Sends raw bytes on a fresh TCP connection and reads what comes back until the server closes it. The server
    may hang up before reading everything (a reset while sending is a fine answer to garbage)."""
    received = b""
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        try:
            if payload:
                sock.sendall(payload)
            sock.shutdown(socket.SHUT_WR)
            while chunk := sock.recv(65536):
                received += chunk
        except OSError:  # reset, broken pipe, not connected, timeout: the server hung up on us
            pass
    return received


GARBAGE = {
    "nothing": b"",
    "random bytes": os.urandom(4096),
    "a megabyte of zeros": b"\0" * (1 << 20),
    "half an HTTP/2 preface": b"PRI * HTTP/2.0\r\n",
    "HTTP/2 preface then garbage": b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + os.urandom(512),
    "a broken HTTP/1 request": b"GET /healthcheck HTTP/1.1\r\nHost: \xff\xfe\r\nContent-Length: -1\r\n\r\n",
    "TLS client hello": bytes.fromhex("16030100a5010000a10303") + os.urandom(160),
}


@pytest.mark.parametrize("payload", list(GARBAGE.values()), ids=list(GARBAGE))
def test_the_server_survives_garbage_on_its_port(server: RunningServer, admin: Any, payload: bytes) -> None:
    exchange(server, payload)
    assert server.process.poll() is None, "the server process died"
    assert http(server, "/healthcheck")[0] == 200
    with grpc.insecure_channel(server.endpoint) as fresh:
        stub = admin_pb2_grpc.AdminServiceStub(fresh)
        assert stub.GetVersion(version_pb2.GetVersionRequest(), timeout=10).control_plane_version.Version
    assert admin.GetVersion(version_pb2.GetVersionRequest(), timeout=10).control_plane_version.Version


def test_a_silent_connection_does_not_block_others(server: RunningServer, admin: Any) -> None:
    """A client that connects and says nothing must not hold up anyone else."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=5):
        assert http(server, "/healthcheck")[0] == 200
        assert admin.GetVersion(version_pb2.GetVersionRequest(), timeout=10).control_plane_version.Version
