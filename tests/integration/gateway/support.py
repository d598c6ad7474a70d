"""Calling one RPC over both wires and putting the answers in one comparable form.

An answer is an `Outcome`: the gRPC code (0 for OK) and the response in protobuf text format, or the status
message. Over HTTP, the status code must be the one grpc-gateway gives that gRPC code and the body must be the
response (or a google.rpc.Status) in the requested encoding.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import grpc
import httpx2
from flyteidl.service import admin_pb2, auth_pb2, dataproxy_pb2, identity_pb2, signal_pb2
from google.protobuf import message_factory, text_format
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message
from google.rpc import status_pb2
from tests.http_calls import MEDIA, Encoding, decode_answer, http_call

from flyteplane.api.http.gateway import Binding, all_bindings
from flyteplane.api.http.gateway.descriptors import is_map, is_repeated
from flyteplane.api.http.gateway.errors import HTTP_STATUS

SERVICES = [
    admin_pb2.DESCRIPTOR.services_by_name["AdminService"],
    dataproxy_pb2.DESCRIPTOR.services_by_name["DataProxyService"],
    signal_pb2.DESCRIPTOR.services_by_name["SignalService"],
    auth_pb2.DESCRIPTOR.services_by_name["AuthMetadataService"],
    identity_pb2.DESCRIPTOR.services_by_name["IdentityService"],
]
BINDINGS = all_bindings(SERVICES)
CODES = {code.value[0]: code for code in grpc.StatusCode}
_SIGNATURE = re.compile(r"(https?://[^\s\"?]*)\?[^\s\"]*")


@dataclass(frozen=True)
class Outcome:
    code: int
    text: str

    def without(self, token: str) -> Outcome:
        """The same answer with a twin request's unique name replaced, so twins compare equal."""
        return Outcome(self.code, self.text.replace(token, "<token>"))


def binding_id(binding: Binding) -> str:
    return f"{binding.method.name} {binding.http_method} {binding.template.source}"


def response_type(binding: Binding) -> type[Message]:
    return message_factory.GetMessageClass(binding.method.output_type)


def via_grpc(channel: grpc.Channel, binding: Binding, request: Message) -> Outcome:
    call = channel.unary_unary(
        f"/{binding.service.full_name}/{binding.method.name}",
        request_serializer=lambda m: m.SerializeToString(),
        response_deserializer=response_type(binding).FromString,
    )
    try:
        return Outcome(0, canonical(call(request, timeout=60)))
    except grpc.RpcError as e:
        return Outcome(e.code().value[0], e.details() or "")  # type: ignore[attr-defined]


def via_http(http: httpx2.Client, binding: Binding, request: Message, encoding: Encoding) -> Outcome:
    sent = http_call(binding, request, encoding)
    response = http.request(sent.method, sent.url, content=sent.body, headers=sent.headers)
    media = MEDIA.get(encoding, "application/json")
    assert response.headers["content-type"] == media, f"{binding_id(binding)} answered {response.headers}"
    if response.status_code == 200:
        return Outcome(0, canonical(decode_answer(response.content, encoding, response_type(binding)())))
    if encoding == "binary":
        status = status_pb2.Status.FromString(response.content)
        code, message = status.code, status.message
    else:
        body = json.loads(response.content)
        assert set(body) == {"code", "message", "details"}, body
        code, message = body["code"], body["message"]
    assert response.status_code == HTTP_STATUS[CODES[code]], f"{response.status_code} for code {code}: {message}"
    return Outcome(code, message)


def canonical(message: Message) -> str:
    """Text format after dropping what two calls a moment apart may sign differently (URL signatures,
    expiry times)."""
    scrub(message)
    return _SIGNATURE.sub(r"\1?<signed>", text_format.MessageToString(message))


def scrub(message: Message) -> None:
    for field, value in message.ListFields():
        if field.name == "expires_at":
            message.ClearField(field.name)
        elif field.type == FieldDescriptor.TYPE_MESSAGE:
            if is_map(field):
                if field.message_type.fields_by_name["value"].type == FieldDescriptor.TYPE_MESSAGE:
                    for item in value.values():
                        scrub(item)
            elif is_repeated(field):
                for item in value:
                    scrub(item)
            else:
                scrub(value)
