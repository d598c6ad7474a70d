"""What every console page needs: the RPCs, the templates, download links for blobs, and the ids in paths."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl

from flyteidl.admin import common_pb2, project_pb2
from flyteidl.core import identifier_pb2
from starlette.requests import Request
from starlette.responses import HTMLResponse

from flyteplane.api.http.console.rpc import Rpc
from flyteplane.api.http.console.views import Views
from flyteplane.errors import NotFound
from flyteplane.services.data.data_proxy import DataProxyService

__all__ = ["BASE", "Console", "execution_id_of", "form_of"]

BASE = "/console"
LINK_LIFETIME = timedelta(hours=1)


@dataclass
class Console:
    rpc: Rpc
    dataproxy: DataProxyService
    views: Views = field(default_factory=Views)

    def link_of(self, uri: str) -> str | None:
        """A signed download link for a blob the store holds (None for one it does not: remote or gone)."""
        try:
            response = self.dataproxy.create_download_link_for_uri(uri, LINK_LIFETIME)
        except (NotFound, ValueError):
            return None
        except Exception:  # a URI the store cannot address (another bucket, another scheme)
            return None
        return str(response.signed_url[0]) if response.signed_url else None

    def domains(self) -> list[str]:
        response = self.rpc("GetDomains", project_pb2.GetDomainRequest())
        return [domain.id for domain in response.domains]

    def projects(self) -> list[Any]:
        response = self.rpc("ListProjects", project_pb2.ProjectListRequest(limit=1000))
        return list(response.projects)

    def page(self, request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        project = request.path_params.get("project", "")
        domain = request.path_params.get("domain", "")
        return self.views.page(
            template, status=status, base=BASE, project=project, domain=domain, request=request, **context
        )


MAX_FORM_BYTES = 1024 * 1024


async def form_of(request: Request) -> dict[str, str]:
    """The fields of an urlencoded form (the only kind the console's pages send); the first of repeated names."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return {}
    fields: dict[str, str] = {}
    for key, value in parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True):
        fields.setdefault(key, value)
    return fields


def execution_id_of(request: Request) -> identifier_pb2.WorkflowExecutionIdentifier:
    p = request.path_params
    return identifier_pb2.WorkflowExecutionIdentifier(project=p["project"], domain=p["domain"], name=p["name"])


def list_request(request: Request, limit: int = 50) -> common_pb2.ResourceListRequest:
    p = request.path_params
    return common_pb2.ResourceListRequest(
        id=common_pb2.NamedEntityIdentifier(project=p["project"], domain=p["domain"]), limit=limit
    )
