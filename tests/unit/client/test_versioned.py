"""VersionedEntity: one row per kind of versioned entity gives its create, get, list and iterate operations."""

from __future__ import annotations

import pytest
from flyteidl.admin import common_pb2, launch_plan_pb2, task_pb2, workflow_pb2
from flyteidl.core import identifier_pb2

from flyteplane.client.operations.versioned import LAUNCH_PLAN, TASK, WORKFLOW, VersionedEntity
from flyteplane.client.rpcs import ADMIN

ROWS = [TASK, WORKFLOW, LAUNCH_PLAN]


@pytest.mark.parametrize("row", ROWS, ids=repr)
def test_a_row_finds_its_kinds_rpcs_and_spec_message_by_name(row: VersionedEntity) -> None:
    assert [row.create_rpc.name, row.get_rpc.name, row.list_ids_rpc.name, row.list_rpc.name] == [
        f"Create{row.kind}",
        f"Get{row.kind}",
        f"List{row.kind}Ids",
        f"List{row.kind}s",
    ]


def test_spec_messages_and_list_fields_are_the_kinds_own() -> None:
    assert [row.spec_type for row in ROWS] == [
        task_pb2.TaskSpec,
        workflow_pb2.WorkflowSpec,
        launch_plan_pb2.LaunchPlanSpec,
    ]
    assert [row.list_field for row in ROWS] == ["tasks", "workflows", "launch_plans"]


def test_an_unknown_kind_fails_when_the_row_is_built() -> None:
    with pytest.raises(KeyError):
        VersionedEntity("Pipeline", identifier_pb2.UNSPECIFIED, ("id", "spec"))


@pytest.mark.parametrize(
    ("row", "identifier_name", "spec_name"),
    [
        (TASK, "task_identifer", "task_spec"),
        (WORKFLOW, "workflow_identifier", "workflow_spec"),
        (LAUNCH_PLAN, "launch_plan_identifer", "launch_plan_spec"),
    ],
)
def test_create_names_flytekits_parameter_for_a_wrong_argument(
    row: VersionedEntity, identifier_name: str, spec_name: str
) -> None:
    with pytest.raises(TypeError, match=f"^{identifier_name} must be"):
        row.create("not an identifier", row.spec_type())
    with pytest.raises(TypeError, match=f"^{spec_name} must be"):
        row.create(identifier_pb2.Identifier(), "not a spec")


def test_listed_versions_get_the_resource_type_flyteadmin_leaves_unset() -> None:
    call = WORKFLOW.list_paginated(common_pb2.NamedEntityIdentifier(project="p", domain="d"), limit=5)
    response = workflow_pb2.WorkflowList(workflows=[workflow_pb2.Workflow(id=identifier_pb2.Identifier(name="w"))])

    items, token = call.result(response)

    assert call.rpc == ADMIN["ListWorkflows"]
    assert call.request.limit == 5
    assert [item.id.resource_type for item in items] == [identifier_pb2.WORKFLOW]
    assert token == ""


def test_get_is_cached_and_iter_walks_from_the_first_page() -> None:
    assert TASK.get(identifier_pb2.Identifier(name="t")).cached
    first = TASK.iter_ids("p", "d", page_size=7).page("")
    assert (first.rpc, first.request.limit, first.request.token) == (ADMIN["ListTaskIds"], 7, "")
