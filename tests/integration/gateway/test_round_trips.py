"""Over HTTP every annotated RPC answers exactly as over gRPC, in JSON and in binary protobuf.

For each route flyteidl declares (additional bindings included) the same request goes once through the gateway
and once through gRPC against one real server; the answers, successes and errors alike, must be equal.
"""

from __future__ import annotations

from typing import Any

import grpc
import httpx2
import pytest
from tests.http_calls import Encoding
from tests.integration.gateway.cases import CASES
from tests.integration.gateway.support import BINDINGS, binding_id, canonical, via_grpc, via_http
from tests.integration.gateway.world import World, unique

from flyteplane.api.http.gateway import Binding


def test_every_annotated_rpc_has_a_case() -> None:
    assert {binding.method.name for binding in BINDINGS} == set(CASES)


@pytest.mark.parametrize("encoding", ["json", "binary"])
@pytest.mark.parametrize("binding", BINDINGS, ids=binding_id)
def test_http_answers_as_grpc(
    binding: Binding, encoding: Encoding, world: World, http: httpx2.Client, channel: grpc.Channel
) -> None:
    case = CASES[binding.method.name]
    index = [b for b in BINDINGS if b.method is binding.method].index(binding)
    if not case.twin:
        request = case.build(world, "")[index]
        over_http = via_http(http, binding, request, encoding)
        over_grpc = via_grpc(channel, binding, request)
        assert over_http == over_grpc
        assert over_grpc.code == case.code(index).value[0], over_grpc.text
        return
    http_token, grpc_token = unique("h"), unique("g")
    try:
        over_http = via_http(http, binding, case.build(world, http_token)[index], encoding).without(http_token)
        over_grpc = via_grpc(channel, binding, case.build(world, grpc_token)[index]).without(grpc_token)
        assert over_http == over_grpc
        assert over_grpc.code == case.code(index).value[0], over_grpc.text
        if case.effect is not None:
            assert effect(case.effect, world, http_token) == effect(case.effect, world, grpc_token)
    finally:
        if case.cleanup is not None:
            case.cleanup(world, http_token)
            case.cleanup(world, grpc_token)


def effect(read: Any, world: World, token: str) -> str:
    return canonical(read(world, token)).replace(token, "<token>")
