"""The console's way into the services: the same checked callables both wires call (well-formedness first, then the
service method named in api/rpcs.py), looked up by RPC name, so a page can never do what an API client cannot."""

from __future__ import annotations

from typing import Any

from flyteplane.api.grpc.handlers import rpc_handler
from flyteplane.api.rpcs import ServiceImplementation

__all__ = ["Rpc"]


class Rpc:
    """`rpc("GetExecution", request)` answers as the gRPC call would, raising the project's errors."""

    def __init__(self, implementations: list[ServiceImplementation]) -> None:
        self._calls: dict[str, Any] = {}
        for descriptor, implementation in implementations:
            for method in descriptor.methods:
                self._calls[method.name] = rpc_handler(descriptor, method.name, implementation)

    def __call__(self, name: str, request: Any) -> Any:
        return self._calls[name](request)
