"""Execution data (flyteadmin §6.11, §11.4): literal maps inline below the threshold or as download URLs above
it, and GetData resolving `flyte://v1/...` URLs to node and task execution data."""

from __future__ import annotations

from pathlib import Path

import pytest
from flyteidl.core import identifier_pb2
from flyteidl.service import dataproxy_pb2
from tests.unit.services.execution_fixtures import (
    D,
    NodePhase,
    P,
    Plane,
    TaskPhase,
    build_plane,
    integer,
    launch,
    literal_map,
    node_event,
    register_pipeline,
    task_event,
    write_literal_map,
)

from flyteplane.blobs.signing import Signer
from flyteplane.blobs.store import BlobStore
from flyteplane.config import Settings
from flyteplane.errors import InvalidArgument, NotFound
from flyteplane.services.data.flyte_urls import parse_flyte_url
from flyteplane.services.executions.data import ExecutionData
from flyteplane.store.db import Database

# -- inlining ------------------------------------------------------------------------------------------------


@pytest.fixture
def data(tmp_path: Path) -> ExecutionData:
    return ExecutionData(BlobStore(str(tmp_path / "blobs")), Signer(b"s" * 32), "http://127.0.0.1:9/")


def test_offloaded_maps_live_under_the_metadata_prefix(data: ExecutionData) -> None:
    uri = data.offload(("p", "d", "e1", "inputs.pb"), literal_map(a=integer(1)))
    assert uri == data.blobs.native_url("metadata/p/d/e1/inputs.pb")
    assert data.read_literal_map(uri) == literal_map(a=integer(1))


def test_small_maps_are_inline_and_large_ones_a_signed_url_with_their_size(data: ExecutionData) -> None:
    values = literal_map(a=integer(1), b=integer(2))
    uri = data.offload(("p", "d", "e1", "inputs.pb"), values)
    assert data.for_response(uri) == (values, type(data.for_response(uri)[1])())
    data.max_inline_bytes = values.ByteSize()  # the threshold itself is no longer "below"
    inline, blob = data.for_response(uri)
    assert not inline.literals
    assert blob.bytes == values.ByteSize()
    assert blob.url.startswith("http://127.0.0.1:9/") and "method=GET" in blob.url and "signature=" in blob.url


def test_unreadable_or_missing_data_answers_empty(data: ExecutionData, tmp_path: Path) -> None:
    assert not data.for_response("")[0].literals
    assert not data.for_response(data.blobs.native_url("metadata/none.pb"))[0].literals
    assert not data.for_response("s3://elsewhere/outputs.pb")[0].literals
    data.blobs.put_bytes("metadata/garbage.pb", b"\xff\xff\xff")
    inline, blob = data.for_response(data.blobs.native_url("metadata/garbage.pb"))
    assert not inline.literals and not blob.url


def test_inline_closure_data_is_returned_only_below_the_threshold(data: ExecutionData) -> None:
    values = literal_map(a=integer(1))
    assert data.inline_for_response(values) == values
    data.max_inline_bytes = 1
    assert not data.inline_for_response(values).literals


# -- flyte:// URLs -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "node", "attempt", "kind", "name"),
    [
        ("flyte://v1/p/d/e1/n0/i", "n0", None, "i", ""),
        ("flyte://v1/p/d/e1/n0/o", "n0", None, "o", ""),
        ("flyte://v1/p/d/e1/n0-0-dn1/d", "n0-0-dn1", None, "d", ""),
        ("flyte://v1/p/d/e1/n0/2/o", "n0", 2, "o", ""),
        ("flyte://v1/p/d/e1/n0/o/o0", "n0", None, "o", "o0"),
        ("flyte://v1/p/d/e1/n0/1/i/my_input", "n0", 1, "i", "my_input"),
        ("flyte://v1/p/d/e1/n0/o/o", "n0", None, "o", "o"),
    ],
)
def test_flyte_urls_name_node_or_attempt_data(url: str, node: str, attempt: int | None, kind: str, name: str) -> None:
    parsed = parse_flyte_url(url)
    assert parsed.node == identifier_pb2.NodeExecutionIdentifier(
        node_id=node,
        execution_id=identifier_pb2.WorkflowExecutionIdentifier(project="p", domain="d", name="e1"),
    )
    assert (parsed.attempt, parsed.kind, parsed.name) == (attempt, kind, name)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "",
            "^failed to validate resolve artifact request. Error: source is required. Provided empty string$",
        ),
        ("s3://b/k", "request does not start with the correct prefix$"),
        (
            "flyte://v1/p/d/e1/n0",
            r"^failed to parse artifact url Error: failed to parse \[flyte://v1/p/d/e1/n0\]$",
        ),
        ("flyte://v1/p/d/e1/n0/x", "failed to parse artifact url"),
        ("flyte://v1/p/d/e1/n0/d/deck", "failed to parse artifact url"),
        ("flyte://v2/p/d/e1/n0/i", "failed to parse artifact url"),
        ("flyte://v1/p/d/e.1/n0/i", "failed to parse artifact url"),
    ],
)
def test_malformed_flyte_urls_are_invalid(url: str, message: str) -> None:
    with pytest.raises(InvalidArgument, match=message):
        parse_flyte_url(url)


