"""Every registration mistake reaches flytekit as its matching exception, and a failed create writes nothing."""

from __future__ import annotations

from typing import Any

import grpc
import pytest
from flyteidl.admin import launch_plan_pb2, task_pb2, workflow_pb2
from flyteidl.core import literals_pb2
from flytekit.exceptions.user import (
    FlyteEntityAlreadyExistsException,
    FlyteEntityNotExistException,
    FlyteInvalidInputException,
)
from flytekit.models.common import NamedEntityIdentifier
from flytekit.models.project import Project
from tests.integration.support import DOMAIN, details, new_project, serialize, status, unique, use_apps

use_apps()
from pipelines import tasks, workflows  # noqa: E402

ADD = "pipelines.tasks.add"
ARITHMETIC = "pipelines.workflows.arithmetic"


def default_launch_plan(workflow: Any) -> Any:
    """The launch plan flytekit registers next to a workflow: same name, defaults from the signature."""
    from flytekit import FlyteContextManager, LaunchPlan

    return LaunchPlan.get_default_launch_plan(FlyteContextManager.current_context(), workflow)


def task_request(spec: task_pb2.TaskSpec) -> task_pb2.TaskCreateRequest:
    return task_pb2.TaskCreateRequest(id=spec.template.id, spec=spec)


def workflow_request(spec: workflow_pb2.WorkflowSpec) -> workflow_pb2.WorkflowCreateRequest:
    return workflow_pb2.WorkflowCreateRequest(id=spec.template.id, spec=spec)


def lp_request(plan: launch_plan_pb2.LaunchPlan) -> launch_plan_pb2.LaunchPlanCreateRequest:
    return launch_plan_pb2.LaunchPlanCreateRequest(id=plan.id, spec=plan.spec)


def versions(remote: Any, kind: str, project: str, name: str) -> list[str]:
    """Every registered version of one name, through the flytekit client's list call for that kind."""
    lister = getattr(remote.client, f"list_{kind}_paginated")
    found, token = lister(NamedEntityIdentifier(project, DOMAIN, name), limit=100)
    assert token == ""
    return sorted(entity.id.version for entity in found)


@pytest.fixture(scope="module")
def registered(remote: Any, project: str) -> dict[str, list[Any]]:
    """`arithmetic` (its task and its default launch plan) registered at v1 through the raw client."""
    protos = serialize(default_launch_plan(workflows.arithmetic), project, "v1")
    raw = remote.client.raw
    for spec in protos["tasks"]:
        raw.create_task(task_request(spec))
    for spec in protos["workflows"]:
        raw.create_workflow(workflow_request(spec))
    for plan in protos["launch_plans"]:
        raw.create_launch_plan(lp_request(plan))
    return protos


# -- not found ---------------------------------------------------------------------------------------------------


def test_fetching_an_unknown_task_version_is_not_found(remote: Any, registered: Any, project: str) -> None:
    with pytest.raises(FlyteEntityNotExistException) as caught:
        remote.fetch_task(project, DOMAIN, ADD, "no-such-version")
    assert details(caught.value).startswith("missing entity of type TASK with identifier")
    assert "no-such-version" in details(caught.value)


def test_fetching_an_unknown_workflow_is_not_found(remote: Any, registered: Any, project: str) -> None:
    with pytest.raises(FlyteEntityNotExistException) as caught:
        remote.fetch_workflow(project, DOMAIN, "no.such.workflow", "v1")
    assert details(caught.value).startswith("missing entity of type WORKFLOW with identifier")


def test_fetching_an_unknown_launch_plan_is_not_found(remote: Any, registered: Any, project: str) -> None:
    with pytest.raises(FlyteEntityNotExistException) as caught:
        remote.fetch_launch_plan(project, DOMAIN, ARITHMETIC, "v404")
    assert details(caught.value).startswith("missing entity of type LAUNCH_PLAN with identifier")


@pytest.mark.parametrize("fetch", ["fetch_task", "fetch_workflow", "fetch_launch_plan"])
def test_the_latest_version_of_an_unknown_name_is_not_found(remote: Any, project: str, fetch: str) -> None:
    with pytest.raises(FlyteEntityNotExistException):
        getattr(remote, fetch)(project, DOMAIN, "never.registered")


def test_a_launch_plan_for_an_unknown_workflow_is_not_found(remote: Any, registered: Any) -> None:
    plan = launch_plan_pb2.LaunchPlan()
    plan.CopyFrom(registered["launch_plans"][0])
    plan.id.version = plan.spec.workflow_id.version = "v-missing"
    with pytest.raises(FlyteEntityNotExistException):
        remote.client.raw.create_launch_plan(lp_request(plan))
    assert versions(remote, "launch_plans", plan.id.project, ARITHMETIC) == ["v1"]


