"""Compile errors: collected rather than raised one at a time, so a user fixes a workflow in one round trip.

Codes, node ids and wording follow flytepropeller's compiler, because flyteadmin passes them through
verbatim in `failed to compile workflow for [...] with err: ...` and users search for them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from flyteplane.errors import InvalidArgument

__all__ = [
    "CompileError",
    "CompileErrors",
    "ErrorCode",
    "ErrorCollector",
    "InvalidLiteralType",
    "ambiguous_binding_union_value",
    "branch_node_has_no_condition",
    "branch_node_has_no_default",
    "branch_node_not_specified",
    "cycle_detected",
    "duplicate_alias",
    "duplicate_sub_workflow",
    "field_not_found",
    "illegal_enum_value",
    "incompatible_binding_union_value",
    "invalid_node_id",
    "invalid_value",
    "mismatching_bindings",
    "mismatching_types",
    "mismatching_variables",
    "no_condition_found",
    "no_nodes_found",
    "node_reference_not_found",
    "parameter_bound_more_than_once",
    "parameter_not_bound",
    "syntax_error",
    "task_reference_not_found",
    "unreachable_nodes",
    "unrecognized_value",
    "value_required",
    "variable_name_not_found",
    "workflow_reference_not_found",
]


class ErrorCode:
    """The error codes flytepropeller's compiler reports (the string is what users see)."""

    CYCLE_DETECTED: Final = "CycleDetected"
    BRANCH_NODE_ID_NOT_FOUND: Final = "BranchNodeIdNotFound"
    BRANCH_NODE_HAS_NO_CONDITION: Final = "BranchNodeHasNoCondition"
    BRANCH_NODE_HAS_NO_DEFAULT: Final = "BranchNodeHasNoDefault"
    VALUE_REQUIRED: Final = "ValueRequired"
    INVALID_VALUE: Final = "InvalidValue"
    NODE_REFERENCE_NOT_FOUND: Final = "NodeReferenceNotFound"
    TASK_REFERENCE_NOT_FOUND: Final = "TaskReferenceNotFound"
    WORKFLOW_REFERENCE_NOT_FOUND: Final = "WorkflowReferenceNotFound"
    VARIABLE_NAME_NOT_FOUND: Final = "VariableNameNotFound"
    DUPLICATE_ALIAS: Final = "DuplicateAlias"
    DUPLICATE_ID: Final = "DuplicateId"
    MISMATCHING_TYPES: Final = "MismatchingTypes"
    MISMATCHING_BINDINGS: Final = "MismatchingBindings"
    PARAMETER_BOUND_MORE_THAN_ONCE: Final = "ParameterBoundMoreThanOnce"
    PARAMETER_NOT_BOUND: Final = "ParameterNotBound"
    UNREACHABLE_NODES: Final = "UnreachableNodes"
    UNRECOGNIZED_VALUE: Final = "UnrecognizedValue"
    SYNTAX_ERROR: Final = "SyntaxError"
    NO_NODES_FOUND: Final = "NoNodesFound"
    ILLEGAL_ENUM_VALUE: Final = "IllegalEnumValue"
    AMBIGUOUS_BINDING_UNION_VALUE: Final = "AmbiguousBindingUnionValue"
    INCOMPATIBLE_BINDING_UNION_VALUE: Final = "IncompatibleBindingUnionValue"
    NO_CONDITION_FOUND: Final = "NoConditionFound"
    FIELD_NOT_FOUND: Final = "FieldNotFound"


@dataclass(frozen=True)
class CompileError:
    """One problem found by the compiler, attributed to the node where a user has to fix it."""

    code: str
    node_id: str
    description: str

    def __str__(self) -> str:
        return f"Code: {self.code}, Node Id: {self.node_id}, Description: {self.description}"


