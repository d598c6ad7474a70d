"""Named entities: implicit existence, metadata, and the distinct-name listing (flyteadmin §2.5)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flyteidl.admin import common_pb2
from flyteidl.core import identifier_pb2
from sqlalchemy import event
from sqlalchemy.orm import Session

from flyteplane.config import Settings
from flyteplane.errors import InvalidArgument, NotFound
from flyteplane.services.registry.named_entities import NamedEntityService
from flyteplane.store.db import Database
from flyteplane.store.models import LaunchPlan, NamedEntityMetadata, Task, Workflow

TASK, WORKFLOW, LAUNCH_PLAN = identifier_pb2.TASK, identifier_pb2.WORKFLOW, identifier_pb2.LAUNCH_PLAN
ACTIVE, ARCHIVED, SYSTEM_GENERATED = (
    common_pb2.NAMED_ENTITY_ACTIVE,
    common_pb2.NAMED_ENTITY_ARCHIVED,
    common_pb2.SYSTEM_GENERATED,
)
ASC, DESC = common_pb2.Sort.ASCENDING, common_pb2.Sort.DESCENDING
P, D = "flytesnacks", "development"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest) -> Database:
    database: Database = request.getfixturevalue("db" if request.param == "sqlite" else "postgres_db")
    return database


@pytest.fixture
def service(store: Database, settings: Settings) -> NamedEntityService:
    return NamedEntityService(store, settings)


def add_task(session: Session, name: str, version: str = "v1", project: str = P, domain: str = D) -> None:
    session.add(Task(project=project, domain=domain, name=name, version=version, closure=b"", digest="x"))


def add_workflow(session: Session, name: str, version: str = "v1", domain: str = D) -> Workflow:
    workflow = Workflow(
        project=P, domain=domain, name=name, version=version, typed_interface=b"", closure=b"", digest="x"
    )
    session.add(workflow)
    session.flush()
    return workflow


def add_launch_plan(session: Session, name: str, workflow: Workflow, version: str = "v1") -> None:
    session.add(
        LaunchPlan(
            project=P,
            domain=D,
            name=name,
            version=version,
            workflow_id=workflow.id,
            spec=b"",
            closure=b"",
            digest="x",
        )
    )


def add_metadata(session: Session, name: str, state: int, description: str = "", kind: int = TASK) -> None:
    session.add(
        NamedEntityMetadata(resource_type=kind, project=P, domain=D, name=name, description=description, state=state)
    )


def ident(name: str, project: str = P, domain: str = D) -> common_pb2.NamedEntityIdentifier:
    return common_pb2.NamedEntityIdentifier(project=project, domain=domain, name=name)


def get(service: NamedEntityService, name: str, kind: int = TASK) -> common_pb2.NamedEntity:
    return service.get_named_entity(common_pb2.NamedEntityGetRequest(resource_type=kind, id=ident(name)))


def update(service: NamedEntityService, name: str, state: int, description: str = "", kind: int = TASK) -> None:
    service.update_named_entity(
        common_pb2.NamedEntityUpdateRequest(
            resource_type=kind,
            id=ident(name),
            metadata=common_pb2.NamedEntityMetadata(description=description, state=state),
        )
    )


def list_page(service: NamedEntityService, **fields: Any) -> common_pb2.NamedEntityList:
    fields.setdefault("resource_type", TASK)
    fields.setdefault("limit", 100)
    return service.list_named_entities(common_pb2.NamedEntityListRequest(project=P, domain=D, **fields))


def names(service: NamedEntityService, **fields: Any) -> list[str]:
    return [entity.id.name for entity in list_page(service, **fields).entities]


def walk(service: NamedEntityService, **fields: Any) -> Iterator[list[common_pb2.NamedEntity]]:
    token = ""
    while True:
        page = list_page(service, token=token, **fields)
        yield list(page.entities)
        if not page.token:
            return
        token = page.token


# -- existence and metadata ------------------------------------------------------------------------------


def test_a_named_entity_exists_while_some_version_exists(service: NamedEntityService, store: Database) -> None:
    with store.transaction() as session:
        add_task(session, "t", "v1")
        add_task(session, "t", "v2")
    assert get(service, "t") == common_pb2.NamedEntity(
        resource_type=TASK,
        id=ident("t"),
        metadata=common_pb2.NamedEntityMetadata(description="", state=ACTIVE),
    )


def test_a_name_without_versions_is_not_found(service: NamedEntityService, store: Database) -> None:
    with store.transaction() as session:
        add_task(session, "t")
        add_metadata(session, "orphan", ARCHIVED)  # metadata alone does not make an entity exist
        add_task(session, "t", domain="staging")
    for name, kind in [("missing", TASK), ("t", WORKFLOW), ("orphan", TASK)]:
        with pytest.raises(NotFound, match=r"^entry not found$"):
            get(service, name, kind)


def test_every_kind_is_backed_by_its_own_table(service: NamedEntityService, store: Database) -> None:
    with store.transaction() as session:
        add_launch_plan(session, "lp", add_workflow(session, "wf"))
        add_task(session, "t")
    assert get(service, "wf", WORKFLOW).resource_type == WORKFLOW
    assert get(service, "lp", LAUNCH_PLAN).id.name == "lp"
    assert get(service, "t", TASK).id.name == "t"


def test_update_writes_description_and_state_and_get_reads_them(service: NamedEntityService, store: Database) -> None:
    """Both fields are written on every update, so an update without description clears it (flyteadmin)."""
    with store.transaction() as session:
        add_task(session, "t")
        add_workflow(session, "t")
    update(service, "t", ARCHIVED, "old tasks")
    assert get(service, "t").metadata == common_pb2.NamedEntityMetadata(description="old tasks", state=ARCHIVED)
    assert get(service, "t", WORKFLOW).metadata.state == ACTIVE  # same name, other kind: untouched
    update(service, "t", ACTIVE)
    assert get(service, "t").metadata == common_pb2.NamedEntityMetadata(description="", state=ACTIVE)


def test_concurrent_first_updates_of_one_name_never_fail(service: NamedEntityService, store: Database) -> None:
    with store.transaction() as session:
        add_task(session, "t")
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def write(index: int) -> None:
        start.wait()
        try:
            update(service, "t", ARCHIVED, f"writer {index}")
        except BaseException as exc:  # surfaced below with the test's assertion
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(index,)) for index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert get(service, "t").metadata.description.startswith("writer ")


def test_launch_plans_can_be_archived_too(service: NamedEntityService, store: Database) -> None:
    with store.transaction() as session:
        add_launch_plan(session, "lp", add_workflow(session, "wf"))
    update(service, "lp", SYSTEM_GENERATED, kind=LAUNCH_PLAN)
    assert get(service, "lp", LAUNCH_PLAN).metadata.state == SYSTEM_GENERATED


def test_updating_a_name_without_versions_is_not_found(service: NamedEntityService, store: Database) -> None:
    with pytest.raises(NotFound, match=r"^entry not found$"):
        update(service, "missing", ARCHIVED)
    with store.read() as session:
        assert session.get(NamedEntityMetadata, (TASK, P, D, "missing")) is None


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (common_pb2.NamedEntityGetRequest(id=ident("t")), "invalid value for resource_type"),
        (
            common_pb2.NamedEntityGetRequest(resource_type=42, id=ident("t")),
            "invalid value for resource_type",
        ),
        (common_pb2.NamedEntityGetRequest(resource_type=TASK), "missing id"),
        (common_pb2.NamedEntityGetRequest(resource_type=TASK, id=ident("t", project="")), "missing project"),
        (common_pb2.NamedEntityGetRequest(resource_type=TASK, id=ident("t", domain="")), "missing domain"),
        (common_pb2.NamedEntityGetRequest(resource_type=TASK, id=ident("")), "missing name"),
        (
            common_pb2.NamedEntityGetRequest(resource_type=identifier_pb2.DATASET, id=ident("t")),
            "Cannot get NamedEntityMetadata for resource type: DATASET",
        ),
    ],
)
def test_get_rejects_bad_requests_with_flyteadmins_messages(
    service: NamedEntityService, request_: common_pb2.NamedEntityGetRequest, message: str
) -> None:
    """An unknown resource-type number is rejected like UNSPECIFIED (flyteadmin prints Go's name check, which
    lets numbers through to a less helpful error)."""
    with pytest.raises(InvalidArgument) as caught:
        service.get_named_entity(request_)
    assert caught.value.message == message


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"id": ident("t")}, "invalid value for resource_type"),
        ({"resource_type": TASK}, "missing id"),
        ({"resource_type": TASK, "id": ident("")}, "missing name"),
        ({"resource_type": TASK, "id": ident("t")}, "missing metadata"),
        (
            {"resource_type": TASK, "id": ident("t"), "metadata": common_pb2.NamedEntityMetadata(state=9)},
            "invalid value for state",
        ),
        (
            {
                "resource_type": identifier_pb2.DATASET,
                "id": ident("t"),
                "metadata": common_pb2.NamedEntityMetadata(state=ARCHIVED),
            },
            "Resource [DATASET] cannot have its state updated",
        ),
        (
            {
                "resource_type": identifier_pb2.DATASET,
                "id": ident("t"),
                "metadata": common_pb2.NamedEntityMetadata(),
            },
            "Cannot get NamedEntityMetadata for resource type: DATASET",
        ),
    ],
)
def test_update_rejects_bad_requests_with_flyteadmins_messages(
    service: NamedEntityService, store: Database, fields: dict[str, Any], message: str
) -> None:
    with store.transaction() as session:
        add_task(session, "t")
    with pytest.raises(InvalidArgument) as caught:
        service.update_named_entity(common_pb2.NamedEntityUpdateRequest(**fields))
    assert caught.value.message == message


# -- listing ---------------------------------------------------------------------------------------------


def test_list_returns_each_name_once_with_its_metadata(service: NamedEntityService, store: Database) -> None:
    with store.transaction() as session:
        for version in ("v1", "v2", "v3"):
            add_task(session, "b", version)
        add_task(session, "a")
        add_task(session, "c", project="other")
        add_task(session, "d", domain="staging")
        add_metadata(session, "b", ARCHIVED, "bee")
        add_metadata(session, "a", ARCHIVED, kind=WORKFLOW)  # another kind's metadata does not apply
    page = list_page(service)
    assert [(e.id.name, e.metadata.description, e.metadata.state) for e in page.entities] == [
        ("a", "", ACTIVE),
        ("b", "bee", ARCHIVED),
    ]
    assert all(e.resource_type == TASK and (e.id.project, e.id.domain) == (P, D) for e in page.entities)
    assert page.token == ""


def test_list_of_workflows_and_launch_plans(service: NamedEntityService, store: Database) -> None:
    with store.transaction() as session:
        first = add_workflow(session, "wf")
        add_workflow(session, "wf", "v2")
        add_launch_plan(session, "lp", first)
        add_launch_plan(session, "lp", first, "v2")
    assert names(service, resource_type=WORKFLOW) == ["wf"]
    assert names(service, resource_type=LAUNCH_PLAN) == ["lp"]


def test_list_pages_through_many_names_without_duplicates_or_gaps(service: NamedEntityService, store: Database) -> None:
    expected = sorted(f"task-{index:03}" for index in range(250))
    with store.transaction() as session:
        for name in expected:
            add_task(session, name, "v1")
            add_task(session, name, "v2")
    pages = list(walk(service, limit=100))
    assert [len(page) for page in pages] == [100, 100, 50]
    assert [entity.id.name for page in pages for entity in page] == expected


def test_list_pages_in_a_sort_order_with_ties_without_duplicates_or_gaps(
    service: NamedEntityService, store: Database
) -> None:
    with store.transaction() as session:
        for index in range(130):
            add_task(session, f"t{index:03}")
            if index % 3 == 0:
                add_metadata(session, f"t{index:03}", ARCHIVED)
    pages = list(walk(service, limit=40, sort_by=common_pb2.Sort(key="state", direction=DESC)))
    seen = [(entity.metadata.state, entity.id.name) for page in pages for entity in page]
    assert len(seen) == 130 == len(set(seen))
    assert seen == sorted(seen, reverse=True)  # ties are broken by name, in the same direction


def test_filters_and_the_page_limit_apply_together(service: NamedEntityService, store: Database) -> None:
    """flyteadmin limits the distinct names first and filters afterwards, so a page can come back short (and
    end the listing early) although more matches exist. We filter first: every page is full until the end."""
    with store.transaction() as session:
        for index in range(60):
            add_task(session, f"t{index:02}")
            if index % 2:
                add_metadata(session, f"t{index:02}", ARCHIVED)
    pages = list(walk(service, limit=10, filters="eq(state,1)"))
    assert [len(page) for page in pages] == [10, 10, 10]
    assert all(entity.metadata.state == ARCHIVED for page in pages for entity in page)


def test_system_generated_names_are_hidden_unless_filters_are_given(
    service: NamedEntityService, store: Database
) -> None:
    with store.transaction() as session:
        add_workflow(session, ".flytegen.my_task")
        add_workflow(session, "wf")
    assert names(service, resource_type=WORKFLOW) == ["wf"]
    assert names(service, resource_type=WORKFLOW, filters="eq(state,0)") == [".flytegen.my_task", "wf"]


def test_state_filters_count_names_without_metadata_as_active(service: NamedEntityService, store: Database) -> None:
    with store.transaction() as session:
        for name in ("plain", "active", "archived"):
            add_task(session, name)
        add_metadata(session, "active", ACTIVE, "kept")
        add_metadata(session, "archived", ARCHIVED)
    assert names(service, filters="eq(state,0)") == ["active", "plain"]
    assert names(service, filters="eq(state,1)") == ["archived"]
    assert names(service, filters="ne(state,1)") == ["active", "plain"]
    assert names(service, filters="value_in(named_entity_metadata.state,0;2)") == ["active", "plain"]
    assert names(service, filters="eq(entities.state,1)") == ["archived"]


def test_name_and_description_filters(service: NamedEntityService, store: Database) -> None:
    with store.transaction() as session:
        for name in ("train_model", "train_data", "predict", "100%_done"):
            add_task(session, name)
        add_metadata(session, "predict", ACTIVE, "serves the model")
    assert names(service, filters="contains(name,train)") == ["train_data", "train_model"]
    assert names(service, filters="contains(name,%)") == ["100%_done"]  # LIKE wildcards are matched literally
    assert names(service, filters="contains(name,train)+contains(name,model)") == ["train_model"]
    assert names(service, filters="contains(description,model)") == ["predict"]
    assert names(service, filters="eq(name,predict)") == ["predict"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"filters": "eq(version,v1)"}, "'nen.version' is invalid filter"),
        ({"filters": "eq(task.name,x)"}, "'t' entity is not allowed in filters"),
        ({"filters": "nonsense"}, "invalid value for filters"),
        (
            {"filters": "eq(state,archived)"},
            "invalid value 'archived' for filter field 'nen.state': expected an integer",
        ),
        ({"sort_by": common_pb2.Sort(key="version")}, "invalid sort key 'version'"),
        ({"token": "bogus"}, "invalid pagination token bogus for ListNamedEntities"),
        ({"token": "-1"}, "invalid pagination token -1 for ListNamedEntities"),
    ],
)
def test_bad_filters_sorts_and_tokens_are_rejected(
    service: NamedEntityService, fields: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidArgument) as caught:
        list_page(service, **fields)
    assert caught.value.message == message


def test_sorting_by_each_named_entity_column(service: NamedEntityService, store: Database) -> None:
    """Without a sort the names come in ascending order (flyteadmin: storage order, i.e. unspecified)."""
    with store.transaction() as session:
        for name in ("b", "c", "a"):
            add_task(session, name)
        add_metadata(session, "c", ARCHIVED, "alpha")
        add_metadata(session, "a", ACTIVE, "zulu")
    assert names(service) == ["a", "b", "c"]
    assert names(service, sort_by=common_pb2.Sort(key="name")) == ["c", "b", "a"]  # DESCENDING is the default
    assert names(service, sort_by=common_pb2.Sort(key="name", direction=ASC)) == ["a", "b", "c"]
    assert names(service, sort_by=common_pb2.Sort(key="state", direction=DESC)) == ["c", "b", "a"]
    assert names(service, sort_by=common_pb2.Sort(key="description", direction=ASC)) == ["b", "c", "a"]
    for constant in ("resource_type", "project", "domain"):
        assert names(service, sort_by=common_pb2.Sort(key=constant, direction=ASC)) == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"domain": D, "resource_type": TASK, "limit": 1}, "missing project"),
        ({"project": P, "resource_type": TASK, "limit": 1}, "missing domain"),
        ({"project": P, "domain": D, "limit": 1}, "invalid value for resource_type"),
        ({"project": P, "domain": D, "resource_type": TASK}, "invalid value for limit"),
        (
            {"project": P, "domain": D, "resource_type": identifier_pb2.DATASET, "limit": 1},
            "Cannot list entity names for resource type: DATASET",
        ),
    ],
)
def test_list_checks_project_domain_resource_type_and_limit_in_order(
    service: NamedEntityService, fields: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidArgument) as caught:
        service.list_named_entities(common_pb2.NamedEntityListRequest(**fields))
    assert caught.value.message == message


def test_each_page_is_one_query(service: NamedEntityService, store: Database) -> None:
    """Names, metadata and the next-page probe come from a single statement, whatever the page size."""
    with store.transaction() as session:
        for index in range(150):
            add_task(session, f"t{index:03}", "v1")
            add_task(session, f"t{index:03}", "v2")
            add_metadata(session, f"t{index:03}", ACTIVE, f"d{index}")
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        page = list_page(service, limit=100)
        list_page(service, limit=100, token=page.token, filters="eq(state,0)")
    finally:
        event.remove(store.engine, "before_cursor_execute", record)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 2
