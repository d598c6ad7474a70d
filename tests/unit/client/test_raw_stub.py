"""raw_methods.pyi is generated from flyteidl's service descriptors, and a type checker sees each RPC's messages
through it: `raw.get_task(ObjectGetRequest) -> Task` on the blocking client, an awaitable of it on the async one."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from flyteplane.client import raw_stub
from flyteplane.client.rpcs import ALL_SERVICES

TYPED_FLYTEIDL = """\
[mypy]
python_version = 3.11
strict = True
warn_unused_ignores = True
ignore_missing_imports = True
disallow_subclassing_any = False
disallow_untyped_calls = False
cache_dir = {cache}

[mypy-flyteidl.*]
follow_untyped_imports = True

[mypy-flyteplane.*]
follow_imports = silent
"""
"""The project's mypy settings, but with flyteidl's own stubs read (the project's config skips them)."""


def test_the_committed_stub_is_what_the_descriptors_give() -> None:
    assert raw_stub.STUB_PATH.read_text() == raw_stub.render(), "stale: run python -m flyteplane.client.raw_stub"


def test_the_stub_types_every_rpc_under_both_names() -> None:
    stub = raw_stub.render()
    for service in ALL_SERVICES:
        for spec in service.rpcs:
            assert f"    {spec.method_name}: RpcMethod[" in stub
            assert f"    {spec.name} = {spec.method_name}\n" in stub
    assert "    get_task: RpcMethod[common_pb2.ObjectGetRequest, task_pb2.Task]\n" in stub


def test_check_fails_on_a_stale_stub_and_writing_repairs_it(tmp_path: Path) -> None:
    stub = tmp_path / "raw_methods.pyi"
    stub.write_text("# stale\n")
    assert raw_stub.main(["--check", "--output", str(stub)]) == 1
    assert raw_stub.main(["--output", str(stub)]) == 0
    assert raw_stub.main(["--check", "--output", str(stub)]) == 0
    assert stub.read_text() == raw_stub.render()


def mypy(tmp_path: Path, code: str) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "mypy.ini"
    config.write_text(TYPED_FLYTEIDL.format(cache=tmp_path / "cache"))
    source = tmp_path / "uses_raw.py"
    source.write_text(textwrap.dedent(code))
    command = [sys.executable, "-m", "mypy", "--config-file", str(config), str(source)]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)


def test_a_type_checker_sees_each_rpcs_request_and_response_on_both_raw_clients(tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    result = mypy(
        tmp_path,
        """
        from typing import assert_type

        from flyteidl.admin import common_pb2, project_pb2, task_pb2
        from flyteidl.service import dataproxy_pb2

        from flyteplane.client import RawAsyncFlyteClient, RawSynchronousFlyteClient


        def blocking(raw: RawSynchronousFlyteClient) -> None:
            assert_type(raw.get_task(common_pb2.ObjectGetRequest()), task_pb2.Task)
            assert_type(raw.GetTask(), task_pb2.Task)
            assert_type(raw.list_projects(project_pb2.ProjectListRequest(limit=3)), project_pb2.Projects)
            assert_type(raw.get_data(timeout=1.0), dataproxy_pb2.GetDataResponse)
            raw.get_task(project_pb2.ProjectListRequest())  # type: ignore[arg-type]


        async def awaiting(raw: RawAsyncFlyteClient) -> None:
            assert_type(await raw.get_task(common_pb2.ObjectGetRequest()), task_pb2.Task)
            assert_type(await raw.CreateTask(), task_pb2.TaskCreateResponse)
            await raw.get_task(project_pb2.ProjectListRequest())  # type: ignore[arg-type]
        """,
    )
    assert result.returncode == 0, result.stdout + result.stderr
