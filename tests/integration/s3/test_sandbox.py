"""`flyteplane serve --sandbox`: the server also runs the sandbox's S3 store (SeaweedFS, bucket my-s3-bucket,
minio / miniostorage) on 127.0.0.1 only, flytekit configured as for `flytectl demo start` (only the ports moved so
the test clashes with nothing) runs a workflow with files through it, and stopping the server stops the store."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flows import files
from flytekit.configuration import Config, DataConfig, PlatformConfig, S3Config
from flytekit.core.context_manager import FlyteContextManager
from flytekit.types.directory import FlyteDirectory
from flytekit.types.file import FlyteFile
from tests.integration.engine.support import DOMAIN, QuickRemote, assert_succeeded, register, run
from tests.integration.server import RunningServer, start_engine, start_server
from tests.integration.support import new_project

from flyteplane.server.seaweed import free_port, listening_addresses


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as f:
            found += [int(child) for child in f.read().split()]
    return found


def _command(pid: int) -> str:
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        return f.read().replace(b"\0", b" ").decode()


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningServer, int, int]]:
    s3_port = free_port()
    home: Path = tmp_path_factory.mktemp("home-sandbox")
    try:
        running = start_server(home, "", "--sandbox", "--sandbox-s3-port", str(s3_port), timeout=90)
    except RuntimeError as exc:
        if "not installed" in str(exc) and os.environ.get("CI") != "true":
            pytest.skip(str(exc))
        raise
    (weed,) = [pid for pid in _children(running.process.pid) if " mini " in _command(pid)]
    try:
        yield running, s3_port, weed
    finally:
        running.stop()


def test_the_sandbox_store_listens_on_loopback_only(sandbox: tuple[RunningServer, int, int]) -> None:
    _server, s3_port, weed = sandbox
    addresses = listening_addresses(weed)
    assert ("127.0.0.1", s3_port) in addresses
    assert {address for address, _ in addresses} == {"127.0.0.1"}, addresses


def test_a_workflow_with_files_runs_as_on_flytectl_demo(sandbox: tuple[RunningServer, int, int]) -> None:
    server, s3_port, _weed = sandbox
    sandbox_config = Config.for_sandbox()  # localhost:30080 and the store on localhost:30002: move the ports only
    assert sandbox_config.data_config.s3.access_key_id == "minio"
    config = Config(
        platform=PlatformConfig(endpoint=f"localhost:{server.port}", insecure=True),
        data_config=DataConfig(
            s3=S3Config(
                endpoint=f"http://localhost:{s3_port}",
                access_key_id=sandbox_config.data_config.s3.access_key_id,
                secret_access_key=sandbox_config.data_config.s3.secret_access_key,
            )
        ),
    )
    flyte: Any = QuickRemote(config, default_project="flytesnacks", default_domain=DOMAIN)
    project = new_project(flyte, "sandbox")
    execution = run(flyte, project, register(flyte, project, files.artifacts), text="demo", count=2)
    assert_succeeded(execution)
    assert execution.outputs.literals["o0"].scalar.blob.uri.startswith("s3://my-s3-bucket/")
    context = FlyteContextManager.current_context().with_file_access(flyte.file_access).build()
    with FlyteContextManager.with_context(context.new_builder()):
        assert Path(execution.outputs.get("o0", as_type=FlyteFile).download()).read_text() == "demo"
        folder = Path(execution.outputs.get("o1", as_type=FlyteDirectory).download())
        assert sorted(p.name for p in folder.iterdir()) == ["part-0.txt", "part-1.txt"]


def test_stopping_the_server_stops_the_store(tmp_path: Path) -> None:
    running = start_server(tmp_path / "home", "", "--sandbox", "--sandbox-s3-port", str(free_port()), timeout=90)
    (weed,) = [pid for pid in _children(running.process.pid) if " mini " in _command(pid)]
    assert running.stop() == 0
    assert not Path(f"/proc/{weed}").exists() or "zombie" in Path(f"/proc/{weed}/status").read_text()


def test_a_separate_engine_uses_the_sandbox_store_of_serve(tmp_path: Path) -> None:
    """`serve --sandbox --no-engine` runs the store; `flyteplane engine` with the same settings writes to it."""
    home = tmp_path / "home"
    home.mkdir()
    config = tmp_path / "sandbox.yaml"
    config.write_text(f"sandbox: true\nsandbox_s3_port: {free_port()}\n")
    api = start_server(home, "", "--config", str(config), "--no-engine", timeout=90)
    try:
        engine = start_engine(home, "", "--config", str(config))
        try:
            flyte: Any = QuickRemote.for_endpoint(
                api.endpoint, insecure=True, default_project="flytesnacks", default_domain=DOMAIN
            )
            project = new_project(flyte, "sandbox-split")
            execution = run(flyte, project, register(flyte, project, files.artifacts), text="split", count=1)
            assert_succeeded(execution)
            assert execution.outputs.literals["o0"].scalar.blob.uri.startswith("s3://my-s3-bucket/")
        finally:
            engine.stop()
    finally:
        api.stop()
