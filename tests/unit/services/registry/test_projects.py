"""Projects and domains (flyteadmin §10.1)."""

from __future__ import annotations

import pytest
from flyteidl.admin import common_pb2, project_pb2

from flyteplane.config import Settings
from flyteplane.errors import AlreadyExists, InvalidArgument, NotFound
from flyteplane.services.registry.projects import ProjectService
from flyteplane.store.db import Database


@pytest.fixture
def projects(db: Database, settings: Settings) -> ProjectService:
    return ProjectService(db, settings)


def register(projects: ProjectService, identifier: str, **fields: object) -> None:
    project = project_pb2.Project(id=identifier, name=fields.pop("name", identifier), **fields)  # type: ignore[arg-type]
    projects.register_project(project_pb2.ProjectRegisterRequest(project=project))


def test_domains_come_from_settings_in_order(db: Database) -> None:
    service = ProjectService(db, Settings(domains=("dev", "prod")))
    assert [d.id for d in service.get_domains(project_pb2.GetDomainRequest()).domains] == ["dev", "prod"]


def test_registered_project_lists_every_domain(projects: ProjectService) -> None:
    register(projects, "ml", description="models")
    project = projects.get_project(project_pb2.ProjectGetRequest(id="ml"))
    assert project.description == "models"
    assert [d.id for d in project.domains] == ["development", "staging", "production"]


def test_duplicate_project_is_already_exists(projects: ProjectService) -> None:
    register(projects, "ml")
    with pytest.raises(AlreadyExists):
        register(projects, "ml")


@pytest.mark.parametrize(
    ("identifier", "fields", "message"),
    [
        ("", {"name": "n"}, "missing project_id"),
        ("ok", {"name": ""}, "missing project_name"),
        ("Bad_Id", {}, r"invalid project id \[Bad_Id\]"),
        ("ok", {"name": "x" * 65}, "project_name cannot exceed 64 characters"),
        ("ok", {"description": "x" * 301}, "cannot exceed 300 characters"),
        ("ok", {"domains": [project_pb2.Domain(id="d", name="d")]}, "Domains are currently only set system wide"),
    ],
)
def test_invalid_projects_are_rejected(
    projects: ProjectService, identifier: str, fields: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidArgument, match=message):
        register(projects, identifier, **fields)


def test_update_archives_and_keeps_unset_fields(projects: ProjectService) -> None:
    register(projects, "ml", description="models")
    projects.update_project(project_pb2.Project(id="ml", state=project_pb2.Project.ARCHIVED))
    project = projects.get_project(project_pb2.ProjectGetRequest(id="ml"))
    assert (project.name, project.description, project.state) == ("ml", "models", project_pb2.Project.ARCHIVED)
    listed = projects.list_projects(project_pb2.ProjectListRequest())
    assert [p.id for p in listed.projects] == ["flytesnacks"]  # archived projects hidden unless filtered
    archived = projects.list_projects(project_pb2.ProjectListRequest(filters="eq(state,1)"))
    assert [p.id for p in archived.projects] == ["ml"]


def test_update_of_unknown_project_is_not_found(projects: ProjectService) -> None:
    with pytest.raises(NotFound, match=r"project \[ghost\] not found"):
        projects.update_project(project_pb2.Project(id="ghost", name="g"))


def test_projects_page_by_identifier(projects: ProjectService) -> None:
    for index in range(7):
        register(projects, f"p{index}")
    seen, token = [], ""
    while True:
        page = projects.list_projects(project_pb2.ProjectListRequest(limit=3, token=token))
        seen += [p.id for p in page.projects]
        token = page.token
        if not token:
            break
    assert seen == sorted(["flytesnacks"] + [f"p{i}" for i in range(7)])
    descending = projects.list_projects(
        project_pb2.ProjectListRequest(sort_by=common_pb2.Sort(key="identifier", direction=common_pb2.Sort.DESCENDING))
    )
    assert descending.projects[0].id == "p6"


def test_ensure_project_is_idempotent(projects: ProjectService) -> None:
    projects.ensure_project("flytesnacks", "flytesnacks")
    projects.ensure_project("other", "other")
    projects.ensure_project("other", "other")
    assert [p.id for p in projects.list_projects(project_pb2.ProjectListRequest()).projects] == ["flytesnacks", "other"]
