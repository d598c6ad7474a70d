"""The HTTP side of the one port: health, Prometheus metrics, signed blob URLs (uploads/downloads), task attempt
logs, the console (/console), and the HTTP/JSON API of the Admin services (the gateway, last: it answers the paths
the others leave)."""

from __future__ import annotations

from anyio import to_thread
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from flyteplane.api.http.blobs import blob_routes
from flyteplane.api.http.gateway import Gateway, GatewayRoute
from flyteplane.api.http.logs import AttemptLogs, log_routes
from flyteplane.blobs.signing import Signer
from flyteplane.blobs.store import BlobStore
from flyteplane.observability.metrics import CONTENT_TYPE, Metrics


async def healthcheck(_request: Request) -> Response:
    return PlainTextResponse("")


def metrics_route(metrics: Metrics) -> Route:
    async def scrape(_request: Request) -> Response:
        # The scrape counts rows in the database: off the event loop, which also splices gRPC connections.
        body = await to_thread.run_sync(metrics.exposition)
        return Response(body, media_type=CONTENT_TYPE)

    return Route("/metrics", scrape, methods=["GET"])


def http_app(
    store: BlobStore,
    signer: Signer,
    logs: AttemptLogs | None = None,
    gateway: Gateway | None = None,
    console: list[BaseRoute] | None = None,
    metrics: Metrics | None = None,
) -> Starlette:
    routes: list[BaseRoute] = [Route("/healthcheck", healthcheck, methods=["GET", "HEAD"])]
    if metrics is not None:
        routes.append(metrics_route(metrics))
    routes.extend(blob_routes(store, signer))
    if logs is not None:
        routes.extend(log_routes(logs))
    if console is not None:
        routes.extend(console)
    if gateway is not None:
        routes.append(GatewayRoute(gateway))
    return Starlette(routes=routes)
