"""Projects and domains through flytekit's client: list, register, update (archive, rename), get."""

from __future__ import annotations

from typing import Any

import grpc
import pytest
from flyteidl.admin import project_pb2
from flytekit.configuration import Config
from flytekit.exceptions.user import (
    FlyteEntityAlreadyExistsException,
    FlyteEntityNotExistException,
    FlyteInvalidInputException,
)
from flytekit.models.project import Project
from flytekit.remote import FlyteRemote
from tests.integration.server import RunningServer
from tests.integration.support import details, status, unique

ACTIVE = Project.ProjectState.ACTIVE
ARCHIVED = Project.ProjectState.ARCHIVED


def all_projects(remote: Any, **kwargs: Any) -> list[Any]:
    """Every page of ListProjects, following tokens until the server returns an empty one."""
    projects: list[Any] = []
    token = ""
    for _ in range(100):
        page, token = remote.client.list_projects_paginated(limit=2, token=token, **kwargs)
        projects.extend(page)
        if not token:
            return projects
    raise AssertionError("ListProjects never returned an empty token")


def test_a_fresh_remote_for_the_endpoint_lists_the_default_project(server: RunningServer) -> None:
    remote = FlyteRemote.for_endpoint(server.endpoint, insecure=True)
    projects, token = remote.client.list_projects_paginated(limit=100)
    assert "flytesnacks" in [p.id for p in projects]
    assert token == ""
    assert [p.id for p in remote.list_projects()] == [p.id for p in projects]


def test_config_for_endpoint_reaches_the_same_server(server: RunningServer) -> None:
    remote = FlyteRemote(Config.for_endpoint(server.endpoint, insecure=True))
    assert [d.id for d in remote.client.get_domains()] == ["development", "staging", "production"]


def test_get_domains_returns_the_configured_domains_with_names(remote: Any) -> None:
    domains = remote.client.get_domains()
    assert [(d.id, d.name) for d in domains] == [
        ("development", "development"),
        ("staging", "staging"),
        ("production", "production"),
    ]


def test_register_project_then_get_it_through_the_raw_stub(remote: Any) -> None:
    project_id = unique("proj")
    remote.client.register_project(Project(project_id, "My Project", "what it is for"))

    got = remote.client._stub.GetProject(project_pb2.ProjectGetRequest(id=project_id))
    assert (got.id, got.name, got.description, got.state) == (project_id, "My Project", "what it is for", ACTIVE)
    assert [d.id for d in got.domains] == ["development", "staging", "production"]
    assert project_id in [p.id for p in all_projects(remote)]


def test_listing_in_pages_of_two_has_no_duplicates_and_ends_with_an_empty_token(remote: Any) -> None:
    for _ in range(3):
        remote.client.register_project(Project(unique("paged"), "paged", ""))
    projects = all_projects(remote)
    ids = [p.id for p in projects]
    assert len(ids) == len(set(ids)) >= 4
    assert ids == sorted(ids), "ListProjects defaults to identifier ascending"


def test_registering_the_same_project_id_twice_already_exists(remote: Any) -> None:
    project_id = unique("twice")
    remote.client.register_project(Project(project_id, "first", ""))
    with pytest.raises(FlyteEntityAlreadyExistsException) as caught:
        remote.client.register_project(Project(project_id, "second", ""))
    assert project_id in details(caught.value)
    got = remote.client._stub.GetProject(project_pb2.ProjectGetRequest(id=project_id))
    assert got.name == "first"


def test_rename_keeps_the_description_and_archive_hides_the_project(remote: Any) -> None:
    project_id = unique("renamed")
    remote.client.register_project(Project(project_id, "old name", "kept description"))

    remote.client.update_project(Project(project_id, "new name", "", ACTIVE))
    got = remote.client._stub.GetProject(project_pb2.ProjectGetRequest(id=project_id))
    assert (got.name, got.description, got.state) == ("new name", "kept description", ACTIVE)

    remote.client.update_project(Project.archived_project(project_id))
    got = remote.client._stub.GetProject(project_pb2.ProjectGetRequest(id=project_id))
    assert (got.name, got.state) == ("new name", ARCHIVED)
    assert project_id not in [p.id for p in all_projects(remote)]
    archived = all_projects(remote, filters=[_state_filter(ARCHIVED)])
    assert project_id in [p.id for p in archived]
    assert all(p.state == ARCHIVED for p in archived)

    remote.client.update_project(Project.active_project(project_id))
    assert project_id in [p.id for p in all_projects(remote)]


def _state_filter(state: int) -> Any:
    from flytekit.models.filters import Equal

    return Equal("state", str(state))


def test_get_unknown_project_is_not_found(remote: Any, admin: Any) -> None:
    missing = unique("missing")
    with pytest.raises(FlyteEntityNotExistException) as caught:
        remote.client._stub.GetProject(project_pb2.ProjectGetRequest(id=missing))
    assert details(caught.value) == f"project [{missing}] not found"
    with pytest.raises(grpc.RpcError) as raw:
        admin.GetProject(project_pb2.ProjectGetRequest(id=missing))
    assert raw.value.code() == grpc.StatusCode.NOT_FOUND


def test_updating_an_unknown_project_is_not_found(remote: Any) -> None:
    with pytest.raises(FlyteEntityNotExistException):
        remote.client.update_project(Project(unique("ghost"), "ghost", ""))


@pytest.mark.parametrize("bad_id", ["Upper-Case", "under_score", "-leading", "x" * 64])
def test_invalid_project_ids_are_rejected_and_nothing_is_written(remote: Any, bad_id: str) -> None:
    before = [p.id for p in all_projects(remote)]
    with pytest.raises(FlyteInvalidInputException) as caught:
        remote.client.register_project(Project(bad_id, "bad", ""))
    assert status(caught.value) == grpc.StatusCode.INVALID_ARGUMENT
    assert details(caught.value).startswith(f"invalid project id [{bad_id}]")
    assert [p.id for p in all_projects(remote)] == before


def test_a_project_without_a_name_is_rejected(remote: Any) -> None:
    with pytest.raises(FlyteInvalidInputException) as caught:
        remote.client.register_project(Project(unique("noname"), "", ""))
    assert details(caught.value) == "missing project_name"
