"""The HTTP side of the one port: health, signed blob URLs (uploads/downloads), task attempt logs."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from flyteplane.api.http.blobs import blob_routes
from flyteplane.api.http.logs import AttemptLogs, log_routes
from flyteplane.blobs.signing import Signer
from flyteplane.blobs.store import BlobStore


async def healthcheck(_request: Request) -> Response:
    return PlainTextResponse("")


def http_app(store: BlobStore, signer: Signer, logs: AttemptLogs | None = None) -> Starlette:
    routes: list[BaseRoute] = [Route("/healthcheck", healthcheck, methods=["GET", "HEAD"])]
    routes.extend(blob_routes(store, signer))
    if logs is not None:
        routes.extend(log_routes(logs))
    return Starlette(routes=routes)
