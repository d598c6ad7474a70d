"""`flyteplane serve --sandbox`: the object store `flytectl demo start` brings, so code written for the sandbox
(flytekit's `Config.for_sandbox()`, tutorials, notebooks) runs unchanged.

The sandbox's S3 API is on port 30002 with the bucket `my-s3-bucket` and the access key `minio` / `miniostorage`;
here SeaweedFS plays MinIO's part, on 127.0.0.1 only, keeping its data under the home (`sandbox-s3/`), and the
blob store is `s3://my-s3-bucket`.
"""

from __future__ import annotations

import dataclasses

from flyteplane.blobs.s3 import DEFAULT_REGION, S3Access
from flyteplane.config import Settings
from flyteplane.errors import InvalidArgument
from flyteplane.server.seaweed import LOOPBACK, SeaweedS3, start_seaweed_s3

__all__ = ["ACCESS_KEY", "BUCKET", "SECRET_KEY", "sandbox_access", "sandbox_settings", "start_sandbox_store"]

BUCKET = "my-s3-bucket"
ACCESS_KEY = "minio"
SECRET_KEY = "miniostorage"
DATA_DIR = "sandbox-s3"


def sandbox_settings(settings: Settings) -> Settings:
    """The settings with the blob store on the sandbox's S3 server; a blob store of one's own is a contradiction."""
    if settings.blob_store or settings.s3_endpoint:
        raise InvalidArgument(
            "setting 'sandbox' runs its own S3 store: leave 'blob_store' and 's3_endpoint' unset with it"
        )
    return dataclasses.replace(
        settings, blob_store=f"s3://{BUCKET}", s3_endpoint=f"http://{LOOPBACK}:{settings.sandbox_s3_port}"
    )


def sandbox_access(settings: Settings) -> S3Access:
    """The sandbox's fixed credentials, whatever AWS_* variables the server has."""
    return S3Access(
        endpoint=f"http://{LOOPBACK}:{settings.sandbox_s3_port}",
        region=DEFAULT_REGION,
        access_key_id=ACCESS_KEY,
        secret_access_key=SECRET_KEY,
    )


def start_sandbox_store(settings: Settings) -> SeaweedS3:
    """Starts the sandbox's S3 server and returns once its bucket answers (SeaweedError if it cannot)."""
    return start_seaweed_s3(
        settings.home / DATA_DIR,
        s3_port=settings.sandbox_s3_port,
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        buckets=[BUCKET],
    )
