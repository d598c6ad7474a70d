"""Requests holding values their own types forbid are INVALID_ARGUMENT naming the field, never INTERNAL (issue 9):
a resource type flyteidl does not define in Get*/Update*/Create*, and a task timeout beyond 10,000 years."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import grpc
import pytest
from flyteidl.admin import (
    common_pb2,
    execution_pb2,
    launch_plan_pb2,
    node_execution_pb2,
    project_pb2,
    task_pb2,
    workflow_pb2,
)
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


NUL = "a\x00b"
NUL_REASON = "contains a NUL character (0x00), which no name or filter may hold"


def task_id(name: str = "n", version: str = "v", project: str = "flytesnacks") -> identifier_pb2.Identifier:
    return identifier_pb2.Identifier(
        resource_type=identifier_pb2.TASK, project=project, domain="development", name=name, version=version
    )


def execution_id(name: str = "e") -> identifier_pb2.WorkflowExecutionIdentifier:
    return identifier_pb2.WorkflowExecutionIdentifier(project="flytesnacks", domain="development", name=name)


NUL_REQUESTS: dict[str, tuple[str, Any, str]] = {
    "GetTask": ("GetTask", common_pb2.ObjectGetRequest(id=task_id(NUL)), "id.name"),
    "GetTask version": ("GetTask", common_pb2.ObjectGetRequest(id=task_id(version=NUL)), "id.version"),
    "CreateTask": ("CreateTask", task_pb2.TaskCreateRequest(id=task_id(project=NUL)), "id.project"),
    "ListTasks": (
        "ListTasks",
        common_pb2.ResourceListRequest(
            id=common_pb2.NamedEntityIdentifier(project="flytesnacks", domain="development", name=NUL), limit=10
        ),
        "id.name",
    ),
    "ListTasks filters": (
        "ListTasks",
        common_pb2.ResourceListRequest(
            id=common_pb2.NamedEntityIdentifier(project="flytesnacks", domain="development"),
            limit=10,
            filters=f"eq(version,{NUL})",
        ),
        "filters",
    ),
    "GetExecution": ("GetExecution", execution_pb2.WorkflowExecutionGetRequest(id=execution_id(NUL)), "id.name"),
    "ListExecutions filters": (
        "ListExecutions",
        common_pb2.ResourceListRequest(
            id=common_pb2.NamedEntityIdentifier(project="flytesnacks", domain="development"),
            limit=10,
            filters=f"contains(name,{NUL})",
        ),
        "filters",
    ),
    "GetNodeExecution": (
        "GetNodeExecution",
        node_execution_pb2.NodeExecutionGetRequest(
            id=identifier_pb2.NodeExecutionIdentifier(node_id=NUL, execution_id=execution_id())
        ),
        "id.node_id",
    ),
    "GetProject": ("GetProject", project_pb2.ProjectGetRequest(id=NUL), "id"),
    "UpdateProject": ("UpdateProject", project_pb2.Project(id="flytesnacks", name="flytesnacks", description=NUL), ""),
    "UpdateNamedEntity": (
        "UpdateNamedEntity",
        common_pb2.NamedEntityUpdateRequest(
            resource_type=identifier_pb2.TASK,
            id=common_pb2.NamedEntityIdentifier(project="flytesnacks", domain="development", name="n"),
            metadata=common_pb2.NamedEntityMetadata(description=NUL),
        ),
        "metadata.description",
    ),
}


@pytest.mark.parametrize("case", list(NUL_REQUESTS))
def test_a_nul_in_a_name_or_filter_is_invalid_argument_on_every_backend(
    admin: admin_pb2_grpc.AdminServiceStub, case: str
) -> None:
    """PostgreSQL cannot hold or compare a NUL (it answered INTERNAL); SQLite could: both refuse it alike."""
    rpc, request, field = NUL_REQUESTS[case]
    with pytest.raises(grpc.RpcError) as caught:
        getattr(admin, rpc)(request, timeout=10)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT, caught.value.details()  # type: ignore[attr-defined]
    expected = f"AdminService.{rpc}: {field or 'description'}: {NUL_REASON}"
    assert caught.value.details() == expected  # type: ignore[attr-defined]


def registered_task(name: str, version: str) -> task_pb2.TaskCreateRequest:
    request = task_pb2.TaskCreateRequest(id=task_id(name, version))
    request.spec.template.id.CopyFrom(request.id)
    request.spec.template.type = "python-task"
    request.spec.template.container.image = "image"
    request.spec.template.container.args.append("true")
    request.spec.template.metadata.SetInParent()
    request.spec.template.interface.SetInParent()
    return request


@pytest.mark.parametrize("part", ["name", "version"])
def test_names_and_versions_hold_255_characters_on_every_backend_and_no_more(
    admin: admin_pb2_grpc.AdminServiceStub, part: str
) -> None:
    """SQLite took 100 KB names, PostgreSQL failed on 256 characters with INTERNAL: both now keep 255."""
    longest = "x" * 200 + uuid.uuid4().hex + "y" * 23
    assert len(longest) == 255
    request = registered_task(
        **({"name": "t", "version": longest} if part == "version" else {"name": longest, "version": "v"})
    )
    if part == "name":
        request.id.version = request.spec.template.id.version = uuid.uuid4().hex
    admin.CreateTask(request, timeout=10)
    assert admin.GetTask(common_pb2.ObjectGetRequest(id=request.id), timeout=10).id == request.id

    too_long = registered_task(
        **({"name": "t", "version": longest + "z"} if part == "version" else {"name": longest + "z", "version": "v"})
    )
    with pytest.raises(grpc.RpcError) as caught:
        admin.CreateTask(too_long, timeout=10)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT  # type: ignore[attr-defined]
    details = caught.value.details()  # type: ignore[attr-defined]
    assert details.startswith("AdminService.CreateTask: ")  # the id, or the template's copy of it
    assert details.endswith(f"id.{part}: cannot exceed 255 characters (got 256)")


def list_tasks(admin: admin_pb2_grpc.AdminServiceStub, project: str, filters: str) -> list[str]:
    answer = admin.ListTasks(
        common_pb2.ResourceListRequest(
            id=common_pb2.NamedEntityIdentifier(project=project, domain="development"), limit=100, filters=filters
        ),
        timeout=10,
    )
    return sorted(task.id.name for task in answer.tasks)


def test_a_thousand_filter_clauses_are_refused_naming_the_cap(admin: admin_pb2_grpc.AdminServiceStub) -> None:
    """SQLite failed with "Expression tree is too large" (INTERNAL)."""
    with pytest.raises(grpc.RpcError) as caught:
        list_tasks(admin, "flytesnacks", "+".join(["eq(name,x)"] * 1000))
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT  # type: ignore[attr-defined]
    assert "at most 100 expressions" in caught.value.details()  # type: ignore[attr-defined]
    assert list_tasks(admin, "flytesnacks", "+".join(["ne(name,x)"] * 100)) is not None


@pytest.fixture(scope="module")
def patterned(admin: admin_pb2_grpc.AdminServiceStub) -> str:
    """A project whose task names hold LIKE's special characters."""
    project = f"like-{uuid.uuid4().hex[:8]}"
    admin.RegisterProject(
        project_pb2.ProjectRegisterRequest(project=project_pb2.Project(id=project, name=project)), timeout=10
    )
    for name in ("a%c", "a_c", "a\\c", "abc"):
        request = registered_task(name, "v")
        request.id.project = request.spec.template.id.project = project
        admin.CreateTask(request, timeout=10)
    return project


