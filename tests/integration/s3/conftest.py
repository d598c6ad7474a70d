"""The engine on PostgreSQL + S3 + the local executor: one server per session (per xdist worker) whose blob store
is a bucket on a real S3 server (SeaweedFS) the test run starts, with the real flytekit talking to it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.integration.engine.support import QuickRemote, use_engine_apps
from tests.integration.server import RunningServer, start_server
from tests.integration.support import new_project
from tests.postgres import temporary_database
from tests.s3server import S3Server, running_s3

use_engine_apps()

PREFIX = "flyteplane"


@pytest.fixture(scope="session")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    with running_s3(tmp_path_factory.mktemp("seaweedfs")) as server:
        # flytekit in this process (reading outputs) finds the store as a task does
        saved = {name: os.environ.get(name) for name in server.flytekit_env}
        os.environ.update(server.flytekit_env)
        try:
            yield server
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


@pytest.fixture(scope="session")
def server(s3: S3Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    home: Path = tmp_path_factory.mktemp("home-postgres-s3")
    config = home / "settings.yaml"
    config.write_text(f"blob_store: s3://{s3.bucket}/{PREFIX}\ns3_endpoint: {s3.endpoint}\n")
    with temporary_database() as url:
        running = start_server(home, url, "--config", str(config), env=s3.aws_env)
        yield running
        running.stop()


@pytest.fixture(scope="session")
def flyte(server: RunningServer) -> Any:
    return QuickRemote.for_endpoint(
        server.endpoint, insecure=True, default_project="flytesnacks", default_domain="development"
    )


@pytest.fixture(scope="module")
def project(flyte: Any, request: pytest.FixtureRequest) -> str:
    module = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_").replace("_", "-")
    return new_project(flyte, module[:40])
