"""Descriptor questions answered alike on protobuf 4 (`label`) and 6+ (`is_repeated`)."""

from __future__ import annotations

from flyteidl.admin import common_pb2, execution_pb2, project_pb2
from flyteidl.core import literals_pb2
from google.protobuf import descriptor_pb2, descriptor_pool
from google.protobuf.descriptor import FieldDescriptor

from flyteplane.api.http.gateway.descriptors import enum_type, is_map, is_repeated, message_type, real_oneof


def test_repeated_map_and_singular_fields() -> None:
    projects = project_pb2.Projects.DESCRIPTOR.fields_by_name["projects"]
    labels = common_pb2.Labels.DESCRIPTOR.fields_by_name["values"]
    token = project_pb2.Projects.DESCRIPTOR.fields_by_name["token"]

    assert (is_repeated(projects), is_map(projects)) == (True, False)
    assert (is_repeated(labels), is_map(labels)) == (True, True)
    assert (is_repeated(token), is_map(token)) == (False, False)


def test_real_oneofs_are_told_from_proto3_optional() -> None:
    notifications = execution_pb2.ExecutionSpec.DESCRIPTOR.fields_by_name["disable_all"]
    integer = literals_pb2.Primitive.DESCRIPTOR.fields_by_name["integer"]
    plain = project_pb2.Project.DESCRIPTOR.fields_by_name["id"]

    assert real_oneof(notifications).name == "notification_overrides"  # type: ignore[union-attr]
    assert real_oneof(integer).name == "value"  # type: ignore[union-attr]
    assert real_oneof(plain) is None
    assert real_oneof(proto3_optional_field()) is None


def proto3_optional_field() -> FieldDescriptor:
    """`optional int32 x = 1;` in a proto3 file: protoc wraps it in a synthetic oneof named `_x`."""
    file = descriptor_pb2.FileDescriptorProto(name="optional.proto", package="t", syntax="proto3")
    message = file.message_type.add(name="M")
    message.oneof_decl.add(name="_x")
    message.field.add(
        name="x",
        number=1,
        type=descriptor_pb2.FieldDescriptorProto.TYPE_INT32,
        label=descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL,
        proto3_optional=True,
        oneof_index=0,
    )
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    return pool.FindMessageTypeByName("t.M").fields_by_name["x"]


def test_typed_access_to_message_and_enum_types() -> None:
    spec = execution_pb2.Execution.DESCRIPTOR.fields_by_name["spec"]
    state = project_pb2.Project.DESCRIPTOR.fields_by_name["state"]

    assert message_type(spec).full_name == "flyteidl.admin.ExecutionSpec"
    assert enum_type(state).full_name == "flyteidl.admin.Project.ProjectState"
