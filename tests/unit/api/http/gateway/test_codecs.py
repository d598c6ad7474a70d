"""Encodings are chosen as flyteadmin's grpc-gateway chooses its marshalers."""

from __future__ import annotations

import json

import pytest
from flyteidl.admin import project_pb2

from flyteplane.api.http.gateway.codecs import BINARY, FALLBACK, JSON, negotiate
from flyteplane.errors import InvalidArgument


@pytest.mark.parametrize(
    ("accept", "content_type", "expected"),
    [
        ([], [], (FALLBACK, FALLBACK)),  # curl without headers: camelCase
        (["*/*"], [], (FALLBACK, FALLBACK)),
        (["application/json"], [], (FALLBACK, JSON)),
        (["application/octet-stream"], [], (FALLBACK, BINARY)),  # flyteconsole's GETs
        ([], ["application/octet-stream"], (BINARY, BINARY)),
        ([], ["application/json; charset=utf-8"], (JSON, JSON)),
        (["application/json, text/plain"], ["application/json"], (JSON, JSON)),  # Accept must match whole
        (["text/html", "application/octet-stream"], [], (FALLBACK, BINARY)),  # the first header line that matches
        (["application/json"], ["application/octet-stream"], (BINARY, JSON)),
    ],
)
def test_negotiation(accept: list[str], content_type: list[str], expected: tuple[object, object]) -> None:
    assert negotiate(accept, content_type) == expected


def test_flyteadmins_json_uses_proto_names_and_the_default_lower_camel_case() -> None:
    request = project_pb2.ProjectListRequest(limit=5, sort_by=None)

    assert json.loads(JSON.encode(request))["sort_by"] is None
    assert json.loads(FALLBACK.encode(request))["sortBy"] is None


def test_json_bodies_may_use_either_name_and_enum_names_or_numbers() -> None:
    for body in (b'{"sort_by": {"key": "id", "direction": "ASCENDING"}}', b'{"sortBy": {"key": "id", "direction": 1}}'):
        request = project_pb2.ProjectListRequest()
        JSON.decode(body, request)
        assert request.sort_by.key == "id"
        assert request.sort_by.direction == 1


def test_unknown_json_fields_are_refused_by_flyteadmins_json_and_dropped_by_the_default() -> None:
    with pytest.raises(InvalidArgument, match="no field named"):
        JSON.decode(b'{"limit": 1, "colour": "red"}', project_pb2.ProjectListRequest())

    request = project_pb2.ProjectListRequest()
    FALLBACK.decode(b'{"limit": 1, "colour": "red"}', request)
    assert request.limit == 1


def test_an_empty_body_is_an_empty_request() -> None:
    for codec in (JSON, FALLBACK, BINARY):
        request = project_pb2.ProjectListRequest()
        codec.decode(b"", request)
        assert request == project_pb2.ProjectListRequest()


@pytest.mark.parametrize(("codec", "body"), [(JSON, b"{not json"), (JSON, b"[1]"), (BINARY, b"\xff\xff\xff")])
def test_unreadable_bodies_are_invalid_arguments(codec: object, body: bytes) -> None:
    with pytest.raises(InvalidArgument):
        codec.decode(body, project_pb2.ProjectListRequest())  # type: ignore[attr-defined]


def test_binary_is_the_protobuf_wire_format() -> None:
    project = project_pb2.Project(id="p", name="P")

    assert BINARY.encode(project) == project.SerializeToString()
    assert BINARY.content_type == "application/octet-stream"