class CompileErrors(Exception):
    """Every problem found in one compilation, de-duplicated and ordered by code, as flytepropeller does."""

    def __init__(self, errors: Iterable[CompileError]) -> None:
        self.errors: list[CompileError] = sorted(set(errors), key=lambda e: (e.code, str(e)))
        super().__init__(self._format())

    def _format(self) -> str:
        lines = [f"Collected Errors: {len(self.errors)}\n"]
        lines.extend(f"\tError {i}: {error}\n" for i, error in enumerate(self.errors))
        return "".join(lines)

    def __str__(self) -> str:
        return self._format()


class InvalidLiteralType(InvalidArgument):
    """A literal whose type cannot be inferred (an unset value, a blob without metadata, ...)."""


class ErrorCollector:
    """Accumulates errors; `count` lets a caller tell whether a step it ran added any."""

    def __init__(self) -> None:
        self._errors: list[CompileError] = []

    @property
    def count(self) -> int:
        return len(self._errors)

    def collect(self, error: CompileError) -> None:
        self._errors.append(error)

    def raise_if_any(self) -> None:
        if self._errors:
            raise CompileErrors(self._errors)


# Constructors, one per kind of problem, so that wording stays consistent wherever it is reported.


def value_required(node_id: str, param: str) -> CompileError:
    return CompileError(ErrorCode.VALUE_REQUIRED, node_id, f"Value required [{param}].")


def invalid_value(node_id: str, param: str) -> CompileError:
    return CompileError(ErrorCode.INVALID_VALUE, node_id, f"Invalid value [{param}].")


def invalid_node_id(node_id: str) -> CompileError:
    shown = repr(node_id[:40]) + ("..." if len(node_id) > 40 else "")
    return CompileError(
        ErrorCode.INVALID_VALUE,
        shown,
        "Invalid value [Id]: a node id is 1 to 63 letters, digits, '-' or '_', starting with a letter or digit.",
    )


def unrecognized_value(node_id: str, value: str) -> CompileError:
    return CompileError(ErrorCode.UNRECOGNIZED_VALUE, node_id, f"Unrecognized value [{value}].")


def parameter_not_bound(node_id: str, param: str) -> CompileError:
    return CompileError(ErrorCode.PARAMETER_NOT_BOUND, node_id, f"Parameter not bound [{param}].")


def node_reference_not_found(node_id: str, reference: str) -> CompileError:
    return CompileError(ErrorCode.NODE_REFERENCE_NOT_FOUND, node_id, f"Referenced node [{reference}] not found.")


def workflow_reference_not_found(node_id: str, reference: str) -> CompileError:
    return CompileError(
        ErrorCode.WORKFLOW_REFERENCE_NOT_FOUND, node_id, f"Referenced Workflow [{reference}] not found."
    )


def task_reference_not_found(node_id: str, reference: str) -> CompileError:
    return CompileError(ErrorCode.TASK_REFERENCE_NOT_FOUND, node_id, f"Referenced Task [{reference}] not found.")


def variable_name_not_found(node_id: str, on_node: str, variable: str) -> CompileError:
    return CompileError(
        ErrorCode.VARIABLE_NAME_NOT_FOUND, node_id, f"Variable [{variable}] not found on node [{on_node}]."
    )


def parameter_bound_more_than_once(node_id: str, param: str) -> CompileError:
    return CompileError(ErrorCode.PARAMETER_BOUND_MORE_THAN_ONCE, node_id, f"Input [{param}] is bound more than once.")


def duplicate_alias(node_id: str, alias: str) -> CompileError:
    return CompileError(
        ErrorCode.DUPLICATE_ALIAS,
        node_id,
        f"Duplicate alias [{alias}] found. An output alias can only be used once in the Workflow.",
    )


def duplicate_sub_workflow(workflow_id: str) -> CompileError:
    return CompileError(
        ErrorCode.DUPLICATE_ID, workflow_id, f"Sub-workflow [{workflow_id}] is included more than once."
    )


def mismatching_types(node_id: str, variable: str, from_type: str, to_type: str) -> CompileError:
    return CompileError(
        ErrorCode.MISMATCHING_TYPES,
        node_id,
        f"Variable [{variable}] (type [{from_type}]) doesn't match expected type [{to_type}].",
    )


