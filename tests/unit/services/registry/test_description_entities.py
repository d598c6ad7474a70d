"""Description entities: written at registration in the caller's transaction, read by Get and List."""

from __future__ import annotations

from typing import Any

import pytest
from flyteidl.admin import common_pb2, description_entity_pb2
from flyteidl.core import identifier_pb2
from sqlalchemy import func, select

from flyteplane.config import Settings
from flyteplane.errors import InvalidArgument, NotFound
from flyteplane.services.registry.description_entities import DescriptionEntityService
from flyteplane.store.db import Database
from flyteplane.store.models import DescriptionEntity

TASK, WORKFLOW, LAUNCH_PLAN = identifier_pb2.TASK, identifier_pb2.WORKFLOW, identifier_pb2.LAUNCH_PLAN
ASC = common_pb2.Sort.ASCENDING
P, D = "flytesnacks", "development"
Description = description_entity_pb2.DescriptionEntity


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest) -> Database:
    database: Database = request.getfixturevalue("db" if request.param == "sqlite" else "postgres_db")
    return database


@pytest.fixture
def service(store: Database, settings: Settings) -> DescriptionEntityService:
    return DescriptionEntityService(store, settings)


def identifier(name: str = "t", version: str = "v1", kind: int = TASK, **parts: str) -> identifier_pb2.Identifier:
    fields = {"resource_type": kind, "project": P, "domain": D, "name": name, "version": version, **parts}
    return identifier_pb2.Identifier(**fields)


def full_description(text: str = "long text") -> Any:
    return Description(
        short_description="short",
        long_description=description_entity_pb2.Description(
            value=text, format=description_entity_pb2.DESCRIPTION_FORMAT_MARKDOWN, icon_link="https://icon"
        ),
        source_code=description_entity_pb2.SourceCode(link="https://github.com/org/repo/blob/main/wf.py"),
    )


def record(store: Database, ident: identifier_pb2.Identifier, description: Any) -> None:
    with store.transaction() as session:
        DescriptionEntityService.create_in_session(session, ident, description)


def get(service: DescriptionEntityService, ident: identifier_pb2.Identifier) -> Any:
    return service.get_description_entity(common_pb2.ObjectGetRequest(id=ident))


def list_page(service: DescriptionEntityService, name: str = "t", **fields: Any) -> Any:
    fields.setdefault("resource_type", TASK)
    fields.setdefault("limit", 100)
    request = description_entity_pb2.DescriptionEntityListRequest(
        id=common_pb2.NamedEntityIdentifier(project=P, domain=D, name=name), **fields
    )
    return service.list_description_entities(request)


def versions(service: DescriptionEntityService, name: str = "t", **fields: Any) -> list[tuple[int, str]]:
    return [(e.id.resource_type, e.id.version) for e in list_page(service, name, **fields).descriptionEntities]


def count(store: Database) -> int:
    with store.read() as session:
        return int(session.scalar(select(func.count()).select_from(DescriptionEntity)) or 0)


# -- writing and reading ---------------------------------------------------------------------------------


def test_a_recorded_description_reads_back_whole(service: DescriptionEntityService, store: Database) -> None:
    """`tags` are not kept: flyteadmin has no column for them either."""
    description = full_description()
    description.tags.append("ignored")
    record(store, identifier(), description)
    found = get(service, identifier())
    expected = full_description()
    expected.id.CopyFrom(identifier())
    assert found == expected


def test_empty_parts_are_still_present_in_the_response(service: DescriptionEntityService, store: Database) -> None:
    record(store, identifier(kind=WORKFLOW), Description(short_description="only short"))
    found = get(service, identifier(kind=WORKFLOW))
    assert found.short_description == "only short"
    assert found.HasField("long_description") and found.long_description == description_entity_pb2.Description()
    assert found.HasField("source_code") and found.source_code.link == ""


