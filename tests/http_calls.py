"""What a grpc-gateway client sends for an RPC request message: the path filled from the request's fields, the
rest as query parameters (routes without a body) or the body, in JSON or binary protobuf.

Written independently of the gateway's decoder (json_format, not the gateway's protojson), so a round trip
through the two checks one against the other.
"""

from __future__ import annotations

import base64
import dataclasses
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote, urlencode

from google.protobuf import json_format
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from flyteplane.api.http.gateway import Binding
from flyteplane.api.http.gateway.descriptors import is_map, is_repeated
from flyteplane.api.http.gateway.templates import DOUBLE_STAR

Encoding = Literal["json", "binary", "default"]
MEDIA = {"json": "application/json", "binary": "application/octet-stream"}


@dataclass
class HttpCall:
    method: str
    url: str  # path and query
    body: bytes | None = None
    headers: dict[str, str] = dataclasses.field(default_factory=dict)


def http_call(binding: Binding, request: Message, encoding: Encoding, *, path_enums: str = "number") -> HttpCall:
    """`path_enums`: enums in the path as numbers (as flyteconsole sends them) or as names."""
    headers = {"Accept": MEDIA[encoding]} if encoding != "default" else {}
    path = _path(binding, request, path_enums)
    if binding.body:
        sent = request if binding.body == "*" else getattr(request, binding.body)
        headers["Content-Type"] = MEDIA.get(encoding, "application/json")
        body = sent.SerializeToString() if encoding == "binary" else json_format.MessageToJson(sent).encode()
        return HttpCall(binding.http_method, path, body, headers)
    query = urlencode(query_pairs(request, [p.split(".") for p in binding.bound_field_paths]), quote_via=quote)
    return HttpCall(binding.http_method, path + ("?" + query if query else ""), None, headers)


def decode_answer(content: bytes, encoding: Encoding, message: Message) -> Message:
    if encoding == "binary":
        message.ParseFromString(content)
    else:
        json_format.Parse(content, message)
    return message


def _path(binding: Binding, request: Message, path_enums: str) -> str:
    template = binding.template
    parts: list[str] = []
    index = 0
    for variable in template.variables:
        parts.extend(template.segments[index : variable.start])
        value = _field_text(request, variable.field_path.split("."), path_enums)
        safe = "/" if DOUBLE_STAR in template.segments[variable.start : variable.end] else ""
        parts.append(quote(value, safe=safe))
        index = variable.end
    parts.extend(template.segments[index:])
    return "/" + "/".join(parts) + (f":{template.verb}" if template.verb else "")


def _field_text(message: Message, names: list[str], enums: str) -> str:
    for name in names[:-1]:
        message = getattr(message, name)
    field = message.DESCRIPTOR.fields_by_name[names[-1]]
    value = getattr(message, names[-1])
    if field.type == FieldDescriptor.TYPE_ENUM and enums == "number":
        return str(value)
    return _scalar_text(field, value)


def query_pairs(message: Message, skip: list[list[str]], prefix: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """Every populated field not under a `skip` path, as dotted keys; repeated fields repeat the key."""
    pairs: list[tuple[str, str]] = []
    for field, value in message.ListFields():
        path = (*prefix, field.name)
        if any(list(path[: len(s)]) == s for s in skip):
            continue
        key = ".".join(path)
        if is_map(field):
            value_field = field.message_type.fields_by_name["value"]
            pairs.extend((f"{key}[{k}]", _scalar_text(value_field, value[k])) for k in sorted(value))
        elif is_repeated(field):
            pairs.extend((key, _scalar_text(field, item)) for item in value)
        elif field.type == FieldDescriptor.TYPE_MESSAGE and not _is_string_valued(field):
            pairs.extend(query_pairs(value, skip, path))
        else:
            pairs.append((key, _scalar_text(field, value)))
    return pairs


def _is_string_valued(field: FieldDescriptor) -> bool:
    return field.message_type.full_name in ("google.protobuf.Timestamp", "google.protobuf.Duration")


def _scalar_text(field: FieldDescriptor, value: Any) -> str:
    if field.type == FieldDescriptor.TYPE_ENUM:
        return str(field.enum_type.values_by_number[value].name)
    if field.type == FieldDescriptor.TYPE_BOOL:
        return "true" if value else "false"
    if field.type == FieldDescriptor.TYPE_BYTES:
        return base64.b64encode(value).decode()
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        assert _is_string_valued(field), f"{field.full_name} cannot be sent in a query string"
        return str(value.ToJsonString())
    return str(value)
