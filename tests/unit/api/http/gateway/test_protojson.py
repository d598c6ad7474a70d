"""JSON as Go's protojson writes it with EmitUnpopulated: what flyteadmin's gateway answers."""

from __future__ import annotations

import json
import math

from flyteidl.admin import common_pb2, execution_pb2, project_pb2
from flyteidl.core import execution_pb2 as core_execution_pb2
from flyteidl.core import identifier_pb2, literals_pb2, workflow_pb2
from google.protobuf import any_pb2, duration_pb2, json_format, struct_pb2, timestamp_pb2, wrappers_pb2

from flyteplane.api.http.gateway.protojson import to_json_value


def snake(message: object) -> object:
    return to_json_value(message, proto_names=True)  # type: ignore[arg-type]


def test_every_field_is_written_and_unset_messages_are_null() -> None:
    project = project_pb2.Project(id="p", name="P")

    assert snake(project) == {
        "id": "p",
        "name": "P",
        "domains": [],
        "description": "",
        "labels": None,
        "state": "ACTIVE",
        "org": "",
    }


def test_names_are_proto_names_or_lower_camel_case() -> None:
    request = common_pb2.ResourceListRequest(sort_by=common_pb2.Sort(key="created_at"))

    assert "sort_by" in snake(request)  # type: ignore[operator]
    assert "sortBy" in to_json_value(request, proto_names=False)


def test_unset_oneof_members_are_left_out() -> None:
    literal = literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(integer=3)))

    primitive = snake(literal)["scalar"]["primitive"]  # type: ignore[index]

    assert primitive == {"integer": "3"}  # int64 as a string; no float_value, string_value...


def test_enums_by_name_unknown_numbers_as_numbers() -> None:
    sort = common_pb2.Sort(key="k", direction=common_pb2.Sort.ASCENDING)
    unknown = common_pb2.Sort(key="k", direction=7)  # type: ignore[arg-type]

    assert snake(sort) == {"key": "k", "direction": "ASCENDING"}
    assert snake(unknown) == {"key": "k", "direction": 7}


def test_timestamps_durations_and_bytes_have_their_string_forms() -> None:
    event = execution_pb2.ExecutionClosure(
        started_at=timestamp_pb2.Timestamp(seconds=1748779200, nanos=500_000_000),
        duration=duration_pb2.Duration(seconds=1, nanos=500_000_000),
    )
    blob = literals_pb2.Binary(value=b"\x00\xff", tag="t")

    written = snake(event)
    assert written["started_at"] == "2025-06-01T12:00:00.500Z"  # type: ignore[index]
    assert written["duration"] == "1.500s"  # type: ignore[index]
    assert snake(blob) == {"value": "AP8=", "tag": "t"}


def test_maps_are_objects_with_sorted_keys() -> None:
    labels = common_pb2.Labels(values={"b": "2", "a": "1"})

    assert json.dumps(snake(labels)) == '{"values": {"a": "1", "b": "2"}}'


def test_structs_and_wrappers_are_plain_json() -> None:
    generic = struct_pb2.Struct()
    generic.update({"n": 1, "x": 1.5, "s": "t", "l": [True, None], "o": {}})
    holder = literals_pb2.Scalar(generic=generic)

    assert snake(holder)["generic"] == {"l": [True, None], "n": 1, "o": {}, "s": "t", "x": 1.5}  # type: ignore[index]
    assert to_json_value(wrappers_pb2.Int64Value(value=5), proto_names=True) == "5"


def test_any_carries_its_type_and_the_fields_of_what_it_holds() -> None:
    packed = any_pb2.Any()
    packed.Pack(identifier_pb2.WorkflowExecutionIdentifier(project="p", domain="d", name="n"))
    wrapped = any_pb2.Any()
    wrapped.Pack(duration_pb2.Duration(seconds=2))

    assert to_json_value(packed, proto_names=True) == {
        "@type": "type.googleapis.com/flyteidl.core.WorkflowExecutionIdentifier",
        "project": "p",
        "domain": "d",
        "name": "n",
        "org": "",
    }
    assert to_json_value(wrapped, proto_names=True) == {
        "@type": "type.googleapis.com/google.protobuf.Duration",
        "value": "2s",
    }


def test_floats_are_written_shortest_and_integral_ones_without_a_fraction() -> None:
    primitive = literals_pb2.Primitive(float_value=2.0)
    nan = literals_pb2.Primitive(float_value=math.nan)

    assert snake(primitive) == {"float_value": 2}
    assert snake(nan) == {"float_value": "NaN"}


def test_32_bit_floats_are_written_as_their_shortest_decimal() -> None:
    array = workflow_pb2.ArrayNode(min_success_ratio=0.1)  # stored as 0.10000000149011612

    assert snake(array)["min_success_ratio"] == 0.1  # type: ignore[index]


def test_what_is_written_reads_back_as_the_same_message() -> None:
    execution = execution_pb2.Execution(
        id=identifier_pb2.WorkflowExecutionIdentifier(project="p", domain="d", name="n"),
        spec=execution_pb2.ExecutionSpec(
            launch_plan=identifier_pb2.Identifier(resource_type=identifier_pb2.LAUNCH_PLAN, name="lp", version="v"),
            labels=common_pb2.Labels(values={"team": "ml"}),
            max_parallelism=3,
        ),
        closure=execution_pb2.ExecutionClosure(phase=core_execution_pb2.WorkflowExecution.SUCCEEDED),
    )

    for proto_names in (True, False):
        text = json.dumps(to_json_value(execution, proto_names=proto_names))
        assert json_format.Parse(text, execution_pb2.Execution()) == execution