# -- already exists -----------------------------------------------------------------------------------------------


def test_re_registering_an_identical_task_already_exists(remote: Any, registered: Any, project: str) -> None:
    with pytest.raises(FlyteEntityAlreadyExistsException) as caught:
        remote.client.raw.create_task(task_request(registered["tasks"][0]))
    assert details(caught.value) == "task with identical structure already exists"
    assert versions(remote, "tasks", project, ADD) == ["v1"]


def test_re_registering_an_identical_workflow_already_exists(remote: Any, registered: Any) -> None:
    with pytest.raises(FlyteEntityAlreadyExistsException) as caught:
        remote.client.raw.create_workflow(workflow_request(registered["workflows"][0]))
    assert details(caught.value) == "workflow with identical structure already exists"


def test_re_registering_an_identical_launch_plan_already_exists(remote: Any, registered: Any) -> None:
    with pytest.raises(FlyteEntityAlreadyExistsException) as caught:
        remote.client.raw.create_launch_plan(lp_request(registered["launch_plans"][0]))
    assert details(caught.value) == "launch plan with identical structure already exists"


def test_flytekit_register_task_treats_already_exists_as_success(remote: Any, registered: Any, project: str) -> None:
    from tests.integration.support import settings

    again = remote.register_task(tasks.add, settings(project, "v1"), version="v1")
    assert again.id.version == "v1"
    assert versions(remote, "tasks", project, ADD) == ["v1"]


# -- same id, different spec --------------------------------------------------------------------------------------


def test_same_task_id_with_another_spec_is_invalid_and_the_diff_names_the_field(
    remote: Any, registered: Any, project: str
) -> None:
    changed = task_pb2.TaskSpec()
    changed.CopyFrom(registered["tasks"][0])
    original_image = changed.template.container.image
    changed.template.container.image = "example.org/changed-image:1"

    with pytest.raises(FlyteInvalidInputException) as caught:
        remote.client.raw.create_task(task_request(changed))
    message = details(caught.value)
    assert message.startswith(f"{ADD} task with different structure already exists.")
    assert "image" in message and "example.org/changed-image:1" in message and original_image in message
    assert "args" not in message, "only what differs is named"

    assert versions(remote, "tasks", project, ADD) == ["v1"]
    kept = remote.client.raw.get_task(_get(registered["tasks"][0].template.id))
    assert kept.closure.compiled_task.template.container.image == original_image


def test_same_workflow_id_with_another_spec_is_invalid(remote: Any, registered: Any, project: str) -> None:
    changed = workflow_pb2.WorkflowSpec()
    changed.CopyFrom(registered["workflows"][0])
    changed.template.metadata.on_failure = 1  # FAIL_AFTER_EXECUTABLE_NODES_COMPLETE
    with pytest.raises(FlyteInvalidInputException) as caught:
        remote.client.raw.create_workflow(workflow_request(changed))
    message = details(caught.value)
    assert message.startswith(f"{ARITHMETIC} workflow with different structure already exists.")
    assert "FAIL_AFTER_EXECUTABLE_NODES_COMPLETE" in message
    assert versions(remote, "workflows", project, ARITHMETIC) == ["v1"]


def test_same_launch_plan_id_with_other_defaults_is_invalid(remote: Any, registered: Any, project: str) -> None:
    changed = launch_plan_pb2.LaunchPlan()
    changed.CopyFrom(registered["launch_plans"][0])
    changed.spec.default_inputs.parameters["a"].default.scalar.primitive.integer = 42
    with pytest.raises(FlyteInvalidInputException) as caught:
        remote.client.raw.create_launch_plan(lp_request(changed))
    assert "42" in details(caught.value)
    assert versions(remote, "launch_plans", project, ARITHMETIC) == ["v1"]


def _get(ident: Any) -> Any:
    from flyteidl.admin import common_pb2

    return common_pb2.ObjectGetRequest(id=ident)


# -- invalid input: nothing is written ----------------------------------------------------------------------------


def test_a_workflow_referencing_an_unregistered_task_is_invalid(remote: Any, registered: Any, project: str) -> None:
    """The workflow refers to its task at version v2, which was never registered."""
    spec = serialize(workflows.arithmetic, project, "v2")["workflows"][0]
    with pytest.raises(FlyteInvalidInputException) as caught:
        remote.client.raw.create_workflow(workflow_request(spec))
    message = details(caught.value)
    assert message.startswith("failed to compile workflow for")
    assert ADD in message and "v2" in message
    assert versions(remote, "workflows", project, ARITHMETIC) == ["v1"]
    assert versions(remote, "tasks", project, ADD) == ["v1"]


