"""The console at /console: server-rendered pages (Jinja2 templates, htmx, dagre for the graph; all shipped in the
package, no Node.js) over the same checked RPC callables the gRPC and HTTP/JSON wires use.

Every path flytekit and flyteconsole link to leads to a page: `/console/projects/<p>/domains/<d>/executions/<name>`,
`.../<workflow|task|launch_plan>/<name>/version/<version>`, and flyteconsole's `?domain=` list links."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from starlette.convertors import Convertor, register_url_convertor
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from flyteplane.api.http.console.actions import ExecutionActions
from flyteplane.api.http.console.context import BASE, Console
from flyteplane.api.http.console.entities import EntityPages
from flyteplane.api.http.console.execution import ExecutionPages
from flyteplane.api.http.console.lists import ListPages
from flyteplane.api.http.console.rpc import Rpc
from flyteplane.api.http.console.schedules import SchedulePages
from flyteplane.api.http.console.search import SearchPage
from flyteplane.api.http.console.views import HERE
from flyteplane.api.rpcs import ServiceImplementation
from flyteplane.scheduler.ports import ScheduledLaunchPlan
from flyteplane.services.data.data_proxy import DataProxyService

__all__ = ["console_routes"]


class SectionConvertor(Convertor[str]):
    """The registry listings' path segment: workflows, tasks or launch_plans."""

    regex = "workflows|tasks|launch_plans"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("console_section", SectionConvertor())

Endpoint = Callable[[Request], Awaitable[Response]]


def same_site_only(endpoint: Endpoint) -> Endpoint:
    """Actions refuse a form posted from another site (a page elsewhere must not terminate or launch here through
    the user's browser): when the browser says where the form came from, it must be this host."""

    async def checked(request: Request) -> Response:
        origin = request.headers.get("origin") or request.headers.get("referer")
        if origin and urlsplit(origin).netloc != request.headers.get("host", ""):
            return PlainTextResponse("a console action must be posted from the console's own pages", 403)
        return await endpoint(request)

    return checked


def console_routes(
    implementations: list[ServiceImplementation],
    dataproxy: DataProxyService,
    scheduled: Callable[[], list[ScheduledLaunchPlan]],
    zone: ZoneInfo,
) -> list[BaseRoute]:
    console = Console(rpc=Rpc(implementations), dataproxy=dataproxy)
    lists = ListPages(console)
    execution = ExecutionPages(console)
    actions = ExecutionActions(console)
    entities = EntityPages(console)
    schedules = SchedulePages(console, scheduled, zone)
    search = SearchPage(console)
    pd = BASE + "/projects/{project}/domains/{domain}"
    ex = pd + "/executions/{name}"
    get, post = ["GET"], ["POST"]
    return [
        Mount(BASE + "/static", app=StaticFiles(directory=HERE / "static"), name="console-static"),
        Route(BASE, lists.home, methods=get),
        Route(BASE + "/", lists.home, methods=get),
        Route(BASE + "/projects", lists.projects, methods=get),
        Route(BASE + "/projects/{project}", lists.project, methods=get),
        Route(BASE + "/schedules", schedules.page, methods=get),
        Route(BASE + "/search", search.page, methods=get),
        Route(pd + "/executions", lists.executions, methods=get),
        Route(ex, execution.page, methods=get),
        Route(ex + "/status", execution.status, methods=get),
        Route(ex + "/graph.json", execution.graph, methods=get),
        Route(ex + "/nodes", execution.nodes, methods=get),
        Route(ex + "/nodes/{node_id}", execution.node, methods=get),
        Route(ex + "/terminate", same_site_only(actions.terminate), methods=post),
        Route(ex + "/relaunch", same_site_only(actions.relaunch), methods=post),
        Route(ex + "/relaunch", entities.relaunch_form, methods=get),
        Route(ex + "/recover", same_site_only(actions.recover), methods=post),
        Route(ex + "/archive", same_site_only(actions.archive), methods=post),
        Route(ex + "/unarchive", same_site_only(actions.unarchive), methods=post),
        Route(ex + "/signals/{signal_id}", same_site_only(actions.signal), methods=post),
        Route(pd + "/{section:console_section}", lists.entities, methods=get),
        Route(pd + "/{section:console_section}/{name}", entities.name_page, methods=get),
        Route(pd + "/{kind}/{name}/version/{version}", entities.version_page, methods=get),
        Route(pd + "/{kind}/{name}/version/{version}/launch", same_site_only(entities.launch), methods=post),
        Route(pd + "/launch_plan/{name}/version/{version}/state", same_site_only(entities.set_state), methods=post),
        Route(BASE + "/projects/{project}/{section}", lists.legacy, methods=get),
    ]
