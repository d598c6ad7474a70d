"""TypedInterface: an entity's inputs and outputs as dicts of flyteidl Variables, as flytekit exposes them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flyteidl.core import interface_pb2

__all__ = ["TypedInterface"]


@dataclass(frozen=True)
class TypedInterface:
    """`inputs` and `outputs` map a variable name to its `interface_pb2.Variable` (`.type`, `.description`)."""

    inputs: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_flyte_idl(cls, proto: Any) -> TypedInterface:
        return cls(dict(proto.inputs.variables), dict(proto.outputs.variables))

    @classmethod
    def from_parameters(cls, parameters: Any, outputs: Any = None) -> TypedInterface:
        """From a launch plan's ParameterMap (expected inputs) and VariableMap (expected outputs)."""
        inputs = {name: parameter.var for name, parameter in parameters.parameters.items()}
        return cls(inputs, dict(outputs.variables) if outputs is not None else {})

    def to_flyte_idl(self) -> interface_pb2.TypedInterface:
        return interface_pb2.TypedInterface(
            inputs=interface_pb2.VariableMap(variables=self.inputs),
            outputs=interface_pb2.VariableMap(variables=self.outputs),
        )
