"""Tells the metrics of every gRPC call: method, status code and time, measured around everything else.

It is the outermost interceptor, so a GetExecution that the first-look wait holds (and answers by asking the
service again every few milliseconds) counts once, with the time the client waited.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import grpc

from flyteplane.api.grpc.handlers import RpcObserver

__all__ = ["ObservedCalls"]


def rpc_name(method: str) -> str:
    """ "/flyteidl.service.AdminService/GetVersion" -> "AdminService.GetVersion", as the HTTP gateway names it."""
    service, _, name = method.lstrip("/").rpartition("/")
    return f"{service.rsplit('.', 1)[-1]}.{name}"


class ObservedCalls(grpc.ServerInterceptor):  # type: ignore[misc,type-arg]
    def __init__(self, observe: RpcObserver) -> None:
        self._observe = observe

    def intercept_service(self, continuation: Callable[[Any], Any], details: Any) -> Any:
        handler = continuation(details)
        if handler is None or handler.unary_unary is None:
            return handler  # an unknown method: grpcio answers UNIMPLEMENTED itself
        inner = handler.unary_unary
        name = rpc_name(details.method)
        observe = self._observe

        def observed(request: Any, context: grpc.ServicerContext) -> Any:
            started = time.perf_counter()
            code = grpc.StatusCode.OK
            try:
                return inner(request, context)
            except BaseException:
                code = context.code() or grpc.StatusCode.UNKNOWN  # type: ignore[attr-defined]  # set by abort()
                raise
            finally:
                observe("grpc", name, code, time.perf_counter() - started)

        return grpc.unary_unary_rpc_method_handler(
            observed,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )
