"""Binding validation (§3.4): every node input gets a value of a castable type; promises become edges.

The same walk serves two purposes: checking a node's bindings against its declared inputs, and discovering the
inputs of nodes that have no declared interface (branch nodes, approval gates) from what they bind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flyteidl.core import interface_pb2, literals_pb2, types_pb2, workflow_pb2

from flyteplane.compiler.errors import (
    ErrorCollector,
    ambiguous_binding_union_value,
    cycle_detected,
    field_not_found,
    illegal_enum_value,
    incompatible_binding_union_value,
    mismatching_bindings,
    mismatching_types,
    mismatching_variables,
    node_reference_not_found,
    parameter_bound_more_than_once,
    parameter_not_bound,
    syntax_error,
    unrecognized_value,
    value_required,
    variable_name_not_found,
)
from flyteplane.compiler.interfaces import effective_outputs
from flyteplane.compiler.prototext import go_text
from flyteplane.compiler.scope import EdgeDirection, NodeBuilder, WorkflowScope
from flyteplane.compiler.types import (
    are_types_castable,
    is_optional,
    literal_type_of_scalar,
    simple_type,
    type_to_str,
)

__all__ = ["add_node_edges", "outputs_of", "validate_bindings"]

# An output reference: `o0`, or `[3].o0` for one element of a list output.
_OUTPUT_VAR = re.compile(r"(\[(\d+)\]\.)?(\w+)")


@dataclass
class _Bound:
    """Result of a valid binding: the type it resolves to and the nodes it reads from."""

    type: types_pb2.LiteralType
    upstream: list[str]


def validate_bindings(
    scope: WorkflowScope,
    builder: NodeBuilder,
    bindings: list[literals_pb2.Binding],
    params: interface_pb2.VariableMap | None,
    check_types: bool,
    direction: EdgeDirection,
) -> interface_pb2.VariableMap:
    """Checks bindings against `params` (None: discover them), records edges; returns the bound types."""
    errors = scope.errors
    node_id = builder.id
    resolved = interface_pb2.VariableMap()
    provided: set[str] = set()
    for binding in bindings:
        param = params.variables[binding.var] if params is not None and binding.var in params.variables else None
        if param is None and check_types:
            errors.collect(variable_name_not_found(node_id, node_id, binding.var))
        elif not binding.HasField("binding"):
            errors.collect(value_required(node_id, "Binding"))
        elif binding.var in provided:
            errors.collect(parameter_bound_more_than_once(node_id, binding.var))
        else:
            provided.add(binding.var)
            expected = param.type if param is not None else simple_type(types_pb2.NONE)
            check = _BindingCheck(scope, builder.node, binding.var, check_types)
            bound = check.validate(binding.binding, expected, errors)
            if bound is not None:
                for upstream in bound.upstream:
                    scope.add_edge(upstream, node_id, direction)
                resolved.variables[binding.var].type.CopyFrom(bound.type)
    if params is not None:
        for name, variable in params.variables.items():
            if name not in provided and not is_optional(variable.type):
                errors.collect(parameter_not_bound(node_id, name))
    return resolved


def add_node_edges(scope: WorkflowScope, builder: NodeBuilder, direction: EdgeDirection) -> None:
    """Edges from explicit `upstream_node_ids` (main graph only) and from the promises of its bindings."""
    interface = scope.interface_of(builder)
    if interface is None:
        return
    if direction is not EdgeDirection.UPSTREAM:
        for upstream in builder.node.upstream_node_ids:
            if scope.node(upstream) is None:
                scope.errors.collect(node_reference_not_found(builder.id, upstream))
            else:
                scope.add_edge(upstream, builder.id, EdgeDirection.BIDIRECTIONAL)
    validate_bindings(scope, builder, builder.node.inputs, interface.inputs, True, direction)


def outputs_of(scope: WorkflowScope, builder: NodeBuilder) -> interface_pb2.VariableMap | None:
    """The node's outputs after aliases, computed once; None when its interface or aliases are invalid."""
    if not builder.outputs_known:
        interface = scope.interface_of(builder)
        if interface is None:
            return None
        builder.outputs = effective_outputs(builder.node, interface, scope.errors)
        builder.outputs_known = True
    return builder.outputs


