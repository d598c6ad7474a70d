"""The compiler's public names are pinned: services import exactly these."""

from __future__ import annotations

import flyteplane.compiler as compiler


def test_public_api_is_pinned() -> None:
    assert sorted(compiler.__all__) == sorted(
        [
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
    )
    for name in compiler.__all__:
        assert getattr(compiler, name) is not None
