"""Sizes (issue 9, item 6), on SQLite and PostgreSQL: a spec beyond `max_spec_bytes` (default 4 MiB) is refused
naming the limit, where four 30 MB tasks used to register and then break every ListTasks page of their project
(RESOURCE_EXHAUSTED) and the server's memory; list pages stop early, with a next token, once their rows' large
columns pass the page budget (2 MiB), so a page of big specs still reaches a default gRPC client."""

from __future__ import annotations

import uuid

import grpc
import pytest
from flyteidl.admin import common_pb2, execution_pb2, launch_plan_pb2, project_pb2, task_pb2, workflow_pb2
from flyteidl.core import identifier_pb2
from flyteidl.service import admin_pb2_grpc

MIB = 1024 * 1024


def big_task(project: str, name: str, payload_bytes: int) -> task_pb2.TaskCreateRequest:
    request = task_pb2.TaskCreateRequest(
        id=identifier_pb2.Identifier(
            resource_type=identifier_pb2.TASK, project=project, domain="development", name=name, version="v1"
        )
    )
    template = request.spec.template
    template.id.CopyFrom(request.id)
    template.type = "python-task"
    template.container.image = "image"
    template.container.args.append("true")
    template.metadata.SetInParent()
    template.interface.SetInParent()
    template.custom.update({"blob": "x" * payload_bytes})
    return request


@pytest.fixture(scope="module")
def project(admin: admin_pb2_grpc.AdminServiceStub) -> str:
    project_id = f"sizes-{uuid.uuid4().hex[:8]}"
    admin.RegisterProject(
        project_pb2.ProjectRegisterRequest(project=project_pb2.Project(id=project_id, name=project_id)), timeout=10
    )
    return project_id


def refused(call: object, request: object) -> str:
    with pytest.raises(grpc.RpcError) as caught:
        call(request, timeout=30)  # type: ignore[operator]
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT, caught.value.details()  # type: ignore[attr-defined]
    return str(caught.value.details())  # type: ignore[attr-defined]


def test_specs_beyond_the_limit_are_refused_naming_it(admin: admin_pb2_grpc.AdminServiceStub, project: str) -> None:
    task = big_task(project, "too-big", 5 * MIB)
    assert "more than the 4194304 bytes allowed (setting max_spec_bytes)" in refused(admin.CreateTask, task)
    with pytest.raises(grpc.RpcError) as missing:
        admin.GetTask(common_pb2.ObjectGetRequest(id=task.id), timeout=10)
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND  # type: ignore[attr-defined]

    workflow = workflow_pb2.WorkflowCreateRequest(
        id=identifier_pb2.Identifier(
            resource_type=identifier_pb2.WORKFLOW, project=project, domain="development", name="w", version="v1"
        )
    )
    workflow.spec.template.id.CopyFrom(workflow.id)
    workflow.spec.template.metadata.tags["blob"] = "x" * (5 * MIB)
    assert "setting max_spec_bytes" in refused(admin.CreateWorkflow, workflow)

    plan = launch_plan_pb2.LaunchPlanCreateRequest(
        id=identifier_pb2.Identifier(
            resource_type=identifier_pb2.LAUNCH_PLAN, project=project, domain="development", name="l", version="v1"
        )
    )
    plan.spec.workflow_id.CopyFrom(workflow.id)
    plan.spec.labels.values["blob"] = "x" * (5 * MIB)
    assert "setting max_spec_bytes" in refused(admin.CreateLaunchPlan, plan)

    execution = execution_pb2.ExecutionCreateRequest(project=project, domain="development")
    execution.spec.launch_plan.CopyFrom(plan.id)
    execution.inputs.literals["blob"].scalar.primitive.string_value = "x" * (5 * MIB)
    assert "inputs is" in refused(admin.CreateExecution, execution)


def test_a_page_of_big_specs_stops_early_with_a_token(admin: admin_pb2_grpc.AdminServiceStub, project: str) -> None:
    for index in range(3):
        admin.CreateTask(big_task(project, f"big-{index}", 900 * 1024), timeout=30)
    named = common_pb2.NamedEntityIdentifier(project=project, domain="development")
    only_big = "contains(name,big-)"
    first = admin.ListTasks(common_pb2.ResourceListRequest(id=named, limit=100, filters=only_big), timeout=30)
    assert len(first.tasks) == 2 and first.token  # 1.8 MB within the 2 MiB budget, a third would pass it
    second = admin.ListTasks(
        common_pb2.ResourceListRequest(id=named, limit=100, filters=only_big, token=first.token), timeout=30
    )
    assert len(second.tasks) == 1 and not second.token
    names = [task.id.name for task in [*first.tasks, *second.tasks]]
    assert sorted(names) == ["big-0", "big-1", "big-2"]
    small = admin.ListTasks(common_pb2.ResourceListRequest(id=named, limit=1, filters=only_big), timeout=30)
    assert len(small.tasks) == 1 and small.token  # the row limit still applies first


def test_a_single_row_beyond_the_budget_makes_a_page_of_its_own(
    admin: admin_pb2_grpc.AdminServiceStub, project: str
) -> None:
    admin.CreateTask(big_task(project, "huge", 3 * MIB), timeout=30)
    named = common_pb2.NamedEntityIdentifier(project=project, domain="development", name="huge")
    page = admin.ListTasks(common_pb2.ResourceListRequest(id=named, limit=10), timeout=30)
    assert [task.id.name for task in page.tasks] == ["huge"] and not page.token


def test_workflow_pages_count_what_they_send_not_the_closures_they_leave_out(
    admin: admin_pb2_grpc.AdminServiceStub, project: str
) -> None:
    """ListWorkflows leaves the compiled closure (which holds every task) unloaded: three workflows of one big
    task each still fit one page."""
    task = big_task(project, "shared-big", 900 * 1024)
    admin.CreateTask(task, timeout=30)
    for index in range(3):
        request = workflow_pb2.WorkflowCreateRequest(
            id=identifier_pb2.Identifier(
                resource_type=identifier_pb2.WORKFLOW,
                project=project,
                domain="development",
                name=f"wf-{index}",
                version="v1",
            )
        )
        template = request.spec.template
        template.id.CopyFrom(request.id)
        template.interface.SetInParent()
        template.metadata.SetInParent()
        node = template.nodes.add(id="n0")
        node.task_node.reference_id.CopyFrom(task.id)
        node.metadata.name = "n0"
        admin.CreateWorkflow(request, timeout=30)
    named = common_pb2.NamedEntityIdentifier(project=project, domain="development")
    page = admin.ListWorkflows(
        common_pb2.ResourceListRequest(id=named, limit=100, filters="contains(name,wf-)"), timeout=30
    )
    assert sorted(w.id.name for w in page.workflows) == ["wf-0", "wf-1", "wf-2"] and not page.token
