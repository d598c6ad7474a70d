"""Issue 9, item 5: a signed upload URL can no longer forge the engine's outputs.

The attack: after a task wrote its outputs, CreateUploadLocation with project=metadata, domain=propeller,
filename_root=<p>-<d>-<exec>/<node>/data/0, filename=outputs.pb returned a URL that PUT over the task's
outputs.pb, and GetNodeExecutionData then returned the forged bytes. Now uploads need a registered project and
domain, live under their own prefix, and a signed PUT never replaces other content.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import Any

import grpc
import pytest
from flyteidl.admin import node_execution_pb2
from flyteidl.core import literals_pb2
from flyteidl.service import dataproxy_pb2, dataproxy_pb2_grpc
from tests.integration.engine.support import DOMAIN, QuickRemote, assert_succeeded, register, run, use_engine_apps

use_engine_apps()

from flows import basics  # noqa: E402


def forged_outputs() -> bytes:
    forged = literals_pb2.LiteralMap()
    forged.literals["o0"].scalar.primitive.integer = 666
    return forged.SerializeToString()


def put(url: str, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(
        url, data=body, method="PUT", headers={"Content-Type": "application/octet-stream", **headers}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as e:
        return int(e.code)


@pytest.fixture(scope="module")
def execution(remote: Any, project: str, server: Any) -> Any:
    flyte = QuickRemote.for_endpoint(server.endpoint, insecure=True, default_project=project, default_domain=DOMAIN)
    finished = run(flyte, project, register(flyte, project, basics.arithmetic), a=20, b=1)
    assert_succeeded(finished)
    return finished


def test_the_issues_attack_is_refused_for_an_unregistered_project_and_domain(
    channel: grpc.Channel, execution: Any
) -> None:
    exec_id = execution.id
    stub = dataproxy_pb2_grpc.DataProxyServiceStub(channel)
    with pytest.raises(grpc.RpcError) as caught:
        stub.CreateUploadLocation(
            dataproxy_pb2.CreateUploadLocationRequest(
                project="metadata",
                domain="propeller",
                filename_root=f"{exec_id.project}-{exec_id.domain}-{exec_id.name}/n0/data/0",
                filename="outputs.pb",
            )
        )
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "project [metadata]" in (caught.value.details() or "")


def test_an_upload_named_like_the_engines_outputs_lands_apart_and_forges_nothing(
    channel: grpc.Channel, admin: Any, execution: Any
) -> None:
    exec_id = execution.id
    node = node_execution_pb2.NodeExecutionGetDataRequest()
    node.id.execution_id.CopyFrom(exec_id.to_flyte_idl())
    node.id.node_id = "n0"
    before = admin.GetNodeExecutionData(node).full_outputs
    assert before.literals["o0"].scalar.primitive.integer == 21

    stub = dataproxy_pb2_grpc.DataProxyServiceStub(channel)
    location = stub.CreateUploadLocation(
        dataproxy_pb2.CreateUploadLocationRequest(
            project=exec_id.project,
            domain=exec_id.domain,
            filename_root=f"{exec_id.project}-{exec_id.domain}-{exec_id.name}/n0/data/0",
            filename="outputs.pb",
        )
    )
    assert "/uploads/" in location.native_url
    assert put(location.signed_url, forged_outputs(), dict(location.headers)) in (200, 201)
    assert put(location.signed_url, b"and again", dict(location.headers)) in (403, 412)  # never replaced
    after = admin.GetNodeExecutionData(node).full_outputs
    assert after == before
