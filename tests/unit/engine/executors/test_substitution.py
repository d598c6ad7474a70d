"""Flyte's task template substitution, variable by variable, as propeller renders container args."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import msgpack
import pytest
from flyteidl.core import literals_pb2, types_pb2
from google.protobuf import duration_pb2, timestamp_pb2

from flyteplane.engine.executors.goformat import go_duration, go_float
from flyteplane.engine.executors.substitution import (
    TemplateError,
    TemplateValues,
    per_retry_unique_key,
    render,
    render_literal,
)

VALUES = TemplateValues(
    input_path="/data/n0/inputs.pb",
    input_prefix="/data/n0",
    output_prefix="/data/n0/0",
    raw_output_prefix="/raw/ab/exec-n0-0",
    checkpoint_prefix="/raw/ab/exec-n0-0/_flytecheckpoints",
    previous_checkpoint_prefix="/raw/cd/exec-n0-1/_flytecheckpoints",
    per_retry_unique_key="exec_n0_0",
    task_template_path="/data/n0/task.pb",
    namespace="flytesnacks-development",
)


def no_inputs() -> literals_pb2.LiteralMap:
    raise AssertionError("inputs must not be read when no {{.Inputs.x}} asks for them")


def integer(value: int) -> literals_pb2.Literal:
    return literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(integer=value)))


def string(value: str) -> literals_pb2.Literal:
    return literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(string_value=value)))


def inputs(**literals: literals_pb2.Literal) -> literals_pb2.LiteralMap:
    return literals_pb2.LiteralMap(literals=literals)


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{.Input}}", "/data/n0/inputs.pb"),
        ("{{.input}}", "/data/n0/inputs.pb"),
        ("{{ $Input }}", "/data/n0/inputs.pb"),
        ("{{$input}}", "/data/n0/inputs.pb"),
        ("{{       .Input }}", "/data/n0/inputs.pb"),
        ("--inputs={{.Input}}", "--inputs=/data/n0/inputs.pb"),
        ("{{.InputPrefix}}", "/data/n0"),
        ("{{ .inputprefix }}", "/data/n0"),
        ("{{.outputPrefix}}", "/data/n0/0"),
        ("{{ $OUTPUTPREFIX}}", "/data/n0/0"),
        ("{{.rawOutputDataPrefix}}", "/raw/ab/exec-n0-0"),
        ("{{.checkpointOutputPrefix}}", "/raw/ab/exec-n0-0/_flytecheckpoints"),
        ("{{.prevCheckpointPrefix}}", "/raw/cd/exec-n0-1/_flytecheckpoints"),
        ("{{ .PerRetryUniqueKey }}", "exec_n0_0"),
        ("{{.taskTemplatePath}}", "/data/n0/task.pb"),
        ("{{ .Namespace }}", "flytesnacks-development"),
        ("{{.Input}} and {{.OutputPrefix}}", "/data/n0/inputs.pb and /data/n0/0"),
    ],
)
def test_every_variable_is_replaced_whatever_its_case_spacing_and_prefix(template: str, expected: str) -> None:
    assert render([template], VALUES, no_inputs) == [expected]


@pytest.mark.parametrize("template", ["{{input}}", "{$input}}", "{{ .remote_package_path }}", "{{.dest_dir}}", "plain"])
def test_text_that_is_not_a_known_variable_is_left_alone(template: str) -> None:
    assert render([template], VALUES, no_inputs) == [template]


def test_a_first_attempt_has_two_quote_characters_as_previous_checkpoint() -> None:
    first = TemplateValues(**{**VALUES.__dict__, "previous_checkpoint_prefix": ""})
    assert render(["--prev-checkpoint", "{{.prevCheckpointPrefix}}"], first, no_inputs) == ["--prev-checkpoint", '""']


def test_replacement_values_are_taken_literally() -> None:
    odd = TemplateValues(**{**VALUES.__dict__, "output_prefix": r"/data/\1/$0/\g<0>"})
    assert render(["{{.outputPrefix}}"], odd, no_inputs) == [r"/data/\1/$0/\g<0>"]


def test_per_retry_unique_key_is_sanitised_as_propeller_does() -> None:
    assert per_retry_unique_key("33 per retry-unique-key") == "aper_retry_unique_key"
    assert per_retry_unique_key("exec-n0-0-abc") == "exec_n0_0_abc"
    assert per_retry_unique_key("_ok") == "_ok"


def test_input_values_are_rendered_from_the_inputs_file() -> None:
    literals = inputs(
        a=integer(40),
        name=string("world"),
        names=literals_pb2.Literal(collection=literals_pb2.LiteralCollection(literals=[string("x"), string("y")])),
    )
    rendered = render(
        ["--a={{ .Inputs.a }}", "{{.inputs.name}}", "{{ $Inputs.names }}", "{{.Inputs.a}}{{.Inputs.a}}"],
        VALUES,
        lambda: literals,
    )
    assert rendered == ["--a=40", "world", "[x,y]", "4040"]


def test_a_missing_input_is_an_error() -> None:
    with pytest.raises(TemplateError, match=r"requested input is not found \[b\]"):
        render(["{{.Inputs.b}}"], VALUES, lambda: inputs(a=integer(1)))


def test_input_variables_stay_when_there_are_no_inputs_at_all() -> None:
    assert render(["{{.Inputs.b}}"], VALUES, lambda: inputs()) == ["{{.Inputs.b}}"]


def scalar(**kwargs: object) -> literals_pb2.Literal:
    return literals_pb2.Literal(scalar=literals_pb2.Scalar(**kwargs))


def primitive(**kwargs: object) -> literals_pb2.Literal:
    return scalar(primitive=literals_pb2.Primitive(**kwargs))


def test_literals_render_like_go_prints_them() -> None:
    moment = timestamp_pb2.Timestamp()
    moment.FromDatetime(datetime(1900, 1, 1, 1, 1, 1, tzinfo=timezone.utc))
    moment.nanos = 1
    length = duration_pb2.Duration()
    length.FromTimedelta(timedelta(hours=1, minutes=2, seconds=3, milliseconds=500))
    blob = literals_pb2.Blob(uri="s3://bucket/file.csv", metadata=literals_pb2.BlobMetadata(type=types_pb2.BlobType()))
    packed = literals_pb2.Binary(value=msgpack.packb({"b": [1, 2.5], "a": "x"}), tag="msgpack")
    nested = literals_pb2.Literal(
        collection=literals_pb2.LiteralCollection(
            literals=[
                literals_pb2.Literal(collection=literals_pb2.LiteralCollection(literals=[string("a"), string("b")])),
                literals_pb2.Literal(collection=literals_pb2.LiteralCollection(literals=[integer(1), integer(2)])),
            ]
        )
    )
    assert render_literal(primitive(boolean=True)) == "true"
    assert render_literal(primitive(float_value=2.5)) == "2.5"
    assert render_literal(primitive(float_value=1e6)) == "1e+06"
    assert render_literal(primitive(datetime=moment)) == "1900-01-01T01:01:01.000000001Z"
    assert render_literal(primitive(duration=length)) == "1h2m3.5s"
    assert render_literal(scalar(blob=blob)) == "s3://bucket/file.csv"
    assert render_literal(scalar(schema=literals_pb2.Schema(uri="/data/df"))) == "/data/df"
    assert render_literal(scalar(binary=packed)) == "map[a:x b:[1 2.5]]"
    assert render_literal(nested) == "[[a,b],[1,2]]"


def test_literals_without_a_command_line_form_are_errors() -> None:
    with pytest.raises(TemplateError, match="unexpected literal type"):
        render_literal(literals_pb2.Literal(map=literals_pb2.LiteralMap()))
    with pytest.raises(TemplateError, match="unsupported binary tag"):
        render_literal(scalar(binary=literals_pb2.Binary(value=b"x", tag="pickle")))
    with pytest.raises(TemplateError, match="failed to bind a value to inputName"):
        render(["{{.Inputs.m}}"], VALUES, lambda: inputs(m=literals_pb2.Literal(map=literals_pb2.LiteralMap())))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.0, "0"),
        (-0.0, "-0"),
        (1.0, "1"),
        (-2.5, "-2.5"),
        (0.1, "0.1"),
        (0.0001, "0.0001"),
        (0.00001, "1e-05"),
        (123456.0, "123456"),
        (1234567.0, "1.234567e+06"),
        (1e21, "1e+21"),
        (1.5e-300, "1.5e-300"),
        (float("inf"), "+Inf"),
        (float("-inf"), "-Inf"),
        (float("nan"), "NaN"),
    ],
)
def test_floats_use_go_shortest_g_format(value: float, expected: str) -> None:
    assert go_float(value) == expected


@pytest.mark.parametrize(
    ("nanoseconds", "expected"),
    [
        (0, "0s"),
        (1, "1ns"),
        (1_500, "1.5µs"),
        (1_500_000, "1.5ms"),
        (90 * 10**9, "1m30s"),
        (3600 * 10**9, "1h0m0s"),
        (-(2 * 10**9), "-2s"),
    ],
)
def test_durations_use_go_duration_format(nanoseconds: int, expected: str) -> None:
    assert go_duration(nanoseconds) == expected
