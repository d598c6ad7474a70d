"""CreateDownloadLink: validation order, and a signed link to a node execution's deck when it has one."""

from __future__ import annotations

from pathlib import Path

import pytest
from flyteidl.core import identifier_pb2
from flyteidl.service import dataproxy_pb2
from google.protobuf.duration_pb2 import Duration

from flyteplane.blobs.signing import Signer
from flyteplane.blobs.store import BlobStore
from flyteplane.errors import InvalidArgument, NotFound
from flyteplane.services.data.data_proxy import DataProxyService

NODE = identifier_pb2.NodeExecutionIdentifier(
    node_id="n0",
    execution_id=identifier_pb2.WorkflowExecutionIdentifier(project="p", domain="d", name="e1"),
)


def service(tmp_path: Path, decks: dict[str, str] | None = None) -> DataProxyService:
    def deck_uri_of(node: identifier_pb2.NodeExecutionIdentifier) -> str:
        return (decks or {}).get(node.node_id, "")

    return DataProxyService(
        BlobStore(str(tmp_path / "blobs")),
        Signer(b"k" * 32),
        public_url="http://127.0.0.1:1",
        deck_uri_of=deck_uri_of if decks is not None else None,
    )


def test_undefined_artifact_type_is_invalid(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgument, match="invalid artifact type"):
        service(tmp_path).create_download_link(dataproxy_pb2.CreateDownloadLinkRequest(node_execution_id=NODE))


def test_expiry_beyond_the_maximum_is_checked_first(tmp_path: Path) -> None:
    request = dataproxy_pb2.CreateDownloadLinkRequest(expires_in=Duration(seconds=7200))
    with pytest.raises(InvalidArgument, match="expiresIn"):
        service(tmp_path).create_download_link(request)


def test_without_executions_the_node_lookup_fails(tmp_path: Path) -> None:
    request = dataproxy_pb2.CreateDownloadLinkRequest(
        artifact_type=dataproxy_pb2.ARTIFACT_TYPE_DECK, node_execution_id=NODE
    )
    with pytest.raises(InvalidArgument, match=r"node execution with id \[p/d/e1/n0\]"):
        service(tmp_path).create_download_link(request)


def test_node_without_deck_is_not_found(tmp_path: Path) -> None:
    request = dataproxy_pb2.CreateDownloadLinkRequest(
        artifact_type=dataproxy_pb2.ARTIFACT_TYPE_DECK, node_execution_id=NODE
    )
    with pytest.raises(NotFound, match="no deckUrl found"):
        service(tmp_path, decks={}).create_download_link(request)


def test_deck_gets_a_signed_link(tmp_path: Path) -> None:
    store = BlobStore(str(tmp_path / "blobs"))
    store.put_bytes("decks/e1/deck.html", b"<html></html>")
    proxy = service(tmp_path, decks={"n0": store.native_url("decks/e1/deck.html")})
    response = proxy.create_download_link(
        dataproxy_pb2.CreateDownloadLinkRequest(artifact_type=dataproxy_pb2.ARTIFACT_TYPE_DECK, node_execution_id=NODE)
    )
    (url,) = response.signed_url
    assert url.startswith("http://127.0.0.1:1/blobs/decks/e1/deck.html?")
    assert response.pre_signed_urls.signed_url == [url]
