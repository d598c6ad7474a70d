"""The RPCs of the five flyteidl services the client speaks, read from flyteidl's own service descriptors.

Reading the descriptors (instead of hand-writing paths and message types) means a request can never be sent with
the wrong message type or to a misspelt path, and a test can check that every RPC has a client method.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from flyteidl.service import admin_pb2, auth_pb2, dataproxy_pb2, identity_pb2, signal_pb2
from google.protobuf import message_factory

__all__ = [
    "ADMIN",
    "ALL_SERVICES",
    "AUTH_METADATA",
    "DATA_PROXY",
    "IDENTITY",
    "SIGNAL",
    "RpcSpec",
    "Service",
    "snake_case",
]

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def snake_case(name: str) -> str:
    """`GetOAuth2Metadata` -> `get_o_auth2_metadata` is what a naive rule gives; this gives `get_oauth2_metadata`."""
    return _CAMEL_BOUNDARY.sub("_", name.replace("OAuth2", "Oauth2")).lower()


@dataclass(frozen=True)
class RpcSpec:
    """One unary RPC: where it goes and which messages travel."""

    service: str  # full service name, e.g. flyteidl.service.AdminService
    name: str  # RPC name as in the .proto, e.g. CreateTask
    request_type: Any  # the generated request message class
    response_type: Any  # the generated response message class

    @property
    def path(self) -> str:
        """The HTTP/2 path gRPC sends, e.g. `/flyteidl.service.AdminService/CreateTask`."""
        return f"/{self.service}/{self.name}"

    @property
    def method_name(self) -> str:
        """The client's snake_case method name, e.g. `create_task`."""
        return snake_case(self.name)


class Service:
    """The RPCs of one service, looked up by RPC name; an unknown name fails at import time, not at call time."""

    def __init__(self, module: Any, name: str) -> None:
        descriptor = module.DESCRIPTOR.services_by_name[name]
        self.name: str = descriptor.full_name
        self._rpcs = MappingProxyType(
            {
                method.name: RpcSpec(
                    service=descriptor.full_name,
                    name=method.name,
                    request_type=message_factory.GetMessageClass(method.input_type),
                    response_type=message_factory.GetMessageClass(method.output_type),
                )
                for method in descriptor.methods
            }
        )

    def __getitem__(self, rpc: str) -> RpcSpec:
        return self._rpcs[rpc]

    @property
    def rpcs(self) -> tuple[RpcSpec, ...]:
        return tuple(self._rpcs.values())


ADMIN = Service(admin_pb2, "AdminService")
DATA_PROXY = Service(dataproxy_pb2, "DataProxyService")
SIGNAL = Service(signal_pb2, "SignalService")
AUTH_METADATA = Service(auth_pb2, "AuthMetadataService")
IDENTITY = Service(identity_pb2, "IdentityService")
ALL_SERVICES = (ADMIN, DATA_PROXY, SIGNAL, AUTH_METADATA, IDENTITY)
