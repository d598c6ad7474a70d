"""One descriptor turns an RpcSpec into a method of both raw clients: blocking on one, awaitable on the other.

The raw clients differ only in `invoke` (blocking vs `async def`); the table of RPC methods is written once and
inherited by both, and a type checker still sees the right signature on each.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Coroutine, Sequence
from typing import Any, Protocol, overload

from flyteplane.client.idl import to_idl
from flyteplane.client.rpcs import RpcSpec

__all__ = [
    "AsyncInvoker",
    "AsyncRpcCallable",
    "Metadata",
    "RpcMethod",
    "SyncInvoker",
    "SyncRpcCallable",
    "request_message",
]

Metadata = Sequence[tuple[str, str | bytes]]


class SyncInvoker(ABC):
    """Sends one unary RPC and blocks for its response."""

    @abstractmethod
    def invoke(
        self, rpc: RpcSpec, request: Any = None, *, timeout: float | None = None, metadata: Metadata | None = None
    ) -> Any: ...


class AsyncInvoker(ABC):
    """Sends one unary RPC on an asyncio channel."""

    @abstractmethod
    async def invoke(
        self, rpc: RpcSpec, request: Any = None, *, timeout: float | None = None, metadata: Metadata | None = None
    ) -> Any: ...


class SyncRpcCallable(Protocol):
    def __call__(
        self, request: Any = None, *, timeout: float | None = None, metadata: Metadata | None = None
    ) -> Any: ...


class AsyncRpcCallable(Protocol):
    def __call__(
        self, request: Any = None, *, timeout: float | None = None, metadata: Metadata | None = None
    ) -> Coroutine[Any, Any, Any]: ...


class RpcMethod:
    """A raw client method sending `spec`'s request (None sends an empty one) and returning its response."""

    def __init__(self, spec: RpcSpec) -> None:
        self.spec = spec
        self.__doc__ = (
            f"{spec.name}: takes {spec.request_type.DESCRIPTOR.full_name}, "
            f"returns {spec.response_type.DESCRIPTOR.full_name}."
        )

    @overload
    def __get__(self, instance: None, owner: type) -> RpcMethod: ...
    @overload
    def __get__(self, instance: SyncInvoker, owner: type) -> SyncRpcCallable: ...
    @overload
    def __get__(self, instance: AsyncInvoker, owner: type) -> AsyncRpcCallable: ...
    def __get__(self, instance: object, owner: type) -> Any:
        if instance is None:
            return self
        if not isinstance(instance, SyncInvoker | AsyncInvoker):
            raise TypeError(f"{type(instance).__name__} cannot send RPCs")
        spec = self.spec
        invoke = instance.invoke

        def method(request: Any = None, *, timeout: float | None = None, metadata: Metadata | None = None) -> Any:
            return invoke(spec, request, timeout=timeout, metadata=metadata)

        method.__name__ = spec.method_name
        method.__qualname__ = f"{type(instance).__name__}.{spec.method_name}"
        method.__doc__ = self.__doc__
        return method


def request_message(spec: RpcSpec, request: Any) -> Any:
    """The request to send: an empty one for None, else `request` as `spec`'s request type (see `idl.to_idl`)."""
    if request is None:
        return spec.request_type()
    return to_idl(request, spec.request_type, f"{spec.name} request")
