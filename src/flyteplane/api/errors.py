"""Maps the project's errors to gRPC status codes; anything unexpected becomes INTERNAL, never UNKNOWN.

flytekit answers UNKNOWN (and UNAUTHENTICATED) by starting a browser login, so no handler may ever end that way.
"""

from __future__ import annotations

import logging

import grpc

from flyteplane import errors

log = logging.getLogger(__name__)

# Status messages travel in HTTP/2 trailers; gRPC clients refuse metadata over 8-16 KiB by default, so a longer
# message would turn the real error into RESOURCE_EXHAUSTED on the client.
MAX_MESSAGE_BYTES = 7000

STATUS_OF: dict[type[errors.FlyteplaneError], grpc.StatusCode] = {
    errors.InvalidArgument: grpc.StatusCode.INVALID_ARGUMENT,
    errors.NotFound: grpc.StatusCode.NOT_FOUND,
    errors.AlreadyExists: grpc.StatusCode.ALREADY_EXISTS,
    errors.FailedPrecondition: grpc.StatusCode.FAILED_PRECONDITION,
    errors.ResourceExhausted: grpc.StatusCode.RESOURCE_EXHAUSTED,
    errors.Unimplemented: grpc.StatusCode.UNIMPLEMENTED,
    errors.Unauthenticated: grpc.StatusCode.UNAUTHENTICATED,
    errors.PermissionDenied: grpc.StatusCode.PERMISSION_DENIED,
}


def status_of(error: errors.FlyteplaneError) -> grpc.StatusCode:
    for kind in type(error).__mro__:
        if kind in STATUS_OF:
            return STATUS_OF[kind]  # type: ignore[index]
    return grpc.StatusCode.INTERNAL


def truncate(message: str) -> str:
    """Caps a status message so that every client can receive it (flyteadmin's 32000 bytes is too much)."""
    encoded = message.encode()
    if len(encoded) <= MAX_MESSAGE_BYTES:
        return message
    return encoded[: MAX_MESSAGE_BYTES - 20].decode(errors="ignore") + "... (truncated)"


def failure_status(exc: Exception, rpc: str) -> tuple[grpc.StatusCode, str]:
    """The code and message an RPC that raised `exc` answers with, on gRPC and HTTP alike; a bug is logged and
    answered INTERNAL, naming the RPC (`rpc` is `Service.Method`)."""
    if isinstance(exc, errors.FlyteplaneError):
        return status_of(exc), truncate(exc.message)
    log.error("%s failed", rpc, exc_info=exc)
    return grpc.StatusCode.INTERNAL, f"{rpc} failed with an internal error; see server log"
