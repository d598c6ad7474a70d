"""Typed interfaces of nodes: normalisation, output aliases, and what launch-plan and array nodes expose."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flyteidl.core import identifier_pb2, interface_pb2, types_pb2, workflow_pb2

from flyteplane.compiler.errors import ErrorCollector, duplicate_alias, parameter_not_bound, value_required

__all__ = [
    "LaunchPlanInterface",
    "array_node_interface",
    "effective_outputs",
    "empty_interface",
    "launch_plan_node_interface",
    "normalize_interface",
]


@dataclass(frozen=True)
class LaunchPlanInterface:
    """What a launch-plan node sees of the launch plan it references (admin fills it from the LP closure)."""

    id: identifier_pb2.Identifier
    expected_inputs: interface_pb2.ParameterMap
    expected_outputs: interface_pb2.VariableMap


def empty_interface() -> interface_pb2.TypedInterface:
    return interface_pb2.TypedInterface(inputs=interface_pb2.VariableMap(), outputs=interface_pb2.VariableMap())


def normalize_interface(node_id: str, interface: interface_pb2.TypedInterface, errors: ErrorCollector) -> None:
    """Makes absent input/output maps empty ones and reports variables without a name or a type."""
    for side in (interface.inputs, interface.outputs):
        side.SetInParent()
        for name, variable in side.variables.items():
            if not name:
                errors.collect(value_required(node_id, "paramName"))
            if not variable.HasField("type"):
                errors.collect(value_required(node_id, "param.Type"))


def launch_plan_node_interface(launch_plan: LaunchPlanInterface, bound: Iterable[str]) -> interface_pb2.TypedInterface:
    """Required inputs plus the optional ones the node binds; outputs as the launch plan declares them."""
    bound_names = set(bound)
    interface = interface_pb2.TypedInterface(outputs=launch_plan.expected_outputs)
    interface.inputs.SetInParent()
    for name, parameter in launch_plan.expected_inputs.parameters.items():
        if parameter.required or name in bound_names:
            interface.inputs.variables[name].CopyFrom(parameter.var)
    return interface


def array_node_interface(
    array_node: workflow_pb2.ArrayNode, sub_node: interface_pb2.TypedInterface
) -> interface_pb2.TypedInterface:
    """The sub-node's interface; lifted to lists when flytekit left it unaltered (arrays over launch plans).

    flytekit already wraps map-task interfaces in lists. For other sub-nodes it keeps the original interface
    and says so in `is_original_sub_node_interface`; then every input not in `bound_inputs`, and every
    output, is a list of the sub-node's type.
    """
    if not array_node.is_original_sub_node_interface.value:
        return sub_node
    bound = set(array_node.bound_inputs)
    lifted = empty_interface()
    for name, variable in sub_node.inputs.variables.items():
        target = lifted.inputs.variables[name]
        target.CopyFrom(variable)
        if name not in bound:
            target.type.CopyFrom(types_pb2.LiteralType(collection_type=variable.type))
    for name, variable in sub_node.outputs.variables.items():
        target = lifted.outputs.variables[name]
        target.CopyFrom(variable)
        target.type.CopyFrom(types_pb2.LiteralType(collection_type=variable.type))
    return lifted


def effective_outputs(
    node: workflow_pb2.Node, interface: interface_pb2.TypedInterface, errors: ErrorCollector
) -> interface_pb2.VariableMap | None:
    """Outputs as downstream nodes see them, output aliases applied; None when the aliases are invalid."""
    if not node.output_aliases:
        return interface.outputs
    before = errors.count
    aliases: dict[str, str] = {}
    used: set[str] = set()
    for alias in node.output_aliases:
        if alias.var in aliases or alias.alias in used:
            errors.collect(duplicate_alias(node.id, alias.alias))
        else:
            aliases[alias.var] = alias.alias
            used.add(alias.alias)
    outputs = interface_pb2.VariableMap()
    for name, variable in interface.outputs.variables.items():
        outputs.variables[aliases.pop(name, name)].CopyFrom(variable)
    for alias_name in aliases.values():
        errors.collect(parameter_not_bound(node.id, alias_name))
    return outputs if errors.count == before else None
