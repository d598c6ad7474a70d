"""The search box: an execution by its exact name (straight to its page), and workflows, tasks and launch plans
whose names contain the text typed, within the project and domain the search was made from (or every project and
domain when none is given). Execution names are not searched by substring: that is a scan of every execution
(hundreds of milliseconds at 100k), where an exact name is one indexed lookup."""

from __future__ import annotations

from typing import Any

from flyteidl.admin import common_pb2, execution_pb2
from flyteidl.core import identifier_pb2
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from flyteplane.api.http.console.actions import execution_url
from flyteplane.api.http.console.context import Console
from flyteplane.errors import FlyteplaneError, NotFound

__all__ = ["SearchPage"]

LIMIT = 25
_FORBIDDEN = set(",()+;")


class SearchPage:
    def __init__(self, console: Console) -> None:
        self.c = console

    def page(self, request: Request) -> Response:
        q = request.query_params
        text = q.get("q", "").strip()
        scopes = self._scopes(q.get("project", ""), q.get("domain", ""))
        if not text:
            return self.c.page(request, "search.html", title="Search", query="", results=[], problem="")
        if _FORBIDDEN & set(text):
            return self.c.page(
                request,
                "search.html",
                status=400,
                title="Search",
                query=text,
                results=[],
                problem="a name cannot hold , ( ) + or ;",
            )
        for project, domain in scopes:  # an exact execution name goes straight to its page
            ident = identifier_pb2.WorkflowExecutionIdentifier(project=project, domain=domain, name=text)
            try:
                self.c.rpc("GetExecution", execution_pb2.WorkflowExecutionGetRequest(id=ident))
            except (NotFound, FlyteplaneError):
                continue
            return RedirectResponse(execution_url(ident), status_code=303)
        results: list[dict[str, Any]] = []
        for project, domain in scopes:
            results.extend(self._find(project, domain, text))
        return self.c.page(request, "search.html", title="Search", query=text, results=results, problem="")

    def _scopes(self, project: str, domain: str) -> list[tuple[str, str]]:
        domains = [domain] if domain else self.c.domains()
        projects = [project] if project else [p.id for p in self.c.projects()]
        return [(p, d) for p in projects for d in domains][:30]

    def _find(self, project: str, domain: str, text: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for kind, resource_type, section in (
            ("workflow", identifier_pb2.WORKFLOW, "workflows"),
            ("task", identifier_pb2.TASK, "tasks"),
            ("launch plan", identifier_pb2.LAUNCH_PLAN, "launch_plans"),
        ):
            try:
                answer = self.c.rpc(
                    "ListNamedEntities",
                    common_pb2.NamedEntityListRequest(
                        resource_type=resource_type,
                        project=project,
                        domain=domain,
                        limit=LIMIT,
                        filters=f"contains(name,{text})",
                    ),
                )
            except FlyteplaneError:
                continue
            for entity in answer.entities:
                found.append(
                    {"kind": kind, "name": entity.id.name, "project": project, "domain": domain, "section": section}
                )
        return found
