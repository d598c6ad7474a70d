"""Projects and domains: the namespaces every entity lives in."""

from __future__ import annotations

from typing import Any

from flyteidl.admin import project_pb2

from flyteplane.client.calls import Call, Page, Pages, discard, operation, paged
from flyteplane.client.filters import FiltersLike, SortLike
from flyteplane.client.idl import IdlLike, optional_idl, to_idl
from flyteplane.client.operations.listing import page_reader, page_request
from flyteplane.client.rpcs import ADMIN

__all__ = ["ProjectOperations"]


def _domains(response: Any) -> list[Any]:
    return list(response.domains)


class ProjectOperations:
    @operation
    def register_project(self, project: IdlLike) -> Call[None]:
        """Registers a project (id, name, description, labels); ALREADY_EXISTS when the id is taken."""
        request = project_pb2.ProjectRegisterRequest(project=to_idl(project, project_pb2.Project, "project"))
        return Call(ADMIN["RegisterProject"], request, discard)

    @operation
    def update_project(self, project: IdlLike) -> Call[None]:
        """Replaces the name, description, labels and state of the project with `project.id`."""
        return Call(ADMIN["UpdateProject"], to_idl(project, project_pb2.Project, "project"), discard)

    @operation
    def get_project(self, id: str) -> Call[Any]:
        return Call(ADMIN["GetProject"], project_pb2.ProjectGetRequest(id=id))

    @operation
    def list_projects(self, project_list_request: IdlLike | None = None) -> Call[Any]:
        """The `Projects` response for a raw ProjectListRequest (flytekit's signature); see list_projects_paginated."""
        request = optional_idl(project_list_request, project_pb2.ProjectListRequest, "project_list_request")
        return Call(ADMIN["ListProjects"], request)

    @operation
    def list_projects_paginated(
        self, limit: int = 100, token: str | None = None, filters: FiltersLike = None, sort_by: SortLike = None
    ) -> Call[Page[Any]]:
        """One page of projects."""
        request = page_request(project_pb2.ProjectListRequest, limit, token, filters, sort_by)
        return Call(ADMIN["ListProjects"], request, page_reader("projects"))

    @paged
    def iter_projects(self, filters: FiltersLike = None, sort_by: SortLike = None, page_size: int = 100) -> Pages[Any]:
        return Pages(lambda token: self.list_projects_paginated.call(page_size, token, filters, sort_by))

    @operation
    def get_domains(self) -> Call[list[Any]]:
        """Every domain the control plane knows (development, staging, production by default)."""
        return Call(ADMIN["GetDomains"], project_pb2.GetDomainRequest(), _domains)