def mismatching_variables(node_id: str, from_var: str, from_type: str, to_var: str, to_type: str) -> CompileError:
    return CompileError(
        ErrorCode.MISMATCHING_TYPES,
        node_id,
        f"The output variable '{from_var}' has type [{from_type}], but it's assigned to the input variable "
        f"'{to_var}' which has type type [{to_type}].",
    )


def mismatching_bindings(node_id: str, param: str, expected_type: str, received: str) -> CompileError:
    return CompileError(
        ErrorCode.MISMATCHING_BINDINGS,
        node_id,
        f"Input [{param}] on node [{node_id}] expects bindings of type [{expected_type}].  Received [{received}]",
    )


def field_not_found(node_id: str, variable: str, var_type: str, field: str) -> CompileError:
    return CompileError(
        ErrorCode.FIELD_NOT_FOUND,
        node_id,
        f"Variable [{variable}] (type [{var_type}]) doesn't have field [{field}].",
    )


def illegal_enum_value(node_id: str, param: str, received: str, expected: Sequence[str]) -> CompileError:
    return CompileError(
        ErrorCode.ILLEGAL_ENUM_VALUE,
        node_id,
        f"Input [{param}] on node [{node_id}] is an Enum and expects value to be one of "
        f"[{', '.join(expected)}].  Received [{received}]",
    )


def ambiguous_binding_union_value(
    node_id: str, param: str, expected_type: str, binding: str, match1: str, match2: str
) -> CompileError:
    return CompileError(
        ErrorCode.AMBIGUOUS_BINDING_UNION_VALUE,
        node_id,
        f"Input [{param}] on node [{node_id}] expects bindings of union type [{expected_type}].  Received "
        f"[{binding}] which is ambiguous as both variants [{match1}] and [{match2}] match.",
    )


def incompatible_binding_union_value(node_id: str, param: str, expected_type: str, binding: str) -> CompileError:
    return CompileError(
        ErrorCode.INCOMPATIBLE_BINDING_UNION_VALUE,
        node_id,
        f"Input [{param}] on node [{node_id}] expects bindings of union type [{expected_type}].  Received "
        f"[{binding}] which does not match any of the variants.",
    )


def cycle_detected(node_id: str, cycle: Sequence[str]) -> CompileError:
    return CompileError(
        ErrorCode.CYCLE_DETECTED,
        node_id,
        f"A cycle has been detected while traversing the Workflow [{'>'.join(cycle)}].",
    )


def unreachable_nodes(node_id: str, nodes: Sequence[str]) -> CompileError:
    return CompileError(
        ErrorCode.UNREACHABLE_NODES, node_id, f"The Workflow contain unreachable nodes [{','.join(nodes)}]."
    )


def syntax_error(node_id: str, element: str) -> CompileError:
    return CompileError(ErrorCode.SYNTAX_ERROR, node_id, f"Failed to parse element [{element}].")


def no_nodes_found(workflow_id: str) -> CompileError:
    return CompileError(ErrorCode.NO_NODES_FOUND, workflow_id, f"Can't find any nodes in workflow [{workflow_id}].")


def branch_node_not_specified(node_id: str) -> CompileError:
    return CompileError(ErrorCode.BRANCH_NODE_ID_NOT_FOUND, node_id, "BranchNode not assigned")


def branch_node_has_no_condition(node_id: str) -> CompileError:
    return CompileError(
        ErrorCode.BRANCH_NODE_HAS_NO_CONDITION,
        node_id,
        "One of the branches on the node doesn't have a condition.",
    )


def branch_node_has_no_default(node_id: str) -> CompileError:
    return CompileError(
        ErrorCode.BRANCH_NODE_HAS_NO_DEFAULT,
        node_id,
        "Branch Node must have either the else case set or a default error.",
    )


def no_condition_found(node_id: str) -> CompileError:
    return CompileError(ErrorCode.NO_CONDITION_FOUND, node_id, f"Can't find any condition in gate node [{node_id}].")
