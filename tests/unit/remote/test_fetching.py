"""Fetching: "latest" as flytekit asks for it, and the launch plans a workflow's nodes launch, wherever they are."""

from __future__ import annotations

from typing import Any

import pytest
from flyteidl.admin import common_pb2, task_pb2
from flyteidl.core import compiler_pb2, identifier_pb2, tasks_pb2
from flyteidl.core import workflow_pb2 as core
from tests.unit.remote.fakes import FakeClient, context, task_id

from flyteplane.client import FlyteEntityNotExistException
from flyteplane.remote import FlyteAssertion
from flyteplane.remote.fetching import fetch_task, launch_plan_refs


def lp(name: str) -> Any:
    return identifier_pb2.Identifier(
        resource_type=identifier_pb2.LAUNCH_PLAN, project="p", domain="d", name=name, version="v"
    )


def lp_node(node_id: str, name: str) -> Any:
    return core.Node(id=node_id, workflow_node=core.WorkflowNode(launchplan_ref=lp(name)))


def test_launch_plans_are_found_in_plain_array_and_nested_branch_nodes_and_subworkflows() -> None:
    nested = core.Node(
        id="b2",
        branch_node=core.BranchNode(
            if_else=core.IfElseBlock(
                case=core.IfBlock(then_node=lp_node("t2", "deep")), else_node=lp_node("e2", "else")
            )
        ),
    )
    branch = core.Node(
        id="b1",
        branch_node=core.BranchNode(
            if_else=core.IfElseBlock(
                case=core.IfBlock(then_node=nested), other=[core.IfBlock(then_node=lp_node("o1", "other"))]
            )
        ),
    )
    array = core.Node(id="a1", array_node=core.ArrayNode(node=lp_node("inner", "mapped")))
    primary = core.WorkflowTemplate(nodes=[lp_node("n0", "direct"), branch, array])
    sub = core.WorkflowTemplate(nodes=[lp_node("s0", "in-sub")])
    closure = compiler_pb2.CompiledWorkflowClosure(
        primary=compiler_pb2.CompiledWorkflow(template=primary),
        sub_workflows=[compiler_pb2.CompiledWorkflow(template=sub)],
    )

    assert [ref.name for ref in launch_plan_refs(closure)] == ["direct", "deep", "else", "other", "mapped", "in-sub"]


def stored(version: str) -> Any:
    ident = task_id(version=version)
    return task_pb2.Task(
        id=ident,
        closure=task_pb2.TaskClosure(
            compiled_task=compiler_pb2.CompiledTask(template=tasks_pb2.TaskTemplate(id=ident, type="python-task"))
        ),
    )


class Recording(FakeClient):
    def __init__(self) -> None:
        super().__init__()
        self.listings: list[tuple[Any, dict[str, Any]]] = []

    def list_tasks_paginated(self, identifier: Any, **kwargs: Any) -> tuple[list[Any], str]:
        self.listings.append((identifier, kwargs))
        return super().list_tasks_paginated(identifier, **kwargs)


@pytest.mark.parametrize("version", [None, "latest"])
def test_latest_is_the_newest_by_creation_time(version: str | None) -> None:
    client = Recording()
    client.tasks[task_id(version="v2").SerializeToString(deterministic=True)] = stored("v2")

    task = fetch_task(context(client), name="t", version=version)

    assert task.id.version == "v2"
    identifier, kwargs = client.listings[0]
    assert identifier == common_pb2.NamedEntityIdentifier(project="p", domain="d", name="t")
    assert kwargs["limit"] == 1
    assert kwargs["sort_by"].to_flyte_idl() == common_pb2.Sort(key="created_at", direction=common_pb2.Sort.DESCENDING)


def test_a_name_with_no_version_at_all_is_not_found() -> None:
    with pytest.raises(FlyteEntityNotExistException, match="Named entity p/d/t not found"):
        fetch_task(context(FakeClient()), name="t")


def test_a_name_is_required_and_so_are_project_and_domain() -> None:
    with pytest.raises(FlyteAssertion, match="'name' argument must be specified"):
        fetch_task(context(FakeClient()))
    with pytest.raises(FlyteAssertion, match="no project given"):
        fetch_task(context(FakeClient(), project=None), name="t", version="v")
