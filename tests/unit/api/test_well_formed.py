"""Values a request's own types forbid are found wherever they sit, and named by their path; good requests pass."""

from __future__ import annotations

import time

import pytest
from flyteidl.admin import common_pb2, execution_pb2, launch_plan_pb2, task_pb2, workflow_pb2
from flyteidl.core import identifier_pb2
from google.protobuf.message import Message

from flyteplane.api.well_formed import first_problem

YEAR = 31_557_600  # seconds in a Julian year, as protobuf's 10,000-year limit counts them
RESOURCE_TYPES = "(UNSPECIFIED, TASK, WORKFLOW, LAUNCH_PLAN, DATASET)"


def task_request(**timeout: int) -> task_pb2.TaskCreateRequest:
    request = task_pb2.TaskCreateRequest()
    request.id.resource_type = identifier_pb2.TASK
    for part, value in timeout.items():
        setattr(request.spec.template.metadata.timeout, part, value)
    return request


@pytest.mark.parametrize(
    ("request_", "problem"),
    [
        (
            common_pb2.ObjectGetRequest(id=identifier_pb2.Identifier(resource_type=5)),  # type: ignore[arg-type]
            f"id.resource_type: 5 is not a flyteidl.core.ResourceType {RESOURCE_TYPES}",
        ),
        (
            common_pb2.NamedEntityGetRequest(resource_type=99),  # type: ignore[arg-type]
            f"resource_type: 99 is not a flyteidl.core.ResourceType {RESOURCE_TYPES}",
        ),
        (
            launch_plan_pb2.LaunchPlanCreateRequest(
                spec=launch_plan_pb2.LaunchPlanSpec(workflow_id=identifier_pb2.Identifier(resource_type=7))  # type: ignore[arg-type]
            ),
            f"spec.workflow_id.resource_type: 7 is not a flyteidl.core.ResourceType {RESOURCE_TYPES}",
        ),
        (
            task_request(seconds=10_001 * YEAR),
            "spec.template.metadata.timeout: a duration of 315607557600 seconds is beyond 10,000 years",
        ),
        (task_request(seconds=1, nanos=-1), "spec.template.metadata.timeout: seconds 1 and nanos -1 are no duration"),
        (
            task_request(nanos=1_000_000_000),
            "spec.template.metadata.timeout: seconds 0 and nanos 1000000000 are no duration",
        ),
    ],
    ids=["id", "top-level field", "nested id", "10,001 years", "signs differ", "nanos overflow"],
)
def test_forbidden_values_are_named_by_their_path(request_: Message, problem: str) -> None:
    assert first_problem(request_) == problem


def test_non_finite_numbers_in_json_values_are_found_in_maps_and_lists() -> None:
    request = task_request()
    request.spec.template.custom.update({"a": {"b": [1.0, float("inf")]}})
    assert first_problem(request) == (
        "spec.template.custom.fields['a'].struct_value.fields['b'].list_value.values[1]: inf is not a JSON number"
    )


def test_timestamps_outside_the_years_1_to_9999_are_found() -> None:
    request = execution_pb2.ExecutionCreateRequest()
    request.spec.metadata.scheduled_at.seconds = 253_402_300_800  # 10000-01-01
    assert first_problem(request) == (
        "spec.metadata.scheduled_at: a timestamp of 253402300800 seconds is outside the years 1 to 9999"
    )


def test_literal_data_is_checked_too() -> None:
    request = execution_pb2.ExecutionCreateRequest()
    items = request.inputs.literals["xs"].collection.literals
    for value in range(3):
        items.add().scalar.primitive.integer = value
    items[2].scalar.primitive.duration.seconds = -(10_001 * YEAR)
    assert first_problem(request) == (
        "inputs.literals['xs'].collection.literals[2].scalar.primitive.duration: a duration of -315607557600 seconds "
        "is beyond 10,000 years"
    )


def test_well_formed_requests_pass() -> None:
    request = task_request(seconds=9_999 * YEAR, nanos=5)
    request.spec.template.custom.update({"nan as text": "NaN", "n": 1.5})
    assert first_problem(request) is None
    assert first_problem(common_pb2.ObjectGetRequest()) is None  # UNSPECIFIED is a resource type
    assert first_problem(workflow_pb2.WorkflowCreateRequest()) is None


def test_checking_literals_costs_a_small_multiple_of_reading_them() -> None:
    """Linear, and cheap per literal (about 0.5 s for 100,000 on an idle machine): measured against a plain loop
    that reads every literal, so a loaded machine slows both alike; a quadratic walk would be thousands of times."""
    request = execution_pb2.ExecutionCreateRequest()
    items = request.inputs.literals["xs"].collection.literals
    for value in range(100_000):
        items.add().scalar.primitive.integer = value
    started = time.perf_counter()
    assert sum(item.scalar.primitive.integer for item in items) == sum(range(100_000))
    reading = time.perf_counter() - started
    started = time.perf_counter()
    assert first_problem(request) is None
    assert time.perf_counter() - started < 40 * reading
