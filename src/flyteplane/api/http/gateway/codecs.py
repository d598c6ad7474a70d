"""Request and response encodings, chosen per request as flyteadmin's grpc-gateway chooses its marshalers.

flyteadmin registers two: `application/octet-stream` (binary protobuf, what flyteconsole sends) and
`application/json` (protojson with proto names, unpopulated fields emitted, unknown input fields refused).
Anything else falls back to grpc-gateway's default: protojson with lowerCamelCase names, unknown input fields
dropped. The response uses the first `Accept` header that is *exactly* a registered type, else the request's
encoding (its `Content-Type`, else the default), so `curl` (`Accept: */*`) gets camelCase JSON.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from google.protobuf import json_format
from google.protobuf.message import DecodeError, Message

from flyteplane.api.http.gateway.protojson import to_json_value
from flyteplane.errors import InvalidArgument

__all__ = ["BINARY", "FALLBACK", "JSON", "BinaryCodec", "Codec", "JsonCodec", "negotiate"]


class Codec(Protocol):
    @property
    def content_type(self) -> str: ...

    def encode(self, message: Message) -> bytes: ...

    def decode(self, data: bytes, message: Message) -> None:
        """Merges `data` into `message`; raises InvalidArgument when it cannot be read."""


@dataclass(frozen=True)
class JsonCodec:
    proto_names: bool
    discard_unknown: bool
    content_type: str = "application/json"

    def encode(self, message: Message) -> bytes:
        value = to_json_value(message, proto_names=self.proto_names)
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()

    def decode(self, data: bytes, message: Message) -> None:
        if not data.strip():
            return  # an empty body is an empty message, as grpc-gateway reads it
        try:
            json_format.Parse(data.decode(), message, ignore_unknown_fields=self.discard_unknown)
        except (json_format.ParseError, UnicodeDecodeError, RecursionError) as e:
            raise InvalidArgument(str(e)) from None


@dataclass(frozen=True)
class BinaryCodec:
    content_type: str = "application/octet-stream"

    def encode(self, message: Message) -> bytes:
        return message.SerializeToString()

    def decode(self, data: bytes, message: Message) -> None:
        try:
            message.MergeFromString(data)
        except (DecodeError, RecursionError) as e:
            raise InvalidArgument(f"invalid protobuf body: {e}") from None


JSON = JsonCodec(proto_names=True, discard_unknown=False)
BINARY = BinaryCodec()
FALLBACK = JsonCodec(proto_names=False, discard_unknown=True)
_REGISTERED: dict[str, Codec] = {JSON.content_type: JSON, BINARY.content_type: BINARY}


def negotiate(accept: Sequence[str], content_type: Sequence[str]) -> tuple[Codec, Codec]:
    """(how to read the body, how to write the answer) from each `Accept` and `Content-Type` header line."""
    inbound = next(
        (_REGISTERED[media] for value in content_type if (media := _media_type(value)) in _REGISTERED), FALLBACK
    )
    outbound = next((_REGISTERED[value] for value in accept if value in _REGISTERED), inbound)
    return inbound, outbound


def _media_type(value: str) -> str:
    return value.split(";", 1)[0].strip().lower()