@pytest.fixture
def plane(db: Database, settings: Settings, tmp_path: Path) -> Plane:
    return build_plane(db, settings, tmp_path)


@pytest.fixture
def run(plane: Plane) -> identifier_pb2.WorkflowExecutionIdentifier:
    """Node n0 with inputs {a: 1} and outputs {o0: 3}, run by attempts 0 (failed) and 1 (succeeded)."""
    created = launch(plane, register_pipeline(plane), "e1")
    inputs = write_literal_map(plane, "metadata/propeller/n0/inputs.pb", literal_map(a=integer(1)))
    first = write_literal_map(plane, "metadata/propeller/n0/0/outputs.pb", literal_map(o0=integer(-1)))
    outputs = write_literal_map(plane, "metadata/propeller/n0/1/outputs.pb", literal_map(o0=integer(3)))
    plane.blobs.put_bytes("metadata/propeller/n0/deck.html", b"<html></html>")
    deck = plane.blobs.native_url("metadata/propeller/n0/deck.html")
    plane.events.create_node_event(node_event(created, "n0", NodePhase.RUNNING, 1, input_uri=inputs))
    plane.events.create_task_event(task_event(created, "n0", TaskPhase.RUNNING, 1, input_uri=inputs))
    plane.events.create_task_event(task_event(created, "n0", TaskPhase.FAILED, 2, output_uri=first))
    plane.events.create_task_event(task_event(created, "n0", TaskPhase.RUNNING, 3, attempt=1, input_uri=inputs))
    plane.events.create_task_event(task_event(created, "n0", TaskPhase.SUCCEEDED, 4, attempt=1, output_uri=outputs))
    plane.events.create_node_event(node_event(created, "n0", NodePhase.SUCCEEDED, 5, output_uri=outputs, deck_uri=deck))
    return created  # type: ignore[no-any-return]


def get_data(plane: Plane, path: str) -> dataproxy_pb2.GetDataResponse:
    return plane.flyte_urls.get_data(dataproxy_pb2.GetDataRequest(flyte_url=f"flyte://v1/{P}/{D}/e1/{path}"))


def test_node_urls_resolve_to_inputs_outputs_and_single_literals(
    plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier
) -> None:
    assert get_data(plane, "n0/i").literal_map == literal_map(a=integer(1))
    assert get_data(plane, "n0/o").literal_map == literal_map(o0=integer(3))
    assert get_data(plane, "n0/o/o0").literal == integer(3)
    with pytest.raises(InvalidArgument, match=r"^name \[zz\] not found in node execution \[node_id:\"n0\""):
        get_data(plane, "n0/o/zz")
    with pytest.raises(NotFound, match=r"missing entity of type node execution"):
        get_data(plane, "n9/o")


def test_attempt_urls_resolve_to_that_attempts_data(
    plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier
) -> None:
    assert get_data(plane, "n0/0/o").literal_map == literal_map(o0=integer(-1))
    assert get_data(plane, "n0/1/o/o0").literal == integer(3)
    assert get_data(plane, "n0/1/i").literal_map == literal_map(a=integer(1))
    with pytest.raises(InvalidArgument, match=r"^no task executions were listed \[node_id:\"n0\""):
        get_data(plane, "n0/7/o")
    with pytest.raises(InvalidArgument, match=r"^no task executions were listed"):
        get_data(plane, "n0/4000000000/o")  # a uint32 attempt beyond what any row can hold
    with pytest.raises(InvalidArgument, match=r"failed to parse attempt \[99999999999\]"):
        get_data(plane, "n0/99999999999/o")
    with pytest.raises(
        InvalidArgument, match=r"^deck type cannot be specified with a retry attempt, just use the node"
    ):
        get_data(plane, "n0/1/d")
    with pytest.raises(InvalidArgument, match=r"^name \[zz\] not found in task execution"):
        get_data(plane, "n0/1/o/zz")


def test_a_deck_url_is_a_signed_link_to_the_nodes_deck(
    plane: Plane, run: identifier_pb2.WorkflowExecutionIdentifier
) -> None:
    links = get_data(plane, "n0/d").pre_signed_urls
    assert len(links.signed_url) == 1 and "signature=" in links.signed_url[0]
    assert links.expires_at.seconds > 0
    plane.events.create_node_event(node_event(run, "n1", NodePhase.SUCCEEDED, 6))
    with pytest.raises(NotFound, match=r"no deckUrl found"):
        get_data(plane, "n1/d")
