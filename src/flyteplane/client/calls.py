"""Friendly operations written once, run by both friendly clients: one blocking, one awaiting.

An operation is a plain function that builds a `Call` (which RPC, which request, how to read the response) and does
no I/O. `operation(fn)` makes it a method: on SynchronousFlyteClient it returns the result, on AsyncFlyteClient
an awaitable of it; `paged(fn)` makes a page-walking iterator (async iterator on the async client). The request
building and the response reading are therefore shared, and each client only decides how to wait.
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from dataclasses import dataclass
from typing import Any, Generic, ParamSpec, TypeVar, overload

from flyteplane.client.exceptions import FlyteSystemException
from flyteplane.client.rpcs import RpcSpec

__all__ = [
    "AsyncRunner",
    "Call",
    "Page",
    "Pages",
    "SyncRunner",
    "discard",
    "operation",
    "paged",
    "walk",
    "walk_async",
]

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")

Page = tuple[list[T], str]
"""One page of a listing and the token of the next ("" when it was the last)."""


def _unchanged(response: Any) -> Any:
    return response


def discard(_response: Any) -> None:
    """For operations that, like flytekit's, return nothing: the response message carries no information."""
    return None


@dataclass(frozen=True)
class Call(Generic[R]):
    """One RPC to make: `result` turns the response into what the friendly method returns.

    `cached` responses are kept in the client's LRU cache (keyed by RPC and request bytes); `evicts` names RPCs
    whose cached responses this call makes stale.
    """

    rpc: RpcSpec
    request: Any
    result: Callable[[Any], R] = _unchanged
    cached: bool = False
    evicts: tuple[RpcSpec, ...] = ()


@dataclass(frozen=True)
class Pages(Generic[T]):
    """A listing to walk: `page(token)` is the Call for the page starting at `token` ("" for the first)."""

    page: Callable[[str], Call[Page[T]]]


class SyncRunner(ABC):
    """A client that runs a Call and blocks for its result."""

    @abstractmethod
    def run(self, call: Call[R]) -> R: ...


class AsyncRunner(ABC):
    """A client that runs a Call on an event loop."""

    @abstractmethod
    async def run(self, call: Call[R]) -> R: ...


def _next_token(token: str, seen: set[str], rpc: RpcSpec) -> str:
    if token in seen:
        raise FlyteSystemException(f"{rpc.name} returned page token {token!r} twice; stopping to avoid a loop")
    seen.add(token)
    return token


def walk(runner: SyncRunner, pages: Pages[T]) -> Iterator[T]:
    """Every item of every page, fetching the next page only when the previous one is used up."""
    token, seen = "", set[str]()
    while True:
        call = pages.page(token)
        items, token = runner.run(call)
        yield from items
        if not token:
            return
        token = _next_token(token, seen, call.rpc)


async def walk_async(runner: AsyncRunner, pages: Pages[T]) -> AsyncIterator[T]:
    """The async twin of `walk`."""
    token, seen = "", set[str]()
    while True:
        call = pages.page(token)
        items, token = await runner.run(call)
        for item in items:
            yield item
        if not token:
            return
        token = _next_token(token, seen, call.rpc)


def _describe(target: Any, build: Callable[..., Any], signature: inspect.Signature | None = None) -> Any:
    """Gives a descriptor or bound method the builder's name and docstring (and signature), for help()."""
    for attribute in ("__module__", "__name__", "__qualname__", "__doc__"):
        setattr(target, attribute, getattr(build, attribute, None))
    if signature is not None:
        target.__signature__ = signature
    return target


def _method_signature(build: Callable[..., Any]) -> inspect.Signature:
    """The builder's parameters without its `Call[...]` return annotation, which the method does not return."""
    return inspect.signature(build).replace(return_annotation=inspect.Signature.empty)


class operation(Generic[P, R]):  # lower case: used like `property`
    """Makes a Call-building function a method of both friendly clients."""

    def __init__(self, build: Callable[P, Call[R]]) -> None:
        self.build = build
        self._cached_signature: inspect.Signature | None = None
        _describe(self, build)

    def _signature(self) -> inspect.Signature:
        if self._cached_signature is None:
            self._cached_signature = _method_signature(self.build)
        return self._cached_signature

    @overload
    def __get__(self, instance: None, owner: type) -> operation[P, R]: ...
    @overload
    def __get__(self, instance: SyncRunner, owner: type) -> Callable[P, R]: ...
    @overload
    def __get__(self, instance: AsyncRunner, owner: type) -> Callable[P, Coroutine[Any, Any, R]]: ...
    def __get__(self, instance: object, owner: type) -> Any:
        if instance is None:
            return self
        build = self.build
        if isinstance(instance, AsyncRunner):
            runner = instance

            async def run_async(*args: P.args, **kwargs: P.kwargs) -> R:
                return await runner.run(build(*args, **kwargs))

            return _describe(run_async, build, self._signature())
        if isinstance(instance, SyncRunner):
            sync_runner = instance

            def run(*args: P.args, **kwargs: P.kwargs) -> R:
                return sync_runner.run(build(*args, **kwargs))

            return _describe(run, build, self._signature())
        raise TypeError(f"{type(instance).__name__} cannot run Flyte operations")


class paged(Generic[P, T]):  # lower case: used like `property`
    """Makes a Pages-building function an iterator method (an async iterator on the async client)."""

    def __init__(self, build: Callable[P, Pages[T]]) -> None:
        self.build = build
        self._cached_signature: inspect.Signature | None = None
        _describe(self, build)

    def _signature(self) -> inspect.Signature:
        if self._cached_signature is None:
            self._cached_signature = _method_signature(self.build)
        return self._cached_signature

    @overload
    def __get__(self, instance: None, owner: type) -> paged[P, T]: ...
    @overload
    def __get__(self, instance: SyncRunner, owner: type) -> Callable[P, Iterator[T]]: ...
    @overload
    def __get__(self, instance: AsyncRunner, owner: type) -> Callable[P, AsyncIterator[T]]: ...
    def __get__(self, instance: object, owner: type) -> Any:
        if instance is None:
            return self
        build = self.build
        if isinstance(instance, AsyncRunner):
            runner = instance

            def iterate_async(*args: P.args, **kwargs: P.kwargs) -> AsyncIterator[T]:
                return walk_async(runner, build(*args, **kwargs))

            return _describe(iterate_async, build, self._signature())
        if isinstance(instance, SyncRunner):
            sync_runner = instance

            def iterate(*args: P.args, **kwargs: P.kwargs) -> Iterator[T]:
                return walk(sync_runner, build(*args, **kwargs))

            return _describe(iterate, build, self._signature())
        raise TypeError(f"{type(instance).__name__} cannot run Flyte operations")
