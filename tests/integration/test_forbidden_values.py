"""Requests holding values their own types forbid are INVALID_ARGUMENT naming the field, never INTERNAL (issue 9):
a resource type flyteidl does not define in Get*/Update*/Create*, and a task timeout beyond 10,000 years."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc
import pytest
from flyteidl.admin import common_pb2, launch_plan_pb2, task_pb2, workflow_pb2
from flyteidl.core import identifier_pb2
from flyteidl.service import admin_pb2_grpc

YEAR = 31_557_600


def identifier(resource_type: int) -> identifier_pb2.Identifier:
    return identifier_pb2.Identifier(
        resource_type=resource_type,  # type: ignore[arg-type]
        project="flytesnacks",
        domain="development",
        name="n",
        version="v",
    )


REQUESTS: dict[str, Callable[[identifier_pb2.Identifier], tuple[str, Any]]] = {
    "GetTask": lambda id_: ("GetTask", common_pb2.ObjectGetRequest(id=id_)),
    "GetWorkflow": lambda id_: ("GetWorkflow", common_pb2.ObjectGetRequest(id=id_)),
    "GetLaunchPlan": lambda id_: ("GetLaunchPlan", common_pb2.ObjectGetRequest(id=id_)),
    "UpdateLaunchPlan": lambda id_: ("UpdateLaunchPlan", launch_plan_pb2.LaunchPlanUpdateRequest(id=id_)),
    "CreateTask": lambda id_: ("CreateTask", task_pb2.TaskCreateRequest(id=id_)),
    "CreateWorkflow": lambda id_: ("CreateWorkflow", workflow_pb2.WorkflowCreateRequest(id=id_)),
    "CreateLaunchPlan": lambda id_: ("CreateLaunchPlan", launch_plan_pb2.LaunchPlanCreateRequest(id=id_)),
}


@pytest.mark.parametrize("resource_type", [5, 99])
@pytest.mark.parametrize("rpc", list(REQUESTS))
def test_an_undefined_resource_type_is_invalid_argument(
    admin: admin_pb2_grpc.AdminServiceStub, rpc: str, resource_type: int
) -> None:
    name, request = REQUESTS[rpc](identifier(resource_type))
    with pytest.raises(grpc.RpcError) as caught:
        getattr(admin, name)(request, timeout=10)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT, caught.value.details()  # type: ignore[attr-defined]
    assert caught.value.details().startswith(  # type: ignore[attr-defined]
        f"AdminService.{rpc}: id.resource_type: {resource_type} is not a flyteidl.core.ResourceType"
    )


def test_a_task_timeout_of_10001_years_is_invalid_argument(admin: admin_pb2_grpc.AdminServiceStub) -> None:
    request = task_pb2.TaskCreateRequest(id=identifier(identifier_pb2.TASK))
    request.spec.template.id.CopyFrom(request.id)
    request.spec.template.type = "python-task"
    request.spec.template.container.image = "image"
    request.spec.template.metadata.timeout.seconds = 10_001 * YEAR
    with pytest.raises(grpc.RpcError) as caught:
        admin.CreateTask(request, timeout=10)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT  # type: ignore[attr-defined]
    assert caught.value.details() == (  # type: ignore[attr-defined]
        "AdminService.CreateTask: spec.template.metadata.timeout: a duration of 315607557600 seconds is beyond "
        "10,000 years"
    )
