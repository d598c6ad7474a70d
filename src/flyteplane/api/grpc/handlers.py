"""Builds gRPC handlers for whole flyteidl services from their descriptors.

Every RPC of a service is served: a method the implementation defines (named as the RPC, e.g. `CreateTask`)
is called with the decoded request and returns the response message; any other RPC answers UNIMPLEMENTED with
a message naming it. Errors are mapped in one place, so no handler can end with UNKNOWN.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc
from google.protobuf import message_factory
from google.protobuf.descriptor import MethodDescriptor, ServiceDescriptor

from flyteplane import errors
from flyteplane.api.errors import failure_status
from flyteplane.api.rpcs import ServiceImplementation

Handler = Callable[[Any], Any]


def _wrap(full_name: str, handler: Handler) -> Callable[[Any, grpc.ServicerContext], Any]:
    def call(request: Any, context: grpc.ServicerContext) -> Any:
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

    The HTTP gateway calls the very same callable, so both wires answer alike."""
    handler: Handler | None = getattr(implementation, method, None)
    return handler or _unimplemented(service.name, method)


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
            _wrap(f"{descriptor.name}.{method.name}", rpc_handler(descriptor, method.name, implementation)),
            request_deserializer=request_type.FromString,
            response_serializer=response_type.SerializeToString,
        )
    return grpc.method_handlers_generic_handler(descriptor.full_name, method_handlers)


def grpc_handlers(implementations: list[ServiceImplementation]) -> list[grpc.GenericRpcHandler[Any, Any]]:
    """gRPC handlers for every RPC of the five services."""
    return [service_handler(descriptor, rpcs) for descriptor, rpcs in implementations]
