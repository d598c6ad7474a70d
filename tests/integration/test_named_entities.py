"""Named entities: flytekit's update_named_entity, read back with GetNamedEntity and ListNamedEntities."""

from __future__ import annotations

from typing import Any

import pytest
from flyteidl.admin import common_pb2
from flyteidl.core import identifier_pb2
from flytekit.exceptions.user import FlyteEntityNotExistException, FlyteInvalidInputException
from flytekit.models.core.identifier import ResourceType
from flytekit.models.named_entity import NamedEntityIdentifier, NamedEntityMetadata, NamedEntityState
from tests.integration.support import DOMAIN, details, settings, use_apps

use_apps()
from pipelines import workflows  # noqa: E402

ARITHMETIC = "pipelines.workflows.arithmetic"
SIGN = "pipelines.workflows.sign"
ADD = "pipelines.tasks.add"
ACTIVE = NamedEntityState.ACTIVE
ARCHIVED = NamedEntityState.ARCHIVED


@pytest.fixture(scope="module")
def entities(remote: Any, project: str) -> str:
    for entity in (workflows.arithmetic, workflows.sign):
        remote.register_workflow(entity, settings(project, "v1"), version="v1")
    remote.register_workflow(workflows.arithmetic, settings(project, "v2"), version="v2")
    return project


def get(remote: Any, resource_type: int, project: str, name: str) -> common_pb2.NamedEntity:
    ident = common_pb2.NamedEntityIdentifier(project=project, domain=DOMAIN, name=name)
    return remote.client._stub.GetNamedEntity(  # type: ignore[no-any-return]
        common_pb2.NamedEntityGetRequest(resource_type=resource_type, id=ident)  # type: ignore[arg-type]
    )


def list_all(remote: Any, resource_type: int, project: str, limit: int = 100, **fields: Any) -> list[Any]:
    entities: list[Any] = []
    token = ""
    while True:
        page = remote.client._stub.ListNamedEntities(
            common_pb2.NamedEntityListRequest(
                resource_type=resource_type,  # type: ignore[arg-type]
                project=project,
                domain=DOMAIN,
                limit=limit,
                token=token,
                **fields,
            )
        )
        entities.extend(page.entities)
        token = page.token
        if not token:
            return entities


def update(remote: Any, resource_type: int, project: str, name: str, description: str, state: int) -> None:
    remote.client.update_named_entity(
        resource_type, NamedEntityIdentifier(project, DOMAIN, name), NamedEntityMetadata(description, state)
    )


def test_a_registered_name_is_a_named_entity_without_metadata(remote: Any, entities: str) -> None:
    got = get(remote, ResourceType.WORKFLOW, entities, SIGN)
    assert (got.id.project, got.id.domain, got.id.name) == (entities, DOMAIN, SIGN)
    assert got.resource_type == identifier_pb2.WORKFLOW
    assert (got.metadata.description, got.metadata.state) == ("", ACTIVE)


def test_archive_and_describe_a_workflow_and_read_it_back(remote: Any, entities: str) -> None:
    update(remote, ResourceType.WORKFLOW, entities, ARITHMETIC, "adds twice", ARCHIVED)

    got = get(remote, ResourceType.WORKFLOW, entities, ARITHMETIC)
    assert (got.metadata.description, got.metadata.state) == ("adds twice", ARCHIVED)
    listed = {e.id.name: e for e in list_all(remote, ResourceType.WORKFLOW, entities)}
    assert listed[ARITHMETIC].metadata.description == "adds twice"
    assert listed[ARITHMETIC].metadata.state == ARCHIVED

    # the launch plan and task of the same name are separate named entities
    assert get(remote, ResourceType.LAUNCH_PLAN, entities, ARITHMETIC).metadata.state == ACTIVE

    update(remote, ResourceType.WORKFLOW, entities, ARITHMETIC, "adds twice, again", ACTIVE)
    got = get(remote, ResourceType.WORKFLOW, entities, ARITHMETIC)
    assert (got.metadata.description, got.metadata.state) == ("adds twice, again", ACTIVE)


def test_list_named_entities_filters_on_state(remote: Any, entities: str) -> None:
    update(remote, ResourceType.LAUNCH_PLAN, entities, SIGN, "", ARCHIVED)
    active = list_all(remote, ResourceType.LAUNCH_PLAN, entities, filters=f"eq(state,{ACTIVE})")
    archived = list_all(remote, ResourceType.LAUNCH_PLAN, entities, filters=f"eq(state,{ARCHIVED})")
    assert SIGN not in [e.id.name for e in active] and ARITHMETIC in [e.id.name for e in active]
    assert [e.id.name for e in archived] == [SIGN]


def test_list_named_entities_pages_through_distinct_names(remote: Any, entities: str) -> None:
    names = [e.id.name for e in list_all(remote, ResourceType.WORKFLOW, entities, limit=1)]
    assert names == [ARITHMETIC, SIGN], "two versions of arithmetic are one named entity"
    tasks = [e.id.name for e in list_all(remote, ResourceType.TASK, entities, limit=2)]
    assert tasks == sorted(tasks) and ADD in tasks and len(tasks) == len(set(tasks))


def test_list_named_entities_sorts_by_name_descending(remote: Any, entities: str) -> None:
    order = common_pb2.Sort(key="name", direction=common_pb2.Sort.DESCENDING)
    names = [e.id.name for e in list_all(remote, ResourceType.WORKFLOW, entities, sort_by=order)]
    assert names == [SIGN, ARITHMETIC]


def test_describing_a_task_name(remote: Any, entities: str) -> None:
    update(remote, ResourceType.TASK, entities, ADD, "adds two integers", ACTIVE)
    assert get(remote, ResourceType.TASK, entities, ADD).metadata.description == "adds two integers"


def test_updating_an_unregistered_name_is_not_found(remote: Any, entities: str) -> None:
    with pytest.raises(FlyteEntityNotExistException) as caught:
        update(remote, ResourceType.WORKFLOW, entities, "never.registered", "x", ACTIVE)
    assert details(caught.value) == "entry not found"
    with pytest.raises(FlyteEntityNotExistException):
        get(remote, ResourceType.WORKFLOW, entities, "never.registered")
    assert "never.registered" not in [e.id.name for e in list_all(remote, ResourceType.WORKFLOW, entities)]


def test_an_unspecified_resource_type_is_invalid(remote: Any, entities: str) -> None:
    with pytest.raises(FlyteInvalidInputException) as caught:
        update(remote, ResourceType.UNSPECIFIED, entities, ARITHMETIC, "x", ACTIVE)
    assert details(caught.value) == "invalid value for resource_type"
