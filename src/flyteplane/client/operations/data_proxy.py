"""Data proxy: signed URLs to upload code and inputs, to download outputs and decks, and stored data by URI."""

from __future__ import annotations

import datetime
from typing import Any

from flyteidl.core import identifier_pb2
from flyteidl.service import dataproxy_pb2

from flyteplane.client.calls import Call, operation
from flyteplane.client.idl import duration, enum_number
from flyteplane.client.rpcs import DATA_PROXY

__all__ = ["DataProxyOperations"]


class DataProxyOperations:
    @operation
    def get_upload_signed_url(
        self,
        project: str,
        domain: str,
        content_md5: bytes | None = None,
        filename: str | None = None,
        expires_in: datetime.timedelta | None = None,
        filename_root: str | None = None,
        add_content_md5_metadata: bool = True,
    ) -> Call[Any]:
        """A URL to PUT one file to (`signed_url`) and where it will live (`native_url`).

        With `content_md5` the location is derived from the content, so uploading the same bytes twice lands in the
        same place; `filename_root` groups several uploads under one prefix.
        """
        request = dataproxy_pb2.CreateUploadLocationRequest(
            project=project,
            domain=domain,
            content_md5=content_md5 or b"",
            filename=filename or "",
            expires_in=duration(expires_in),
            filename_root=filename_root or "",
            add_content_md5_metadata=add_content_md5_metadata,
        )
        return Call(DATA_PROXY["CreateUploadLocation"], request)

    @operation
    def get_download_signed_url(self, native_url: str, expires_in: datetime.timedelta | None = None) -> Call[Any]:
        """A URL to GET a stored blob (`native_url` as the server reported it) without storage credentials."""
        request = dataproxy_pb2.CreateDownloadLocationRequest(native_url=native_url, expires_in=duration(expires_in))
        return Call(DATA_PROXY["CreateDownloadLocation"], request)

    @operation
    def get_data(self, flyte_uri: str) -> Call[Any]:
        """Inputs, outputs or a single literal by `flyte://v1/project/domain/execution/node/...` URI."""
        return Call(DATA_PROXY["GetData"], dataproxy_pb2.GetDataRequest(flyte_url=flyte_uri))

    @operation
    def get_download_artifact_signed_url(
        self,
        node_id: str,
        project: str,
        domain: str,
        name: str,
        artifact_type: int = dataproxy_pb2.ARTIFACT_TYPE_DECK,
        expires_in: datetime.timedelta | None = None,
    ) -> Call[Any]:
        """Signed URLs to an artifact (the deck, by default) of node `node_id` of execution `name`."""
        request = dataproxy_pb2.CreateDownloadLinkRequest(
            artifact_type=enum_number(artifact_type),
            node_execution_id=identifier_pb2.NodeExecutionIdentifier(
                node_id=node_id,
                execution_id=identifier_pb2.WorkflowExecutionIdentifier(project=project, domain=domain, name=name),
            ),
            expires_in=duration(expires_in),
        )
        return Call(DATA_PROXY["CreateDownloadLink"], request)
