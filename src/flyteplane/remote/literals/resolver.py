"""LiteralsResolver: an execution's inputs or outputs, read as Python values on access.

Named as flytekit's class and used the same way (`outputs["o0"]`, `outputs.get("o0", as_type=int)`,
`outputs.literals`). Values are converted once, on first access, with the interface's literal types and any Python
types the caller knows (type hints from a locally defined task or workflow).
"""

from __future__ import annotations

from collections.abc import ItemsView, Iterator, KeysView, Mapping
from typing import Any

from flyteidl.core import literals_pb2

from flyteplane.remote.literals.converter import LiteralConverter

__all__ = ["LiteralsResolver"]


class LiteralsResolver:
    """Read-only mapping of variable name to Python value, backed by the literals."""

    def __init__(
        self,
        literals: Mapping[str, literals_pb2.Literal],
        variables: Mapping[str, Any] | None = None,
        converter: LiteralConverter | None = None,
        type_hints: Mapping[str, Any] | None = None,
    ) -> None:
        self._literals = dict(literals)
        self._variables = dict(variables or {})
        self._converter = converter or LiteralConverter()
        self._type_hints = dict(type_hints or {})
        self._values: dict[str, Any] = {}

    @property
    def literals(self) -> dict[str, literals_pb2.Literal]:
        return dict(self._literals)

    @property
    def variables(self) -> dict[str, Any]:
        return dict(self._variables)

    def to_literal_map(self) -> literals_pb2.LiteralMap:
        return literals_pb2.LiteralMap(literals=self._literals)

    def update_type_hints(self, type_hints: Mapping[str, Any]) -> None:
        """Python types to read values as (values already read are read again)."""
        self._type_hints.update(type_hints)
        for name in type_hints:
            self._values.pop(name, None)

    def get(self, attr: str, as_type: Any = None) -> Any:
        """The value of `attr`, as `as_type` when given (e.g. a dataclass for a STRUCT output)."""
        if attr not in self._literals:
            raise KeyError(f"{attr!r} is not among {sorted(self._literals)}")
        if as_type is not None:
            return self._convert(attr, as_type)
        if attr not in self._values:
            self._values[attr] = self._convert(attr, self._type_hints.get(attr))
        return self._values[attr]

    def _convert(self, attr: str, python_type: Any) -> Any:
        variable = self._variables.get(attr)
        literal_type = variable.type if variable is not None else None
        return self._converter.to_python(self._literals[attr], literal_type, python_type)

    def as_dict(self) -> dict[str, Any]:
        return {name: self.get(name) for name in self._literals}

    def __getitem__(self, key: str) -> Any:
        return self.get(key)

    def __contains__(self, key: object) -> bool:
        return key in self._literals

    def __iter__(self) -> Iterator[str]:
        return iter(self._literals)

    def __len__(self) -> int:
        return len(self._literals)

    def keys(self) -> KeysView[str]:
        return self._literals.keys()

    def items(self) -> ItemsView[str, Any]:
        return self.as_dict().items()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LiteralsResolver):
            return self._literals == other._literals
        if isinstance(other, Mapping):
            return self.as_dict() == dict(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        try:
            shown = {name: self.get(name) for name in self._literals}
        except Exception:  # a value flytekit would be needed for: show the names only
            return f"LiteralsResolver({sorted(self._literals)})"
        return f"LiteralsResolver({shown!r})"