def test_recording_an_identical_description_again_is_a_no_op(
    service: DescriptionEntityService, store: Database
) -> None:
    record(store, identifier(), full_description())
    with store.read() as session:
        before = session.scalar(select(DescriptionEntity.updated_at))
    record(store, identifier(), full_description())
    with store.read() as session:
        assert session.scalar(select(DescriptionEntity.updated_at)) == before
    assert count(store) == 1


def test_recording_a_different_description_replaces_the_stale_row(
    service: DescriptionEntityService, store: Database
) -> None:
    """The caller records a description only for a version it is creating in the same transaction, so a row
    already under that identity belongs to nothing live (a version that failed or was removed) and must not
    block the registration; the new description wins."""
    record(store, identifier(), full_description("first"))
    record(store, identifier(), Description(short_description="second"))
    found = get(service, identifier())
    assert (found.short_description, found.long_description.value, found.source_code.link) == (
        "second",
        "",
        "",
    )
    assert count(store) == 1


def test_a_description_is_part_of_the_callers_transaction(service: DescriptionEntityService, store: Database) -> None:
    with pytest.raises(RuntimeError), store.transaction() as session:
        DescriptionEntityService.create_in_session(session, identifier(), full_description())
        raise RuntimeError("the version's own insert failed")
    assert count(store) == 0


@pytest.mark.parametrize("kind", [identifier_pb2.UNSPECIFIED, identifier_pb2.DATASET, 42])
def test_only_tasks_workflows_and_launch_plans_have_descriptions(store: Database, kind: int) -> None:
    with pytest.raises(InvalidArgument, match=r"^invalid value for resource_type$"):
        record(store, identifier(kind=kind), full_description())


def test_descriptions_of_different_kinds_and_versions_are_separate(
    service: DescriptionEntityService, store: Database
) -> None:
    record(store, identifier(kind=TASK), Description(short_description="task"))
    record(store, identifier(kind=WORKFLOW), Description(short_description="workflow"))
    record(store, identifier(kind=WORKFLOW, version="v2"), Description(short_description="workflow v2"))
    assert get(service, identifier(kind=TASK)).short_description == "task"
    assert get(service, identifier(kind=WORKFLOW)).short_description == "workflow"
    assert get(service, identifier(kind=WORKFLOW, version="v2")).short_description == "workflow v2"
    for kind in (LAUNCH_PLAN, identifier_pb2.DATASET):
        with pytest.raises(NotFound, match=r"^entry not found$"):
            get(service, identifier(kind=kind))


@pytest.mark.parametrize(
    ("ident", "message"),
    [
        (None, "invalid value for resource_type"),  # flyteadmin checks the type before the id's presence
        (identifier(kind=identifier_pb2.UNSPECIFIED), "invalid value for resource_type"),
        (identifier(kind=99), "invalid value for resource_type"),
        (identifier(project=""), "missing project"),
        (identifier(domain=""), "missing domain"),
        (identifier(name=""), "missing name"),
        (identifier(version=""), "missing version"),
    ],
)
def test_get_rejects_bad_identifiers(
    service: DescriptionEntityService, ident: identifier_pb2.Identifier | None, message: str
) -> None:
    request = common_pb2.ObjectGetRequest() if ident is None else common_pb2.ObjectGetRequest(id=ident)
    with pytest.raises(InvalidArgument) as caught:
        service.get_description_entity(request)
    assert caught.value.message == message


def test_get_of_an_unknown_version_is_not_found(service: DescriptionEntityService, store: Database) -> None:
    record(store, identifier(), full_description())
    with pytest.raises(NotFound, match=r"^entry not found$"):
        get(service, identifier(version="v2"))


# -- listing ---------------------------------------------------------------------------------------------


