"""Every RPC of a service is served; errors map to status codes and nothing ends as UNKNOWN."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent import futures
from typing import Any

import grpc
import pytest
from flyteidl.admin import common_pb2, project_pb2, version_pb2
from flyteidl.core import identifier_pb2
from flyteidl.service import admin_pb2, admin_pb2_grpc

from flyteplane import errors
from flyteplane.api.grpc.handlers import service_handler


class Impl:
    def GetVersion(self, _req: version_pb2.GetVersionRequest) -> version_pb2.GetVersionResponse:
        return version_pb2.GetVersionResponse(control_plane_version=version_pb2.Version(Version="9"))

    def GetProject(self, req: project_pb2.ProjectGetRequest) -> project_pb2.Project:
        if req.id == "boom":
            raise RuntimeError("a bug")
        raise errors.NotFound(f"project [{req.id}] not found")

    def ListProjects(self, _req: Any) -> Any:
        raise errors.InvalidArgument("x" * 100_000)


@pytest.fixture(scope="module")
def channel() -> Iterator[grpc.Channel]:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    server.add_generic_rpc_handlers([service_handler(admin_pb2.DESCRIPTOR.services_by_name["AdminService"], Impl())])
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    with grpc.insecure_channel(f"127.0.0.1:{port}") as opened:
        yield opened
    server.stop(None)


@pytest.fixture(scope="module")
def stub(channel: grpc.Channel) -> admin_pb2_grpc.AdminServiceStub:
    return admin_pb2_grpc.AdminServiceStub(channel)


def test_implemented_methods_answer(stub: admin_pb2_grpc.AdminServiceStub) -> None:
    assert stub.GetVersion(version_pb2.GetVersionRequest()).control_plane_version.Version == "9"


def test_project_errors_map_to_their_status(stub: admin_pb2_grpc.AdminServiceStub) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        stub.GetProject(project_pb2.ProjectGetRequest(id="p"))
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    assert caught.value.details() == "project [p] not found"


def test_unexpected_exceptions_are_internal_never_unknown(stub: admin_pb2_grpc.AdminServiceStub) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        stub.GetProject(project_pb2.ProjectGetRequest(id="boom"))
    assert caught.value.code() == grpc.StatusCode.INTERNAL
    assert "AdminService.GetProject" in caught.value.details()


def test_methods_not_built_are_unimplemented_by_name(stub: admin_pb2_grpc.AdminServiceStub) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        stub.ListTasks(common_pb2.ResourceListRequest())
    assert caught.value.code() == grpc.StatusCode.UNIMPLEMENTED
    assert caught.value.details() == "AdminService.ListTasks is not available yet in flyteplane"


def test_huge_messages_are_truncated_so_default_clients_can_read_them(stub: admin_pb2_grpc.AdminServiceStub) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        stub.ListProjects(project_pb2.ProjectListRequest())
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert caught.value.details().endswith("... (truncated)")


def test_an_undecodable_body_is_invalid_argument_naming_the_rpc(
    channel: grpc.Channel, caplog: pytest.LogCaptureFixture
) -> None:
    """Parsed inside the handler, not by grpcio's deserializer (whose failure is INTERNAL with a logged traceback)."""
    get_project = channel.unary_unary("/flyteidl.service.AdminService/GetProject")
    with pytest.raises(grpc.RpcError) as caught:
        get_project(b"\xff" * 100)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert caught.value.details() == (
        "AdminService.GetProject: the request body is not a valid flyteidl.admin.ProjectGetRequest"
    )
    assert not [record for record in caplog.records if record.exc_info], "a traceback was logged"


def test_a_forbidden_value_is_invalid_argument_naming_the_rpc_and_the_field(
    stub: admin_pb2_grpc.AdminServiceStub,
) -> None:
    """Checked before the implementation is called (it would have answered NOT_FOUND here)."""
    with pytest.raises(grpc.RpcError) as caught:
        stub.GetProject(project_pb2.ProjectGetRequest(id="p"))
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.RpcError) as caught:
        stub.GetTask(common_pb2.ObjectGetRequest(id=identifier_pb2.Identifier(resource_type=99)))  # type: ignore[arg-type]
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert caught.value.details().startswith("AdminService.GetTask: id.resource_type: 99 is not a ")
