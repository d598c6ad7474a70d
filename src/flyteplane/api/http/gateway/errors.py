"""Failed calls as grpc-gateway answers them: a `google.rpc.Status` body in the response encoding
(`{"code": 5, "message": "...", "details": []}` in JSON) with the HTTP status of its gRPC code."""

from __future__ import annotations

import grpc
from google.rpc import status_pb2
from starlette.responses import Response

from flyteplane.api.http.gateway.codecs import Codec
from flyteplane.api.http.gateway.headers import header_safe
from flyteplane.api.http.gateway.router import Miss

__all__ = ["HTTP_STATUS", "ROUTING_FAILURES", "error_response"]

HTTP_STATUS: dict[grpc.StatusCode, int] = {
    grpc.StatusCode.OK: 200,
    grpc.StatusCode.CANCELLED: 499,
    grpc.StatusCode.UNKNOWN: 500,
    grpc.StatusCode.INVALID_ARGUMENT: 400,
    grpc.StatusCode.DEADLINE_EXCEEDED: 504,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.ALREADY_EXISTS: 409,
    grpc.StatusCode.PERMISSION_DENIED: 403,
    grpc.StatusCode.UNAUTHENTICATED: 401,
    grpc.StatusCode.RESOURCE_EXHAUSTED: 429,
    grpc.StatusCode.FAILED_PRECONDITION: 400,  # grpc-gateway: deliberately not 412
    grpc.StatusCode.ABORTED: 409,
    grpc.StatusCode.OUT_OF_RANGE: 400,
    grpc.StatusCode.UNIMPLEMENTED: 501,
    grpc.StatusCode.INTERNAL: 500,
    grpc.StatusCode.UNAVAILABLE: 503,
    grpc.StatusCode.DATA_LOSS: 500,
}

# grpc-gateway's answers for a path no route has (404) and for a route of another HTTP method (501).
ROUTING_FAILURES: dict[Miss, tuple[grpc.StatusCode, str]] = {
    Miss.NOT_FOUND: (grpc.StatusCode.NOT_FOUND, "Not Found"),
    Miss.METHOD_NOT_ALLOWED: (grpc.StatusCode.UNIMPLEMENTED, "Method Not Allowed"),
}


def error_response(codec: Codec, code: grpc.StatusCode, message: str) -> Response:
    status = status_pb2.Status(code=code.value[0], message=message)
    headers = {}
    if code == grpc.StatusCode.UNAUTHENTICATED:
        headers["WWW-Authenticate"] = header_safe(message)
    return Response(codec.encode(status), HTTP_STATUS[code], headers, media_type=codec.content_type)
