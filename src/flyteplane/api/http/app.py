"""The HTTP side of the one port: health, signed blob URLs (uploads/downloads)."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from flyteplane.api.http.blobs import blob_routes
from flyteplane.blobs.signing import Signer
from flyteplane.blobs.store import BlobStore


async def healthcheck(_request: Request) -> Response:
    return PlainTextResponse("")


def http_app(store: BlobStore, signer: Signer) -> Starlette:
    routes: list[BaseRoute] = [Route("/healthcheck", healthcheck, methods=["GET", "HEAD"])]
    routes.extend(blob_routes(store, signer))
    return Starlette(routes=routes)