@pytest.mark.parametrize(
    ("filters", "names"),
    [
        ("contains(name,%)", ["a%c"]),
        ("contains(name,_)", ["a_c"]),
        ("contains(name,\\)", ["a\\c"]),
        ("contains(name,a%c)", ["a%c"]),
        ("not_like(name,\\)", ["a%c", "a\\c", "a_c", "abc"]),
        ("not_like(name,a\\c)", ["a%c", "a_c", "abc"]),
        ("not_like(name,a_c)", []),  # flyteadmin's raw pattern: _ and % stay wildcards
        ("not_like(name,a%)", []),
    ],
)
def test_like_patterns_match_alike_on_every_backend(
    admin: admin_pb2_grpc.AdminServiceStub, patterned: str, filters: str, names: list[str]
) -> None:
    """`not_like(name,\\)` was INTERNAL on PostgreSQL (a pattern ending in its escape character)."""
    assert list_tasks(admin, patterned, filters) == names


def test_a_task_type_over_255_characters_is_invalid_argument(admin: admin_pb2_grpc.AdminServiceStub) -> None:
    """The type is a column of its own (PostgreSQL refused 256 characters with INTERNAL, SQLite kept them)."""
    request = registered_task("typed", uuid.uuid4().hex)
    request.spec.template.type = "t" * 256
    with pytest.raises(grpc.RpcError) as caught:
        admin.CreateTask(request, timeout=10)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT  # type: ignore[attr-defined]
    assert caught.value.details() == (  # type: ignore[attr-defined]
        "AdminService.CreateTask: spec.template.type: cannot exceed 255 characters (got 256)"
    )
