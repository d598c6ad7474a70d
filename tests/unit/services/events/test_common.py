"""The error columns lists filter on: the kind's name, or its number when flyteidl names no such kind."""

from __future__ import annotations

from flyteidl.core import execution_pb2

from flyteplane.services.events.common import error_columns


def test_a_named_kind_is_stored_by_name_and_the_code_capped() -> None:
    error = execution_pb2.ExecutionError(kind=execution_pb2.ExecutionError.USER, code="x" * 300)
    assert error_columns(error) == ("USER", "x" * 255)


def test_an_unnamed_kind_is_stored_as_its_number() -> None:
    """Found by the fuzz test: CreateWorkflowEvent with error.kind 9 answered INTERNAL."""
    error = execution_pb2.ExecutionError(kind=9, code="c")  # type: ignore[arg-type]
    assert error_columns(error) == ("9", "c")
