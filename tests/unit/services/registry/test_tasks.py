"""CreateTask / GetTask / ListTasks / ListTaskIds follow flyteadmin §2.2 and §4."""

from __future__ import annotations

import pytest
from flyteidl.admin import common_pb2, task_pb2
from flyteidl.core import identifier_pb2, tasks_pb2
from tests.unit.services.flytekit_specs import add, serialize, shout
from tests.unit.services.registry_fixtures import Registry

from flyteplane.config import Settings
from flyteplane.errors import AlreadyExists, InvalidArgument, NotFound
from flyteplane.store.db import Database


@pytest.fixture
def registry(db: Database, settings: Settings) -> Registry:
    return Registry.build(db, settings)


def create_request(spec: task_pb2.TaskSpec, version: str = "v1") -> task_pb2.TaskCreateRequest:
    identifier = identifier_pb2.Identifier()
    identifier.CopyFrom(spec.template.id)
    identifier.version = version
    return task_pb2.TaskCreateRequest(id=identifier, spec=spec)


def add_spec() -> task_pb2.TaskSpec:
    return serialize(add)["tasks"][0]


def test_created_task_is_returned_with_its_closure_and_creation_time(registry: Registry) -> None:
    request = create_request(add_spec())
    registry.tasks.create_task(request)
    task = registry.tasks.get_task(common_pb2.ObjectGetRequest(id=request.id))
    assert task.id == request.id
    assert task.closure.compiled_task.template.id == request.id
    assert task.closure.compiled_task.template.interface == request.spec.template.interface
    assert task.closure.created_at.seconds > 0


def test_identical_reregistration_is_already_exists(registry: Registry) -> None:
    request = create_request(add_spec())
    registry.tasks.create_task(request)
    with pytest.raises(AlreadyExists, match="task with identical structure already exists"):
        registry.tasks.create_task(request)


def test_different_spec_under_the_same_id_names_what_differs(registry: Registry) -> None:
    request = create_request(add_spec())
    registry.tasks.create_task(request)
    changed = create_request(add_spec())
    changed.spec.template.container.image = "other/image:2"
    with pytest.raises(InvalidArgument, match="task with different structure already exists") as caught:
        registry.tasks.create_task(changed)
    assert "other/image:2" in caught.value.message
    stored = registry.tasks.get_task(common_pb2.ObjectGetRequest(id=request.id))
    assert stored.closure.compiled_task.template.container.image == request.spec.template.container.image


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda r: r.ClearField("id"), "missing id"),
        (lambda r: setattr(r.id, "resource_type", identifier_pb2.WORKFLOW), "unexpected resource type workflow"),
        (lambda r: setattr(r.id, "project", ""), "missing project"),
        (lambda r: setattr(r.id, "domain", ""), "missing domain"),
        (lambda r: setattr(r.id, "name", ""), "missing name"),
        (lambda r: setattr(r.id, "version", ""), "missing version"),
        (lambda r: setattr(r.id, "project", "nope"), r"project \[nope\] and domain \[development\] are registered"),
        (lambda r: setattr(r.id, "domain", "qa"), r"domain \[qa\] is unrecognized by system"),
        (lambda r: r.ClearField("spec"), "missing spec"),
        (lambda r: setattr(r.spec.template, "type", ""), "missing type"),
        (lambda r: r.spec.template.ClearField("metadata"), "missing metadata"),
        (lambda r: r.spec.template.ClearField("interface"), "missing typed interface"),
        (lambda r: setattr(r.spec.template.container, "image", ""), "missing image"),
    ],
)
def test_invalid_requests_are_rejected_and_nothing_is_stored(registry: Registry, mutate: object, message: str) -> None:
    request = create_request(add_spec())
    mutate(request)  # type: ignore[operator]
    with pytest.raises(InvalidArgument, match=message):
        registry.tasks.create_task(request)
    listed = registry.tasks.list_tasks(
        common_pb2.ResourceListRequest(
            id=common_pb2.NamedEntityIdentifier(project="flytesnacks", domain="development"), limit=10
        )
    )
    assert list(listed.tasks) == []


def test_requests_above_limits_are_rejected(registry: Registry) -> None:
    request = create_request(add_spec())
    resources = request.spec.template.container.resources
    resources.requests.add(name=tasks_pb2.Resources.CPU, value="2")
    resources.limits.add(name=tasks_pb2.Resources.CPU, value="500m")
    with pytest.raises(InvalidArgument, match=r"Requested cpu default \[2\] is greater than the limit \[500m\]"):
        registry.tasks.create_task(request)


def test_unknown_task_is_not_found(registry: Registry) -> None:
    identifier = identifier_pb2.Identifier(
        resource_type=identifier_pb2.TASK, project="flytesnacks", domain="development", name="ghost", version="1"
    )
    with pytest.raises(NotFound, match="missing entity of type TASK"):
        registry.tasks.get_task(common_pb2.ObjectGetRequest(id=identifier))


def test_latest_version_is_the_first_of_a_descending_created_at_listing(registry: Registry) -> None:
    for version in ("a", "b", "c"):
        registry.tasks.create_task(create_request(add_spec(), version))
    spec_id = add_spec().template.id
    latest = registry.tasks.list_tasks(
        common_pb2.ResourceListRequest(
            id=common_pb2.NamedEntityIdentifier(project=spec_id.project, domain=spec_id.domain, name=spec_id.name),
            limit=1,
            sort_by=common_pb2.Sort(key="created_at", direction=common_pb2.Sort.DESCENDING),
        )
    )
    assert [task.id.version for task in latest.tasks] == ["c"]


def test_task_ids_are_distinct_names(registry: Registry) -> None:
    for version in ("a", "b"):
        registry.tasks.create_task(create_request(add_spec(), version))
        registry.tasks.create_task(create_request(serialize(shout)["tasks"][0], version))
    ids = registry.tasks.list_task_ids(
        common_pb2.NamedEntityIdentifierListRequest(project="flytesnacks", domain="development", limit=10)
    )
    assert sorted(entity.name for entity in ids.entities) == sorted(
        [add_spec().template.id.name, serialize(shout)["tasks"][0].template.id.name]
    )
    assert ids.token == ""
