"""`delegate`: a FlyteRemote method that is a resource module's function, bound to the remote's context."""

from __future__ import annotations

import inspect
from typing import Any

from flyteplane.remote.delegate import delegate


def greet(ctx: Any, name: str, punctuation: str = "!") -> str:
    """Greets `name` from the context."""
    return f"{ctx} greets {name}{punctuation}"


class Remote:
    hello = delegate(greet)
    hi = hello

    def __init__(self, ctx: Any) -> None:
        self._ctx = ctx


def test_the_method_calls_the_function_with_the_remotes_context() -> None:
    assert Remote("ctx").hello("flyte", punctuation="?") == "ctx greets flyte?"


def test_the_method_shows_the_functions_parameters_without_the_context_and_its_doc() -> None:
    method = Remote("ctx").hello
    assert list(inspect.signature(method).parameters) == ["name", "punctuation"]
    assert method.__doc__ == "Greets `name` from the context."
    assert method.__name__ == "hello"
    assert list(inspect.signature(Remote.hello).parameters) == ["self", "name", "punctuation"]


def test_an_alias_keeps_the_first_name_and_calls_the_same_function() -> None:
    assert Remote("ctx").hi.__name__ == "hello"
    assert Remote("ctx").hi("x") == "ctx greets x!"


def test_called_on_the_class_with_a_remote_it_works_as_a_plain_method_does() -> None:
    assert Remote.hello(Remote("ctx"), "flyte") == "ctx greets flyte!"
