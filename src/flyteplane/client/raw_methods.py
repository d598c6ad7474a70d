"""The raw clients' methods: one per RPC of the five services, as snake_case and as the RPC's own name.

`client.create_task(request)` and `client.CreateTask(request)` are the same method. Each takes the RPC's request
message (or None for an empty one) and returns its response message. The methods are built here from flyteidl's
service descriptors, so no RPC can be missing or misspelt; their types are in `raw_methods.pyi`, generated from
the same descriptors by `python -m flyteplane.client.raw_stub` (a test fails when it is stale).
"""

from __future__ import annotations

from typing import Any

from flyteplane.client.rpc_method import RpcMethod
from flyteplane.client.rpcs import ALL_SERVICES

__all__ = ["RawRpcMethods"]


def _methods() -> dict[str, RpcMethod[Any, Any]]:
    methods: dict[str, RpcMethod[Any, Any]] = {}
    for service in ALL_SERVICES:
        for spec in service.rpcs:
            methods[spec.method_name] = methods[spec.name] = RpcMethod(spec)
    return methods


RawRpcMethods = type(
    "RawRpcMethods",
    (),
    {"__module__": __name__, "__doc__": "Every RPC of the five services, as a method.", **_methods()},
)
