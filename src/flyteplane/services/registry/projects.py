"""Projects and domains (flyteadmin §10.1): domains are system-wide settings, projects are rows."""

from __future__ import annotations

import dataclasses
import re

from flyteidl.admin import project_pb2
from sqlalchemy.orm import Session

from flyteplane.config import Settings
from flyteplane.errors import AlreadyExists, InvalidArgument, NotFound
from flyteplane.services.common.listing import page_request
from flyteplane.services.common.validation import validate_project_domain
from flyteplane.services.registry.labels import validate_labels
from flyteplane.store.db import Conflict, Database
from flyteplane.store.repositories import projects
from flyteplane.store.repositories.projects import ProjectRow

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


class ProjectService:
    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings
        self._domains = [project_pb2.Domain(id=d, name=d) for d in settings.domains]

    def require_registered(self, project: str, domain: str) -> None:
        """InvalidArgument unless `project` is registered and active and `domain` is configured (e.g. before the
        data proxy signs an upload into that project's namespace)."""
        with self.db.read() as session:
            validate_project_domain(session, project, domain, self.settings.domains)

    def get_domains(self, _req: project_pb2.GetDomainRequest) -> project_pb2.GetDomainsResponse:
        return project_pb2.GetDomainsResponse(domains=self._domains)

    def _to_proto(self, row: ProjectRow) -> project_pb2.Project:
        project = project_pb2.Project(
            id=row.identifier,
            name=row.name,
            description=row.description,
            domains=self._domains,
            state=row.state,
        )
        if row.labels:
            project.labels.ParseFromString(row.labels)
        return project

    def _validate(self, project: project_pb2.Project, *, name_required: bool) -> None:
        if name_required and not project.name:
            raise InvalidArgument("missing project_name")
        if not project.id:
            raise InvalidArgument("missing project_id")
        validate_labels(project.labels.values)
        if not DNS_LABEL.match(project.id) or len(project.id) > 63:
            raise InvalidArgument(
                f"invalid project id [{project.id}]: [a lowercase RFC 1123 label must consist of lower case "
                "alphanumeric characters or '-', and must start and end with an alphanumeric character, "
                "at most 63 characters]"
            )
        if len(project.name) > 64:
            raise InvalidArgument("project_name cannot exceed 64 characters")
        if len(project.description) > 300:
            raise InvalidArgument("project_description cannot exceed 300 characters")
        if len(project.domains) > 0:
            raise InvalidArgument(
                "Domains are currently only set system wide. Please retry without domains included in your request."
            )

    def register_project(self, req: project_pb2.ProjectRegisterRequest) -> project_pb2.ProjectRegisterResponse:
        if not req.HasField("project"):
            raise InvalidArgument("missing project")
        self._validate(req.project, name_required=True)
        try:
            with self.db.transaction() as session:
                projects.insert(
                    session,
                    req.project.id,
                    req.project.name,
                    req.project.description,
                    req.project.labels.SerializeToString() if req.project.HasField("labels") else b"",
                    req.project.state,
                )
        except Conflict as exc:
            raise AlreadyExists(f"value with matching already exists (project [{req.project.id}])") from exc
        return project_pb2.ProjectRegisterResponse()

    def ensure_project(self, identifier: str, name: str, description: str = "") -> None:
        """Creates a project if it is missing; used for the sandbox's default `flytesnacks` on first start."""
        with self.db.transaction() as session:
            if projects.find(session, identifier) is None:
                projects.insert(session, identifier, name, description)

    def update_project(self, req: project_pb2.Project) -> project_pb2.ProjectUpdateResponse:
        if not req.id:
            raise InvalidArgument("missing project_id")
        with self.db.transaction() as session:
            row = _registered(session, req.id)
            self._validate(req, name_required=False)
            if req.name:
                row.name = req.name
            if req.description:
                row.description = req.description
            if req.HasField("labels"):
                row.labels = req.labels.SerializeToString()
            row.state = req.state
        return project_pb2.ProjectUpdateResponse()

    def get_project(self, req: project_pb2.ProjectGetRequest) -> project_pb2.Project:
        if not req.id:
            raise InvalidArgument("missing project_id")
        with self.db.read() as session:
            return self._to_proto(_registered(session, req.id))

    def list_projects(self, req: project_pb2.ProjectListRequest) -> project_pb2.Projects:
        if req.limit < 0:
            raise InvalidArgument("invalid value for limit")
        request = dataclasses.replace(page_request(req), limit=req.limit or None)  # no limit: every project
        with self.db.read() as session:
            page = projects.list_page(session, request)
            return project_pb2.Projects(projects=[self._to_proto(row) for row in page.items], token=page.token)


def _registered(session: Session, identifier: str) -> ProjectRow:
    row = projects.find(session, identifier)
    if row is None:
        raise NotFound(f"project [{identifier}] not found")
    return row
