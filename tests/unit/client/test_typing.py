"""What a type checker reading flyteidl's own stubs sees of the client: each raw method's request and response
types, on both raw clients, and no error anywhere in flyteplane.client or flyteplane.remote.

The project's mypy run (`make lint`) skips flyteidl's stubs, so these checks run mypy with them read.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import flyteplane.client
import flyteplane.remote

TYPED_FLYTEIDL = """\
[mypy]
python_version = 3.11
strict = True
warn_unused_ignores = {warn_unused_ignores}
ignore_missing_imports = True
disallow_subclassing_any = False
disallow_untyped_calls = False
cache_dir = {cache}

[mypy-flyteidl.*]
follow_untyped_imports = True
"""
"""The project's mypy settings, but with flyteidl's stubs read."""


def mypy(tmp_path: Path, *paths: Path, expected_errors_ignored: bool = False) -> subprocess.CompletedProcess[str]:
    """mypy over `paths`; with `expected_errors_ignored`, a `type: ignore` that ignores nothing is an error."""
    pytest.importorskip("mypy")
    config = tmp_path / "mypy.ini"
    config.write_text(TYPED_FLYTEIDL.format(cache=tmp_path / "cache", warn_unused_ignores=expected_errors_ignored))
    command = [sys.executable, "-m", "mypy", "--config-file", str(config), *map(str, paths)]
    return subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)


def test_each_raw_method_takes_its_rpcs_request_and_returns_its_response_on_both_clients(tmp_path: Path) -> None:
    source = tmp_path / "uses_raw.py"
    source.write_text(
        textwrap.dedent(
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
            """
        )
    )
    result = mypy(tmp_path, source, expected_errors_ignored=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_client_and_the_remote_type_check_against_flyteidls_own_stubs(tmp_path: Path) -> None:
    packages = [Path(package.__file__).parent for package in (flyteplane.client, flyteplane.remote)]
    result = mypy(tmp_path, *packages)
    assert result.returncode == 0, result.stdout + result.stderr
