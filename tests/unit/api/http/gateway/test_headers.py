"""`/me` answers carry the caller in headers too, as flyteadmin's forward-response option writes them."""

from __future__ import annotations

import json

from flyteidl.admin import project_pb2
from flyteidl.service import identity_pb2
from google.protobuf import struct_pb2

from flyteplane.api.http.gateway.headers import forwarded_headers, header_safe


def test_user_info_gives_the_subject_and_each_claim_as_json() -> None:
    claims = struct_pb2.Struct()
    claims.update({"preferred_username": "alice", "groups": ["ml"], "age": 3})
    info = identity_pb2.UserInfoResponse(subject="alice@example.com", additional_claims=claims)

    headers = forwarded_headers(info)

    assert headers["X-User-Subject"] == "alice@example.com"
    assert json.loads(headers["X-User-Claim-preferred-username"]) == "alice"
    assert json.loads(headers["X-User-Claim-groups"]) == ["ml"]
    assert headers["X-User-Claim-age"] == "3"


def test_other_answers_add_no_headers() -> None:
    assert forwarded_headers(project_pb2.Project(id="p")) == {}


def test_header_values_stay_one_latin_1_line() -> None:
    assert header_safe("a\r\nb\u2603 é") == "a??b? é"