def test_a_launch_plan_with_a_fixed_input_of_the_wrong_type_is_invalid(
    remote: Any, registered: Any, project: str
) -> None:
    plan = launch_plan_pb2.LaunchPlan()
    plan.CopyFrom(registered["launch_plans"][0])
    plan.id.name = "wrongly_fixed"
    del plan.spec.default_inputs.parameters["b"]
    plan.spec.fixed_inputs.literals["b"].CopyFrom(
        literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(string_value="not a number")))
    )
    with pytest.raises(FlyteInvalidInputException) as caught:
        remote.client.raw.create_launch_plan(lp_request(plan))
    assert details(caught.value).startswith("invalid fixed_input wrong type b")
    assert versions(remote, "launch_plans", project, "wrongly_fixed") == []


def test_a_launch_plan_with_an_unknown_fixed_input_is_invalid(remote: Any, registered: Any, project: str) -> None:
    plan = launch_plan_pb2.LaunchPlan()
    plan.CopyFrom(registered["launch_plans"][0])
    plan.id.name = "unknown_fixed"
    plan.spec.fixed_inputs.literals["zzz"].scalar.primitive.integer = 1
    with pytest.raises(FlyteInvalidInputException) as caught:
        remote.client.raw.create_launch_plan(lp_request(plan))
    assert details(caught.value) == "unexpected fixed_input zzz"
    assert versions(remote, "launch_plans", project, "unknown_fixed") == []


def test_registering_into_an_unknown_project_is_invalid(remote: Any, registered: Any) -> None:
    spec = task_pb2.TaskSpec()
    spec.CopyFrom(registered["tasks"][0])
    spec.template.id.project = missing = unique("nowhere")
    with pytest.raises(FlyteInvalidInputException) as caught:
        remote.client.raw.create_task(task_request(spec))
    assert details(caught.value).startswith(f"failed to validate that project [{missing}] and domain")


def test_registering_into_an_archived_project_is_invalid(remote: Any, registered: Any) -> None:
    archived = new_project(remote, "archived")
    remote.client.update_project(Project.archived_project(archived))
    spec = task_pb2.TaskSpec()
    spec.CopyFrom(registered["tasks"][0])
    spec.template.id.project = archived
    with pytest.raises(FlyteInvalidInputException) as caught:
        remote.client.raw.create_task(task_request(spec))
    assert details(caught.value) == f"project [{archived}] is not active"
    assert versions(remote, "tasks", archived, ADD) == []


def test_registering_into_an_unknown_domain_is_invalid(remote: Any, registered: Any) -> None:
    spec = task_pb2.TaskSpec()
    spec.CopyFrom(registered["tasks"][0])
    spec.template.id.domain = "qa"
    with pytest.raises(FlyteInvalidInputException) as caught:
        remote.client.raw.create_task(task_request(spec))
    assert details(caught.value) == "domain [qa] is unrecognized by system"


def test_a_task_without_an_image_is_invalid(remote: Any, registered: Any, project: str) -> None:
    spec = task_pb2.TaskSpec()
    spec.CopyFrom(registered["tasks"][0])
    spec.template.id.name = "imageless"
    spec.template.container.image = ""
    with pytest.raises(FlyteInvalidInputException) as caught:
        remote.client.raw.create_task(task_request(spec))
    assert details(caught.value) == "missing image"
    assert versions(remote, "tasks", project, "imageless") == []


def test_errors_arrive_as_their_grpc_codes(channel: grpc.Channel, registered: Any) -> None:
    """Without flytekit's interceptor: the raw status codes behind the exceptions above."""
    from flyteidl.service import admin_pb2_grpc

    stub = admin_pb2_grpc.AdminServiceStub(channel)
    with pytest.raises(grpc.RpcError) as caught:
        stub.CreateTask(task_request(registered["tasks"][0]))
    assert caught.value.code() == grpc.StatusCode.ALREADY_EXISTS
    with pytest.raises(grpc.RpcError) as caught:
        stub.CreateTask(task_pb2.TaskCreateRequest())
    assert (caught.value.code(), caught.value.details()) == (grpc.StatusCode.INVALID_ARGUMENT, "missing id")


def test_flytekit_exceptions_carry_the_status(remote: Any, project: str) -> None:
    with pytest.raises(FlyteEntityNotExistException) as caught:
        remote.fetch_task(project, DOMAIN, "x", "y")
    assert status(caught.value) == grpc.StatusCode.NOT_FOUND
