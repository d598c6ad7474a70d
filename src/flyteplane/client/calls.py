"""Friendly operations written once, run by both friendly clients: one blocking, one awaiting.

An operation is a method that builds a `Call` (which RPC, which request, how to read the response) and does no
I/O. `@operation` makes it a client method: on SynchronousFlyteClient it returns the result, on AsyncFlyteClient
an awaitable of it; `@paged` makes a Pages-building method a page-walking iterator (an async iterator on the async
client). The request building and the response reading are therefore shared, and each client only decides how to
wait. Inside an operation, `self.other_operation.call(...)` builds the other operation's Call without running it.
"""

from __future__ import annotations

import functools
import inspect
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from dataclasses import dataclass
from typing import Any, Concatenate, Generic, ParamSpec, Protocol, TypeVar, overload

from flyteplane.client.exceptions import FlyteSystemException
from flyteplane.client.rpcs import RpcSpec

__all__ = [
    "AsyncRunner",
    "BoundOperation",
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
Built = TypeVar("Built")
SyncOut = TypeVar("SyncOut")
AsyncOut = TypeVar("AsyncOut")
Built_co = TypeVar("Built_co", covariant=True)
Out_co = TypeVar("Out_co", covariant=True)

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


class Builds(Protocol[P, Built_co]):
    """An operation seen from inside another one: `call(...)` builds without running."""

    def call(self, *args: P.args, **kwargs: P.kwargs) -> Built_co: ...


class BoundOperation(Builds[P, Built_co], Protocol[P, Out_co, Built_co]):
    """An operation on a client: calling it runs it (the result, or an awaitable or iterator of it)."""

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> Out_co: ...


def _without_client(build: Callable[P, Built]) -> Callable[Concatenate[Any, P], Built]:
    """`build` as a method that ignores its `self`: for builders that need no client (e.g. methods of a table row)."""

    def method(_client: Any, /, *args: P.args, **kwargs: P.kwargs) -> Built:
        return build(*args, **kwargs)

    parameters = list(inspect.signature(build).parameters.values())
    method.__name__ = getattr(build, "__name__", "method")
    method.__doc__ = build.__doc__
    method.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter("_client", inspect.Parameter.POSITIONAL_ONLY), *parameters]
    )
    return method


class _ClientMethod(ABC, Generic[P, Built, SyncOut, AsyncOut]):
    """A builder method (`self` first, then the caller's arguments) that each kind of client runs its own way."""

    def __init__(self, build: Callable[Concatenate[Any, P], Built]) -> None:
        self.build = build
        self._name = getattr(build, "__name__", type(self).__name__)
        self._cached_signature: inspect.Signature | None = None

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    def _signature(self) -> inspect.Signature:
        """The builder's parameters without `self` and without its return annotation, which the method differs in."""
        if self._cached_signature is None:
            signature = inspect.signature(self.build)
            self._cached_signature = signature.replace(
                parameters=list(signature.parameters.values())[1:], return_annotation=inspect.Signature.empty
            )
        return self._cached_signature

    @abstractmethod
    def _blocking(self, runner: SyncRunner, build: Callable[P, Built]) -> Callable[P, SyncOut]: ...

    @abstractmethod
    def _awaiting(self, runner: AsyncRunner, build: Callable[P, Built]) -> Callable[P, AsyncOut]: ...

    @overload
    def __get__(self, instance: None, owner: type) -> _ClientMethod[P, Built, SyncOut, AsyncOut]: ...
    @overload
    def __get__(self, instance: SyncRunner, owner: type) -> BoundOperation[P, SyncOut, Built]: ...
    @overload
    def __get__(self, instance: AsyncRunner, owner: type) -> BoundOperation[P, AsyncOut, Built]: ...
    @overload
    def __get__(self, instance: object, owner: type) -> Builds[P, Built]: ...
    def __get__(self, instance: object, owner: type) -> Any:
        if instance is None:
            return self
        build: Callable[P, Built] = functools.partial(self.build, instance)
        method: Any
        if isinstance(instance, AsyncRunner):
            method = self._awaiting(instance, build)
        elif isinstance(instance, SyncRunner):
            method = self._blocking(instance, build)
        else:
            raise TypeError(f"{type(instance).__name__} cannot run Flyte operations")
        method.call = build
        method.__name__ = self._name
        method.__qualname__ = f"{owner.__name__}.{self._name}"
        method.__doc__ = self.build.__doc__
        method.__signature__ = self._signature()
        return method


class operation(_ClientMethod[P, Call[R], R, Coroutine[Any, Any, R]]):  # lower case: used like `property`
    """Makes a Call-building method a method of both friendly clients."""

    def __init__(self, build: Callable[Concatenate[Any, P], Call[R]]) -> None:
        super().__init__(build)

    @staticmethod
    def of(build: Callable[P, Call[R]]) -> operation[P, R]:
        """An operation from a builder that needs no client, named after the attribute it is assigned to."""
        return operation(_without_client(build))

    def _blocking(self, runner: SyncRunner, build: Callable[P, Call[R]]) -> Callable[P, R]:
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            return runner.run(build(*args, **kwargs))

        return run

    def _awaiting(self, runner: AsyncRunner, build: Callable[P, Call[R]]) -> Callable[P, Coroutine[Any, Any, R]]:
        async def run_async(*args: P.args, **kwargs: P.kwargs) -> R:
            return await runner.run(build(*args, **kwargs))

        return run_async


class paged(_ClientMethod[P, Pages[T], Iterator[T], AsyncIterator[T]]):  # lower case: used like `property`
    """Makes a Pages-building method an iterator method (an async iterator on the async client)."""

    def __init__(self, build: Callable[Concatenate[Any, P], Pages[T]]) -> None:
        super().__init__(build)

    @staticmethod
    def of(build: Callable[P, Pages[T]]) -> paged[P, T]:
        """A paged method from a builder that needs no client, named after the attribute it is assigned to."""
        return paged(_without_client(build))

    def _blocking(self, runner: SyncRunner, build: Callable[P, Pages[T]]) -> Callable[P, Iterator[T]]:
        return lambda *args, **kwargs: walk(runner, build(*args, **kwargs))

    def _awaiting(self, runner: AsyncRunner, build: Callable[P, Pages[T]]) -> Callable[P, AsyncIterator[T]]:
        return lambda *args, **kwargs: walk_async(runner, build(*args, **kwargs))
