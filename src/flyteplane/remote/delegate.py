"""`delegate`: a FlyteRemote method that is a resource module's function of the remote's context.

FlyteRemote holds no logic of its own: `fetch_task = delegate(fetching.fetch_task)` makes `remote.fetch_task(...)`
call `fetching.fetch_task(remote._ctx, ...)`. flytekit's parameter names and defaults are written once, on the
function; the method shows them (inspect.signature, help()) and a type checker sees them.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar, overload

from flyteplane.remote.context import RemoteContext

__all__ = ["delegate"]

P = ParamSpec("P")
R = TypeVar("R")


class delegate(Generic[P, R]):  # lower case: used like `property`
    """Binds `function`'s first argument to the owner's `_ctx`; named after the first attribute it is assigned to."""

    def __init__(self, function: Callable[Concatenate[RemoteContext, P], R]) -> None:
        self.function = function
        self.name: str | None = None
        self.__doc__ = function.__doc__
        signature = inspect.signature(function)
        parameters = list(signature.parameters.values())[1:]
        self.signature = signature.replace(parameters=parameters)
        self.__signature__ = signature.replace(  # as a method on the class: `self` in place of the context
            parameters=[inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD), *parameters]
        )

    def __set_name__(self, owner: type, name: str) -> None:
        if self.name is None:  # `sync = sync_execution` keeps the first name
            self.name = name
            self.__name__ = name
            self.__qualname__ = f"{owner.__name__}.{name}"

    @overload
    def __get__(self, instance: None, owner: type) -> delegate[P, R]: ...
    @overload
    def __get__(self, instance: object, owner: type) -> Callable[P, R]: ...
    def __get__(self, instance: object, owner: type) -> Any:
        if instance is None:
            return self
        function, context = self.function, instance._ctx  # type: ignore[attr-defined]

        def method(*args: P.args, **kwargs: P.kwargs) -> R:
            return function(context, *args, **kwargs)

        method.__name__ = self.name or function.__name__
        method.__qualname__ = f"{owner.__name__}.{method.__name__}"
        method.__doc__ = function.__doc__
        method.__signature__ = self.signature  # type: ignore[attr-defined]
        return method

    def __call__(self, remote: Any, *args: P.args, **kwargs: P.kwargs) -> R:
        """`FlyteRemote.fetch_task(remote, ...)`, as with a plain method."""
        return self.function(remote._ctx, *args, **kwargs)
