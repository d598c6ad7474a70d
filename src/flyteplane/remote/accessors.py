"""Read-only attributes of FlyteRemote's objects, declared as what they read: one field of a wrapped message.

Entities and executions wrap the flyteidl messages Flyte Admin returned and expose flytekit's attribute names for
their fields. Instead of a property per attribute, each is one line, e.g. for a task
`container = field_of("_template", "container", if_set=True)`: read `self._template.container`, None when unset.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

__all__ = ["FieldOf", "field_of"]

T = TypeVar("T")


def _same(value: Any) -> Any:
    return value


class FieldOf(Generic[T]):
    """`instance.<source>.<path>` (a dotted path; empty for the source itself), passed through `convert`."""

    def __init__(
        self, source: str, path: str, convert: Callable[[Any], T], if_set: bool, doc: str | None = None
    ) -> None:
        self.source = source
        self.path = tuple(path.split(".")) if path else ()
        self.convert = convert
        self.if_set = if_set
        self.__doc__ = doc
        self.name = path or source

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type) -> FieldOf[T]: ...
    @overload
    def __get__(self, instance: object, owner: type) -> T: ...
    def __get__(self, instance: object, owner: type) -> Any:
        if instance is None:
            return self
        value = getattr(instance, self.source)
        for part in self.path[:-1]:
            value = getattr(value, part)
        if self.path:
            if self.if_set and not value.HasField(self.path[-1]):
                return None
            value = getattr(value, self.path[-1])
        return self.convert(value)

    def __set__(self, instance: object, value: Any) -> None:
        raise AttributeError(f"{type(instance).__name__}.{self.name} is read-only")


@overload
def field_of(source: str, path: str = "", *, if_set: bool = False, doc: str | None = None) -> FieldOf[Any]: ...
@overload
def field_of(source: str, path: str, convert: Callable[[Any], T], *, doc: str | None = None) -> FieldOf[T]: ...
def field_of(
    source: str,
    path: str = "",
    convert: Callable[[Any], Any] = _same,
    *,
    if_set: bool = False,
    doc: str | None = None,
) -> FieldOf[Any]:
    """A read-only attribute reading `path` of the attribute `source`; with `if_set`, None for an unset message
    field; `convert` turns what it read into what the attribute gives (e.g. `str`, `list`, a wrapper's factory)."""
    return FieldOf(source, path, convert, if_set, doc)