class _BindingCheck:
    """Validates one input's binding data (recursively for collections and maps) against an expected type."""

    def __init__(self, scope: WorkflowScope, node: workflow_pb2.Node, param: str, check_types: bool) -> None:
        self.scope = scope
        self.node = node
        self.node_id: str = node.id
        self.param = param
        self.check_types = check_types

    def validate(
        self, data: literals_pb2.BindingData, expected: types_pb2.LiteralType, errors: ErrorCollector
    ) -> _Bound | None:
        kind = data.WhichOneof("value")
        if kind not in ("scalar", "promise", "offloaded_metadata") and expected.WhichOneof("type") == "union_type":
            return self._union(data, expected, errors)
        if kind == "scalar":
            return self._typed_value(literal_type_of_scalar(data.scalar), data.scalar, expected, errors)
        if kind == "offloaded_metadata":
            offloaded = data.offloaded_metadata
            inferred = offloaded.inferred_type if offloaded.HasField("inferred_type") else None
            return self._typed_value(inferred, None, expected, errors)
        if kind == "promise":
            return self._promise(data.promise, expected, errors)
        if kind == "collection":
            return self._items(list(data.collection.bindings), data.collection, expected, "collection_type", errors)
        if kind == "map":
            return self._items(list(data.map.bindings.values()), data.map, expected, "map_value_type", errors)
        errors.collect(mismatching_bindings(self.node_id, self.param, go_text(expected), ""))
        return None

    def _union(
        self, data: literals_pb2.BindingData, expected: types_pb2.LiteralType, errors: ErrorCollector
    ) -> _Bound | None:
        """A list or map bound to a union input must fit exactly one variant."""
        match: tuple[types_pb2.LiteralType, _Bound] | None = None
        for variant in expected.union_type.variants:
            trial = ErrorCollector()
            bound = self.validate(data, variant, trial)
            if bound is None or trial.count:
                continue
            if match is not None:
                errors.collect(
                    ambiguous_binding_union_value(
                        self.node_id,
                        self.param,
                        go_text(expected),
                        go_text(data),
                        go_text(match[0]),
                        go_text(variant),
                    )
                )
                return None
            match = (variant, bound)
        if match is None:
            errors.collect(incompatible_binding_union_value(self.node_id, self.param, go_text(expected), go_text(data)))
            return None
        return match[1]

    def _typed_value(
        self,
        value_type: types_pb2.LiteralType | None,
        scalar: literals_pb2.Scalar | None,
        expected: types_pb2.LiteralType,
        errors: ErrorCollector,
    ) -> _Bound | None:
        before = errors.count
        if value_type is None:
            kind = scalar.WhichOneof("value") if scalar is not None else "offloaded_metadata"
            errors.collect(unrecognized_value(self.node_id, kind or "nil"))
        elif self.check_types and not are_types_castable(value_type, expected):
            errors.collect(mismatching_types(self.node_id, self.param, type_to_str(value_type), type_to_str(expected)))
        if expected.WhichOneof("type") == "enum_type" and scalar is not None:
            value: str = scalar.primitive.string_value
            if value not in expected.enum_type.values:
                errors.collect(illegal_enum_value(self.node_id, self.param, value, list(expected.enum_type.values)))
        if errors.count != before or value_type is None:
            return None
        return _Bound(value_type, [])

    def _items(
        self,
        items: list[literals_pb2.BindingData],
        container: literals_pb2.BindingDataCollection | literals_pb2.BindingDataMap,
        expected: types_pb2.LiteralType,
        kind: str,
        errors: ErrorCollector,
    ) -> _Bound | None:
        """Each element of a list (or value of a map) against the element type."""
        if expected.WhichOneof("type") == kind:
            element_type = getattr(expected, kind)
        elif not self.check_types:
            element_type = simple_type(types_pb2.NONE)  # discovering: any element type will do
        else:
            errors.collect(mismatching_bindings(self.node_id, self.param, go_text(expected), go_text(container)))
            return None
        before = errors.count
        upstream: list[str] = []
        last: types_pb2.LiteralType | None = None
        for item in items:
            bound = self.validate(item, element_type, errors)
            if bound is not None:
                upstream.extend(bound.upstream)
                last = bound.type
        if errors.count != before:
            return None
        resolved = types_pb2.LiteralType()
        getattr(resolved, kind).CopyFrom(last if last is not None else simple_type(types_pb2.NONE))
        return _Bound(resolved, upstream)

    def _promise(
        self, promise: literals_pb2.OutputReference, expected: types_pb2.LiteralType, errors: ErrorCollector
    ) -> _Bound | None:
        """An upstream node's output (optionally one element, or a path into it) must cast to the input."""
        upstream = self.scope.node(promise.node_id)
        if upstream is None:
            errors.collect(node_reference_not_found(self.node_id, promise.node_id))
            errors.collect(parameter_not_bound(self.node_id, self.param))
            return None
        matches = list(_OUTPUT_VAR.finditer(promise.var))
        if len(matches) != 1:
            errors.collect(syntax_error(self.node_id, promise.var))
            return None
        index, name = matches[0].group(2), matches[0].group(3)
        if self.scope.is_resolving(upstream):
            errors.collect(cycle_detected(self.node_id, [upstream.id, self.node_id, upstream.id]))
            return None
        outputs = outputs_of(self.scope, upstream)
        if outputs is None:
            errors.collect(parameter_not_bound(self.node_id, self.param))
            return None
        if name not in outputs.variables:
            errors.collect(variable_name_not_found(upstream.id, upstream.id, name))
            errors.collect(parameter_not_bound(self.node_id, self.param))
            return None
        source: types_pb2.LiteralType = outputs.variables[name].type
        output_label = _label(upstream.node, promise.var)
        input_label = _label(self.node, self.param)
        if index is not None:
            if source.WhichOneof("type") != "collection_type":
                errors.collect(
                    mismatching_variables(
                        self.node_id, output_label, type_to_str(source), input_label, type_to_str(expected)
                    )
                )
                return None
            source = source.collection_type
        for attribute in promise.attr_path:
            source_kind = source.WhichOneof("type")
            if source_kind == "collection_type":
                source = source.collection_type
            elif source_kind == "map_value_type":
                source = source.map_value_type
            elif source.structure.dataclass_type:
                key: str = attribute.string_value
                if key not in source.structure.dataclass_type:
                    errors.collect(field_not_found(self.node_id, promise.var, type_to_str(source), key))
                    return None
                source = source.structure.dataclass_type[key]
        if self.check_types and not are_types_castable(source, expected):
            errors.collect(
                mismatching_variables(
                    self.node_id, output_label, type_to_str(source), input_label, type_to_str(expected)
                )
            )
            return None
        promise.node_id = upstream.id  # an empty node id means the workflow inputs; make that explicit
        return _Bound(source, [upstream.id])


def _label(node: workflow_pb2.Node, variable: str) -> str:
    """`<node name>.<variable>` as users named things in their code, when the node carries a name."""
    name: str = node.metadata.name if node.HasField("metadata") else ""
    return f"{name}.{variable}" if name else variable
