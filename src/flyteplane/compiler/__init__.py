"""The workflow compiler and literal-type checker: pure functions over flyteidl protos (§2.2, §2.3, §3).

Services call `compile_task` and `compile_workflow` on registration, and the type rules wherever a value
meets a declared type; nothing here touches a database or the network.
"""

from flyteplane.compiler.errors import CompileError, CompileErrors, ErrorCode, InvalidLiteralType
from flyteplane.compiler.requirements import Requirements, get_requirements
from flyteplane.compiler.task import compile_task
from flyteplane.compiler.types import (
    are_types_castable,
    is_optional,
    literal_type_of,
    literal_type_of_primitive,
    literal_type_of_scalar,
    type_to_str,
)
from flyteplane.compiler.workflow import END_NODE_ID, START_NODE_ID, LaunchPlanInterface, compile_workflow

__all__ = [
    "END_NODE_ID",
    "START_NODE_ID",
    "CompileError",
    "CompileErrors",
    "ErrorCode",
    "InvalidLiteralType",
    "LaunchPlanInterface",
    "Requirements",
    "are_types_castable",
    "compile_task",
    "compile_workflow",
    "get_requirements",
    "is_optional",
    "literal_type_of",
    "literal_type_of_primitive",
    "literal_type_of_scalar",
    "type_to_str",
]
