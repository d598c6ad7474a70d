"""The HTTP side of the one port: health, signed blob URLs (uploads/downloads), task attempt logs, the console
(/console), and the HTTP/JSON API of the Admin services (the gateway, last: it answers the paths the others leave)."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from flyteplane.api.http.blobs import blob_routes
from flyteplane.api.http.gateway import Gateway, GatewayRoute
from flyteplane.api.http.logs import AttemptLogs, log_routes
from flyteplane.blobs.signing import Signer
from flyteplane.blobs.store import BlobStore


async def healthcheck(_request: Request) -> Response:
    return PlainTextResponse("")


def http_app(
    store: BlobStore,
    signer: Signer,
    logs: AttemptLogs | None = None,
    gateway: Gateway | None = None,
    console: list[BaseRoute] | None = None,
) -> Starlette:
    routes: list[BaseRoute] = [Route("/healthcheck", healthcheck, methods=["GET", "HEAD"])]
    routes.extend(blob_routes(store, signer))
    if logs is not None:
        routes.extend(log_routes(logs))
    if console is not None:
        routes.extend(console)
    if gateway is not None:
        routes.append(GatewayRoute(gateway))
    return Starlette(routes=routes)
