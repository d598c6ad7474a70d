"""One descriptor turns an RpcSpec into a method of both raw clients: blocking on one, awaitable on the other.

The raw clients differ only in `invoke` (blocking vs `async def`); the table of RPC methods is built once and
inherited by both. `RpcMethod[Request, Response]` carries the RPC's message types, so a type checker sees
`raw.get_task(request) -> Task` on the blocking client and `-> Awaitable[Task]` on the asyncio one.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Coroutine, Sequence
from typing import Any, Generic, Protocol, TypeVar, overload

from flyteplane.client.idl import SupportsFlyteIdl, to_idl
from flyteplane.client.rpcs import RpcSpec

__all__ = [
    "AsyncInvoker",
    "Metadata",
    "RpcCallable",
    "RpcMethod",
    "SyncInvoker",
    "request_message",
]

Metadata = Sequence[tuple[str, str | bytes]]

Request = TypeVar("Request")
Response = TypeVar("Response")
Request_contra = TypeVar("Request_contra", contravariant=True)
Out_co = TypeVar("Out_co", covariant=True)


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


class RpcCallable(Protocol[Request_contra, Out_co]):
    """A raw method: the request message (or a model with `to_flyte_idl()`, or None) in; out, the response on a
    blocking client and an awaitable of it on an asyncio one."""

    def __call__(
        self,
        request: Request_contra | SupportsFlyteIdl | None = None,
        *,
        timeout: float | None = None,
        metadata: Metadata | None = None,
    ) -> Out_co: ...


class RpcMethod(Generic[Request, Response]):
    """A raw client method sending `spec`'s request (None sends an empty one) and returning its response."""

    def __init__(self, spec: RpcSpec) -> None:
        self.spec = spec
        self.__doc__ = (
            f"{spec.name}: takes {spec.request_type.DESCRIPTOR.full_name}, "
            f"returns {spec.response_type.DESCRIPTOR.full_name}."
        )

    @overload
    def __get__(self, instance: None, owner: type) -> RpcMethod[Request, Response]: ...
    @overload
    def __get__(self, instance: SyncInvoker, owner: type) -> RpcCallable[Request, Response]: ...
    @overload
    def __get__(self, instance: AsyncInvoker, owner: type) -> RpcCallable[Request, Coroutine[Any, Any, Response]]: ...
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