def test_list_returns_the_descriptions_of_one_name_and_kind(service: DescriptionEntityService, store: Database) -> None:
    """flyteadmin ignores `resource_type` here and mixes kinds of the same name; we honour it, and treat
    UNSPECIFIED as every kind."""
    for version in ("v1", "v2"):
        record(store, identifier(version=version), full_description())
    record(store, identifier(kind=WORKFLOW), full_description())
    record(store, identifier(name="other"), full_description())
    record(store, identifier(domain="staging"), full_description())
    assert versions(service) == [(TASK, "v1"), (TASK, "v2")]
    assert versions(service, resource_type=WORKFLOW) == [(WORKFLOW, "v1")]
    assert versions(service, resource_type=identifier_pb2.UNSPECIFIED) == [
        (TASK, "v1"),
        (TASK, "v2"),
        (WORKFLOW, "v1"),
    ]
    entity = list_page(service).descriptionEntities[0]
    assert entity.long_description.value == "long text"
    assert entity.id == identifier()


def test_list_pages_without_duplicates_or_gaps(service: DescriptionEntityService, store: Database) -> None:
    with store.transaction() as session:
        for index in range(45):
            DescriptionEntityService.create_in_session(session, identifier(version=f"v{index:02}"), full_description())
    seen: list[str] = []
    token = ""
    pages = 0
    while True:
        page = list_page(service, limit=20, token=token, sort_by=common_pb2.Sort(key="version", direction=ASC))
        seen.extend(e.id.version for e in page.descriptionEntities)
        pages += 1
        if not page.token:
            break
        token = page.token
    assert pages == 3
    assert seen == [f"v{index:02}" for index in range(45)]


def test_list_filters_and_sorts_on_description_columns(service: DescriptionEntityService, store: Database) -> None:
    record(store, identifier(version="a"), Description(short_description="alpha"))
    record(store, identifier(version="b"), Description(short_description="beta"))
    record(store, identifier(version="c"), Description(short_description="alphabet"))
    found = versions(service, filters="contains(short_description,alpha)", sort_by=common_pb2.Sort(key="version"))
    assert found == [(TASK, "c"), (TASK, "a")]
    assert versions(service, filters="eq(version,b)") == [(TASK, "b")]
    assert versions(service, filters="eq(task.version,b)") == [(TASK, "b")]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"filters": "eq(long_description,x)"}, "'t.long_description' is invalid filter"),
        ({"filters": "eq(type,python-task)"}, "'t.type' is invalid filter"),
        ({"filters": "eq(workflow.name,x)"}, "'w' entity is not allowed in filters"),
        ({"sort_by": common_pb2.Sort(key="long_description")}, "invalid sort key 'long_description'"),
        ({"token": "bogus"}, "invalid pagination token bogus for ListDescriptionEntities"),
        ({"resource_type": 42}, "invalid value for resource_type"),
        ({"limit": 0}, "invalid value for limit"),
    ],
)
def test_list_rejects_bad_filters_sorts_tokens_and_limits(
    service: DescriptionEntityService, fields: dict[str, Any], message: str
) -> None:
    """The pagination error names this RPC (flyteadmin's copy says "for ListWorkflows")."""
    with pytest.raises(InvalidArgument) as caught:
        list_page(service, **fields)
    assert caught.value.message == message


def test_workflow_listings_name_filter_fields_as_workflow_fields(service: DescriptionEntityService) -> None:
    with pytest.raises(InvalidArgument, match=r"^'w\.nonsense' is invalid filter$"):
        list_page(service, resource_type=WORKFLOW, filters="eq(nonsense,1)")


@pytest.mark.parametrize(
    ("ident", "message"),
    [
        (None, "missing id"),
        (common_pb2.NamedEntityIdentifier(domain=D, name="t"), "missing project"),
        (common_pb2.NamedEntityIdentifier(project=P, name="t"), "missing domain"),
        (common_pb2.NamedEntityIdentifier(project=P, domain=D), "missing name"),
    ],
)
def test_list_needs_project_domain_and_name(
    service: DescriptionEntityService, ident: common_pb2.NamedEntityIdentifier | None, message: str
) -> None:
    """The name is required, so the REST route without a name always fails, as in flyteadmin."""
    request = description_entity_pb2.DescriptionEntityListRequest(resource_type=TASK, limit=10)
    if ident is not None:
        request.id.CopyFrom(ident)
    with pytest.raises(InvalidArgument) as caught:
        service.list_description_entities(request)
    assert caught.value.message == message
