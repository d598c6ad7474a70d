"""An HTTP request read into an RPC's request message, in grpc-gateway's order: the body (`body: "*"` or the named
field), then the path variables, then, unless the body is the whole request, the query string.

Query keys are field paths (`limit`, `sort_by.key`, `sortBy.direction`); a repeated key fills a repeated field,
`labels[k]=v` a map; keys the path or the body already set are skipped, and unknown keys ignored. Like Go's
`url.ParseQuery`, `+` is a space and a raw `;` is refused (send `%3B`).
"""

from __future__ import annotations

import re
from urllib.parse import unquote_plus

from google.protobuf.message import Message

from flyteplane.api.http.gateway.bindings import Binding
from flyteplane.api.http.gateway.codecs import Codec
from flyteplane.api.http.gateway.descriptors import descriptor_of
from flyteplane.api.http.gateway.fields import FieldError, normalize_field_path, set_field_path
from flyteplane.errors import InvalidArgument

__all__ = ["decode_request", "parse_query"]

_MAP_KEY = re.compile(r"(.*)\[(.*)\]")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def decode_request(
    binding: Binding, message: Message, params: dict[str, str], query: bytes, body: bytes, codec: Codec
) -> Message:
    if binding.body == "*":
        codec.decode(body, message)
    elif binding.body:
        codec.decode(body, getattr(message, binding.body))
    for field_path, value in params.items():
        try:
            set_field_path(message, field_path.split("."), [value])
        except FieldError as e:
            raise InvalidArgument(f"type mismatch, parameter: {field_path}, error: {e}") from None
    if binding.body != "*":
        bound = [path.split(".") for path in binding.bound_field_paths]
        try:
            for key, values in parse_query(query).items():
                names, values = _map_entry(key, values)
                names = normalize_field_path(descriptor_of(message), names)
                if not any(names[: len(prefix)] == prefix for prefix in bound):
                    set_field_path(message, names, values)
        except FieldError as e:
            raise InvalidArgument(str(e)) from None
    return message


def parse_query(raw: bytes) -> dict[str, list[str]]:
    """Values by key, in order, as Go's `url.ParseQuery` reads them (and refuses them)."""
    values: dict[str, list[str]] = {}
    for pair in raw.decode("utf-8", "replace").split("&"):
        if not pair:
            continue
        if ";" in pair:
            raise FieldError("invalid semicolon separator in query")
        key, _, value = pair.partition("=")
        values.setdefault(_unescape(key), []).append(_unescape(value))
    return values


def _unescape(text: str) -> str:
    bad = _BAD_ESCAPE.search(text)
    if bad is not None:
        raise FieldError(f'invalid URL escape "{text[bad.start() : bad.start() + 3]}"')
    return unquote_plus(text, errors="replace")


def _map_entry(key: str, values: list[str]) -> tuple[list[str], list[str]]:
    """`labels[env]=prod` is the map field `labels` with the key and value `env`, `prod`."""
    match = _MAP_KEY.fullmatch(key)
    if match is None:
        return key.split("."), values
    return match.group(1).split("."), [match.group(2), *values]
