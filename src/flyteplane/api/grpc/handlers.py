"""Builds gRPC handlers for whole flyteidl services from their descriptors.

Every RPC of a service is served: a method the implementation defines (named as the RPC, e.g. `CreateTask`)
is called with the decoded request and returns the response message; any other RPC answers UNIMPLEMENTED with
a message naming it. Errors are mapped in one place, so no handler can end with UNKNOWN.

Request bodies reach the handler as raw bytes and are parsed here, not by grpcio's deserializer hook: a body that
is not the RPC's message then answers INVALID_ARGUMENT naming the RPC. grpcio's own failure path answers INTERNAL,
logs a traceback per request and keeps about 20 KB of memory each time (issue 9).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc
from google.protobuf import message_factory
from google.protobuf.descriptor import MethodDescriptor, ServiceDescriptor
from google.protobuf.message import Message

from flyteplane import errors
from flyteplane.api.errors import failure_status
from flyteplane.api.rpcs import ServiceImplementation
from flyteplane.api.well_formed import first_problem

Handler = Callable[[Any], Any]
# Told of every answered RPC: wire ("grpc" or "http"), "Service.Method", status code, seconds taken (metrics).
RpcObserver = Callable[[str, str, grpc.StatusCode, float], None]


def _decode(request_type: type[Message], body: bytes) -> Message | None:
    """The request message, or None when the body is not one (any parse failure is the caller's)."""
    try:
        return request_type.FromString(body)
    except Exception:
        return None


def _wrap(
    full_name: str, request_type: type[Message], handler: Handler
) -> Callable[[bytes, grpc.ServicerContext], Any]:
    message_name = request_type.DESCRIPTOR.full_name

    def call(body: bytes, context: grpc.ServicerContext) -> Any:
        request = _decode(request_type, body)
        if request is None:
            context.abort(
                grpc.StatusCode.INVALID_ARGUMENT, f"{full_name}: the request body is not a valid {message_name}"
            )
        try:
            return handler(request)
        except Exception as exc:
            context.abort(*failure_status(exc, full_name))

    return call


def _unimplemented(service: str, method: str) -> Handler:
    def handler(_request: Any) -> Any:
        raise errors.Unimplemented(f"{service}.{method} is not available yet in flyteplane")

    return handler


def rpc_handler(service: ServiceDescriptor, method: str, implementation: object) -> Handler:
    """The callable serving `method`: the implementation's same-named method, or one answering UNIMPLEMENTED.

    Requests that are not well formed (a resource type flyteidl does not define, a Duration beyond 10,000
    years, NaN in a Struct ...) are refused first, naming the field. The HTTP gateway calls the very same
    callable, so both wires answer alike."""
    handler: Handler | None = getattr(implementation, method, None)
    serve = handler or _unimplemented(service.name, method)
    full_name = f"{service.name}.{method}"

    def checked(request: Any) -> Any:
        problem = first_problem(request)
        if problem is not None:
            raise errors.InvalidArgument(f"{full_name}: {problem}")
        return serve(request)

    return checked


def service_handler(descriptor: ServiceDescriptor, implementation: object) -> grpc.GenericRpcHandler[Any, Any]:
    """A handler serving every method of `descriptor`, dispatching to same-named methods of `implementation`."""
    method_handlers: dict[str, grpc.RpcMethodHandler[Any, Any]] = {}
    method: MethodDescriptor
    for method in descriptor.methods:
        if method.client_streaming or method.server_streaming:
            continue  # none of the five services has streaming RPCs in flyteidl 1.16
        request_type = message_factory.GetMessageClass(method.input_type)
        response_type = message_factory.GetMessageClass(method.output_type)
        method_handlers[method.name] = grpc.unary_unary_rpc_method_handler(
            _wrap(
                f"{descriptor.name}.{method.name}", request_type, rpc_handler(descriptor, method.name, implementation)
            ),
            request_deserializer=None,  # raw bytes: _wrap parses them
            response_serializer=response_type.SerializeToString,
        )
    return grpc.method_handlers_generic_handler(descriptor.full_name, method_handlers)


def grpc_handlers(implementations: list[ServiceImplementation]) -> list[grpc.GenericRpcHandler[Any, Any]]:
    """gRPC handlers for every RPC of the five services."""
    return [service_handler(descriptor, rpcs) for descriptor, rpcs in implementations]
