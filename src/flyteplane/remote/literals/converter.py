"""One entry point for Python <-> literal conversion: the core types here, everything else through flytekit.

The core converter runs first, with no flytekit at all. A value, Python type or literal it does not know goes to
flytekit's TypeEngine when flytekit is installed (so DataFrames, FlyteFiles, Pydantic models... keep working), and
otherwise fails with a message saying that `pip install flytekit` would handle it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flyteidl.core import literals_pb2, types_pb2

from flyteplane.remote.flytekit_support import FlytekitRequired, require_flytekit
from flyteplane.remote.literals.blobs import Fetcher
from flyteplane.remote.literals.decode import decode, is_core_type
from flyteplane.remote.literals.encode import Uploads, encode
from flyteplane.remote.literals.types import NoCoreType, guess_literal_type, literal_type_of

__all__ = ["LiteralConverter"]


def _as_literal_proto(value: Any) -> literals_pb2.Literal | None:
    """A flyteidl Literal given directly, or a flytekit Literal model (anything rendering to one)."""
    if isinstance(value, literals_pb2.Literal):
        return value
    render = getattr(value, "to_flyte_idl", None)
    if callable(render) and type(value).__name__ == "Literal":
        rendered = render()
        if isinstance(rendered, literals_pb2.Literal):
            return rendered
    return None


class LiteralConverter:
    """Converts with the core types first; `flytekit_context` builds flytekit's context when it is needed."""

    def __init__(
        self,
        uploads: Uploads | None = None,
        fetch: Fetcher | None = None,
        flytekit_context: Callable[[], Any] | None = None,
    ) -> None:
        self._uploads = uploads
        self._fetch = fetch
        self._flytekit_context = flytekit_context
        self._context: Any = None

    # -- Python to literal --

    def to_literal(
        self, value: Any, literal_type: types_pb2.LiteralType | None = None, python_type: Any = None
    ) -> literals_pb2.Literal:
        """`value` as a literal of `literal_type` (guessed from `python_type` or the value when None)."""
        given = _as_literal_proto(value)
        if given is not None:
            return given
        if python_type is not None and not is_core_type(python_type):
            return self._flytekit_to_literal(value, literal_type, python_type, f"{python_type!r} is not a core type")
        try:
            if literal_type is None:
                literal_type = literal_type_of(python_type) if python_type is not None else guess_literal_type(value)
            return encode(value, literal_type, self._uploads)
        except NoCoreType as e:
            return self._flytekit_to_literal(value, literal_type, python_type, str(e))

    def to_literal_map(
        self,
        values: Mapping[str, Any],
        variables: Mapping[str, Any],
        type_hints: Mapping[str, Any] | None = None,
        what: str = "entity",
    ) -> literals_pb2.LiteralMap:
        """Inputs by name, each converted with its interface variable's type; unknown names are refused."""
        hints = type_hints or {}
        literals: dict[str, literals_pb2.Literal] = {}
        for name, value in values.items():
            variable = variables.get(name)
            if variable is None:
                known = ", ".join(sorted(variables)) or "none"
                raise ValueError(f"The {what} has no input {name!r} (its inputs: {known})")
            try:
                literals[name] = self.to_literal(value, variable.type, hints.get(name))
            except (TypeError, ValueError) as e:
                raise type(e)(f"input {name!r}: {e}") from e
        return literals_pb2.LiteralMap(literals=literals)

    def literal_type_for(self, python_type: Any) -> types_pb2.LiteralType:
        try:
            return literal_type_of(python_type)
        except NoCoreType as e:
            from flytekit.core.type_engine import TypeEngine

            self._require(str(e))
            literal_type: types_pb2.LiteralType = TypeEngine.to_literal_type(python_type).to_flyte_idl()
            return literal_type

    # -- literal to Python --

    def to_python(
        self, literal: literals_pb2.Literal, literal_type: types_pb2.LiteralType | None = None, python_type: Any = None
    ) -> Any:
        try:
            return decode(literal, python_type, self._fetch)
        except NoCoreType as e:
            return self._flytekit_to_python(literal, literal_type, python_type, str(e))

    # -- flytekit --

    def _require(self, reason: str) -> None:
        try:
            require_flytekit(f"this value ({reason})")
        except FlytekitRequired as e:
            raise TypeError(str(e)) from e

    def _ctx(self) -> Any:
        if self._context is None:
            if self._flytekit_context is not None:
                self._context = self._flytekit_context()
            else:
                from flytekit.core.context_manager import FlyteContextManager

                self._context = FlyteContextManager.current_context()
        return self._context

    def _flytekit_to_literal(
        self, value: Any, literal_type: types_pb2.LiteralType | None, python_type: Any, reason: str
    ) -> literals_pb2.Literal:
        self._require(reason)
        from flytekit.core.type_engine import TypeEngine, strict_type_hint_matching
        from flytekit.models.types import LiteralType

        if literal_type is None:
            hint = python_type if python_type is not None else type(value)
            model = TypeEngine.to_literal_type(hint)
        else:
            model = LiteralType.from_flyte_idl(literal_type)
            hint = python_type
            if hint is None:
                try:
                    hint = strict_type_hint_matching(value, model)
                except ValueError:
                    hint = TypeEngine.guess_python_type(model)
        literal = TypeEngine.to_literal(self._ctx(), value, hint, model)
        result: literals_pb2.Literal = literal.to_flyte_idl()
        return result

    def _flytekit_to_python(
        self, literal: literals_pb2.Literal, literal_type: types_pb2.LiteralType | None, python_type: Any, reason: str
    ) -> Any:
        self._require(reason)
        from flytekit.core.type_engine import TypeEngine
        from flytekit.models.literals import Literal
        from flytekit.models.types import LiteralType

        hint = python_type
        if hint is None:
            if literal_type is None:
                raise TypeError(f"cannot read this literal without its type or a Python type ({reason})")
            hint = TypeEngine.guess_python_type(LiteralType.from_flyte_idl(literal_type))
        return TypeEngine.to_python_value(self._ctx(), Literal.from_flyte_idl(literal), hint)
