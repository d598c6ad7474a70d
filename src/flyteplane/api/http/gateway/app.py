"""The gateway itself: an ASGI app routing each request to the RPC its path names, calling the very callable
the gRPC handler calls (from the same RPC table), and answering in the negotiated encoding.

Service calls block (database, blobs) and encoding a large listing takes a while, so decoding, the call and
encoding run in a worker thread: the event loop, which also splices the gRPC connections, stays free.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import grpc
from anyio import to_thread
from google.protobuf import message_factory
from google.protobuf.descriptor import ServiceDescriptor
from google.protobuf.message import Message
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, NoMatchFound
from starlette.types import Receive, Scope, Send

from flyteplane.api.errors import failure_status
from flyteplane.api.grpc.handlers import RpcObserver, rpc_handler
from flyteplane.api.http.gateway.bindings import Binding, bindings_of
from flyteplane.api.http.gateway.codecs import Codec, negotiate
from flyteplane.api.http.gateway.errors import ROUTING_FAILURES, error_response
from flyteplane.api.http.gateway.headers import forwarded_headers
from flyteplane.api.http.gateway.requests import decode_request
from flyteplane.api.http.gateway.router import Miss, Router
from flyteplane.api.http.gateway.templates import DOUBLE_STAR, STAR
from flyteplane.errors import InvalidArgument, ResourceExhausted

__all__ = ["DEFAULT_MAX_BODY_BYTES", "Endpoint", "Gateway", "GatewayRoute"]

DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024  # what the gRPC side accepts


@dataclass(frozen=True)
class Endpoint:
    binding: Binding
    call: Callable[[Any], Any]
    request_type: type[Message]


class Gateway:
    """Every `google.api.http` route of the given services, each bound to the service's RPC table."""

    def __init__(
        self,
        services: Iterable[tuple[ServiceDescriptor, object]],
        *,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        observe: RpcObserver | None = None,
    ) -> None:
        self._router: Router[Endpoint] = Router()
        self._observe = observe
        self._max_body_bytes = max_body_bytes
        self.bindings: list[Binding] = []
        for descriptor, implementation in services:
            for binding in bindings_of(descriptor):
                call = rpc_handler(descriptor, binding.method.name, implementation)
                request_type = message_factory.GetMessageClass(binding.method.input_type)
                self._router.add(binding.http_method, binding.template, Endpoint(binding, call, request_type))
                self.bindings.append(binding)
        self._first_segments = {binding.template.segments[0] for binding in self.bindings}

    def claims(self, path: str) -> bool:
        """Whether `path` is the gateway's to answer: its first segment starts one of the routes."""
        if self._first_segments & {STAR, DOUBLE_STAR}:
            return True
        return path.removeprefix("/").split("/", 1)[0] in self._first_segments

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self.respond(Request(scope, receive))
        await response(scope, receive, send)

    async def respond(self, request: Request) -> Response:
        inbound, outbound = negotiate(request.headers.getlist("accept"), request.headers.getlist("content-type"))
        found = self._router.match(request.method, request.scope["path"])
        if isinstance(found, Miss):
            return error_response(outbound, *ROUTING_FAILURES[found])
        endpoint = found.route
        started = time.perf_counter()
        code = grpc.StatusCode.OK
        try:
            body = await self._body(request) if endpoint.binding.body else b""
            query: bytes = request.scope.get("query_string", b"")
            content, headers = await to_thread.run_sync(_serve, endpoint, found.params, query, body, inbound, outbound)
        except Exception as exc:
            code, message = failure_status(exc, endpoint.binding.rpc)
            return error_response(outbound, code, message)
        finally:
            if self._observe is not None:
                self._observe("http", endpoint.binding.rpc, code, time.perf_counter() - started)
        return Response(content, headers=headers, media_type=outbound.content_type)

    async def _body(self, request: Request) -> bytes:
        body = bytearray()
        try:
            async for chunk in request.stream():
                body += chunk
                if len(body) > self._max_body_bytes:
                    raise ResourceExhausted(f"request body is larger than {self._max_body_bytes} bytes")
        except ClientDisconnect:
            raise InvalidArgument("the request body was interrupted") from None
        return bytes(body)


def _serve(
    endpoint: Endpoint, params: dict[str, str], query: bytes, body: bytes, inbound: Codec, outbound: Codec
) -> tuple[bytes, dict[str, str]]:
    """Decode, call, encode: all in a worker thread, since a large listing takes a while to encode."""
    binding = endpoint.binding
    answer = endpoint.call(decode_request(binding, endpoint.request_type(), params, query, body, inbound))
    sent = getattr(answer, binding.response_body) if binding.response_body else answer
    return outbound.encode(sent), forwarded_headers(answer)


class GatewayRoute(BaseRoute):
    """Mounts the gateway in a Starlette app for the paths it claims (`/api/...`, `/me`, ...); routes listed before
    it keep theirs, and any path under a claimed first segment that no RPC has is the gateway's own 404."""

    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http" and self.gateway.claims(scope["path"]):
            return Match.FULL, {}
        return Match.NONE, {}

    def url_path_for(self, name: str, /, **path_params: Any) -> Any:
        raise NoMatchFound(name, path_params)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.gateway(scope, receive, send)
