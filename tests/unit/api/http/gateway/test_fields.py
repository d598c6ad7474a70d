"""Fields are set from path and query strings as grpc-gateway's runtime sets them."""

from __future__ import annotations

import re

import pytest
from flyteidl.admin import common_pb2, execution_pb2
from flyteidl.core import identifier_pb2
from flyteidl.service import auth_pb2, dataproxy_pb2
from google.protobuf import duration_pb2, timestamp_pb2, wrappers_pb2

from flyteplane.api.http.gateway.fields import FieldError, normalize_field_path, parse_go_duration, set_field_path


def test_a_nested_field_path_creates_the_messages_on_its_way() -> None:
    request = common_pb2.ResourceListRequest()

    set_field_path(request, ["sort_by", "key"], ["created_at"])

    assert request.HasField("sort_by")
    assert request.sort_by.key == "created_at"


def test_json_names_work_like_proto_names() -> None:
    request = common_pb2.ResourceListRequest()

    set_field_path(request, ["sortBy", "direction"], ["ASCENDING"])

    assert request.sort_by.direction == common_pb2.Sort.ASCENDING
    assert normalize_field_path(request.DESCRIPTOR, ["sortBy", "direction"]) == ["sort_by", "direction"]


def test_enums_are_read_by_name_or_by_number() -> None:
    by_name, by_number = common_pb2.NamedEntityListRequest(), common_pb2.NamedEntityListRequest()

    set_field_path(by_name, ["resource_type"], ["WORKFLOW"])
    set_field_path(by_number, ["resource_type"], ["2"])

    assert by_name.resource_type == by_number.resource_type == identifier_pb2.WORKFLOW


@pytest.mark.parametrize("value", ["WORKFLOWS", "99", "2.0", ""])
def test_unknown_enum_values_are_refused(value: str) -> None:
    with pytest.raises(FieldError, match=f'parsing field "resource_type": "{value}" is not a valid value'):
        set_field_path(common_pb2.NamedEntityListRequest(), ["resource_type"], [value])


@pytest.mark.parametrize(("value", "expected"), [("7", 7), ("+7", 7), ("4294967295", 4294967295)])
def test_unsigned_integers_are_decimal(value: str, expected: int) -> None:
    request = common_pb2.ResourceListRequest()

    set_field_path(request, ["limit"], [value])

    assert request.limit == expected


@pytest.mark.parametrize("value", ["-1", "4294967296", "0x10", " 7", "7_0", "1e3", ""])
def test_malformed_or_out_of_range_integers_are_refused(value: str) -> None:
    with pytest.raises(FieldError, match='parsing field "limit"'):
        set_field_path(common_pb2.ResourceListRequest(), ["limit"], [value])


@pytest.mark.parametrize(("value", "expected"), [("true", True), ("T", True), ("1", True), ("False", False)])
def test_booleans_follow_go_strconv(value: str, expected: bool) -> None:
    spec = execution_pb2.ExecutionSpec()

    set_field_path(spec, ["disable_all"], [value])

    assert spec.disable_all is expected


def test_yes_is_not_a_boolean() -> None:
    with pytest.raises(FieldError, match='invalid boolean "yes"'):
        set_field_path(wrappers_pb2.BoolValue(), ["value"], ["yes"])


def test_a_repeated_field_takes_every_value_in_order() -> None:
    config = auth_pb2.PublicClientAuthConfigResponse()

    set_field_path(config, ["scopes"], ["all", "offline"])

    assert list(config.scopes) == ["all", "offline"]


def test_a_map_entry_is_a_key_and_a_value() -> None:
    labels = common_pb2.Labels()

    set_field_path(labels, ["values"], ["team", "ml"])

    assert dict(labels.values) == {"team": "ml"}


def test_a_singular_field_refuses_two_values() -> None:
    with pytest.raises(FieldError, match='too many values for field "limit": 1, 2'):
        set_field_path(common_pb2.ResourceListRequest(), ["limit"], ["1", "2"])


def test_a_map_field_takes_a_key_and_a_value() -> None:
    labels = common_pb2.Labels()

    with pytest.raises(FieldError, match="more than one value provided for key"):
        set_field_path(labels, ["values"], ["k", "v", "w"])


def test_names_that_are_not_fields_are_ignored() -> None:
    request = common_pb2.ResourceListRequest()

    set_field_path(request, ["no_such_field"], ["x"])
    set_field_path(request, ["id", "no_such_field"], ["x"])

    assert request == common_pb2.ResourceListRequest()


def test_a_path_through_a_scalar_is_refused() -> None:
    with pytest.raises(FieldError, match='invalid path: "limit" is not a message'):
        set_field_path(common_pb2.ResourceListRequest(), ["limit", "x"], ["1"])


def test_a_second_member_of_a_oneof_is_refused() -> None:
    spec = execution_pb2.ExecutionSpec(disable_all=True)

    with pytest.raises(FieldError, match='field already set for oneof "notification_overrides"'):
        set_field_path(spec, ["notifications", "notifications"], ["x"])


def test_durations_timestamps_and_bytes_are_read_from_their_string_forms() -> None:
    upload = dataproxy_pb2.CreateUploadLocationRequest()
    request = execution_pb2.ExecutionSpec()

    set_field_path(upload, ["expires_in"], ["1h30m"])
    set_field_path(upload, ["content_md5"], ["q83v"])
    set_field_path(request, ["metadata", "scheduled_at"], ["2025-06-01T12:00:00.5Z"])

    assert upload.expires_in == duration_pb2.Duration(seconds=5400)
    assert upload.content_md5 == b"\xab\xcd\xef"
    assert request.metadata.scheduled_at == timestamp_pb2.Timestamp(seconds=1748779200, nanos=500_000_000)


@pytest.mark.parametrize(
    ("text", "nanoseconds"),
    [
        ("0", 0),
        ("1.5s", 1_500_000_000),
        ("-1.5s", -1_500_000_000),
        ("1h30m", 5_400_000_000_000),
        ("300ms", 300_000_000),
        ("2us", 2_000),
        ("1µs", 1_000),
        ("7ns", 7),
    ],
)
def test_go_durations(text: str, nanoseconds: int) -> None:
    assert parse_go_duration(text) == nanoseconds


@pytest.mark.parametrize("text", ["", "1", "s", "1.5", "1x", "-", "1h 2m"])
def test_malformed_go_durations_are_refused(text: str) -> None:
    with pytest.raises(FieldError, match="invalid duration"):
        parse_go_duration(text)


def test_a_negative_duration_keeps_seconds_and_nanos_of_one_sign() -> None:
    request = dataproxy_pb2.CreateUploadLocationRequest()

    set_field_path(request, ["expires_in"], ["-1.5s"])

    assert (request.expires_in.seconds, request.expires_in.nanos) == (-1, -500_000_000)


def test_base64_bytes_may_use_the_url_safe_alphabet() -> None:
    request = dataproxy_pb2.CreateUploadLocationRequest()

    set_field_path(request, ["content_md5"], ["-_8="])

    assert request.content_md5 == b"\xfb\xff"


def test_messages_other_than_well_known_types_cannot_be_query_values() -> None:
    with pytest.raises(FieldError, match=re.escape('unsupported message type: "flyteidl.admin.Sort"')):
        set_field_path(common_pb2.ResourceListRequest(), ["sort_by"], ["x"])


def test_wrapper_types_are_read_as_their_value() -> None:
    spec = execution_pb2.ExecutionSpec()

    set_field_path(spec, ["interruptible"], ["true"])

    assert spec.HasField("interruptible")
    assert spec.interruptible.value is True
