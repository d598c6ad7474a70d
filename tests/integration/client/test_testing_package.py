"""flyteplane.testing: an embedded control plane for users' own tests, as a context manager and pytest fixtures."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import urllib.request
from pathlib import Path

import pytest
from tests.integration.client.specs import DOMAIN, register_all

from flyteplane.client import AsyncFlyteClient, FlyteSystemUnavailableException, PlatformConfig, RetryPolicy
from flyteplane.client import SynchronousFlyteClient as Client
from flyteplane.testing import EmbeddedControlPlane, flyteplane_server


def test_the_context_manager_serves_a_working_control_plane() -> None:
    with flyteplane_server() as plane:
        assert isinstance(plane, EmbeddedControlPlane)
        assert plane.endpoint == f"127.0.0.1:{plane.port}"
        client = plane.client()
        project = plane.new_project("users-test")
        ids = register_all(client, project, "v1")

        assert client.get_task(ids["task"]).id == ids["task"]
        assert [p.id for p in client.iter_projects()] == sorted(["flytesnacks", project])
        with urllib.request.urlopen(f"{plane.url}/healthcheck", timeout=10) as response:
            assert response.status == 200
        home = plane.home
        endpoint = plane.endpoint

    assert not home.exists()  # a temporary home is removed
    with pytest.raises(FlyteSystemUnavailableException):
        Client(PlatformConfig(endpoint=endpoint, insecure=True, retry=RetryPolicy(max_retries=0))).get_domains()


def test_a_given_home_keeps_its_state_across_planes(tmp_path: Path) -> None:
    domains = (DOMAIN, "prod")
    with flyteplane_server(tmp_path, domains=domains, default_project="demo") as plane:
        client = plane.client()
        register_all(client, "demo", "v1")
        assert [d.id for d in client.get_domains()] == [DOMAIN, "prod"]
        assert plane.default_project == "demo"
        assert plane.domains == domains

    with flyteplane_server(tmp_path, domains=domains, default_project="demo") as again:
        names, _ = again.client().list_task_ids_paginated("demo", DOMAIN)
        assert [n.name for n in names] == ["double_task"]


def test_two_planes_do_not_share_state() -> None:
    with flyteplane_server() as first, flyteplane_server() as second:
        project = first.new_project()
        assert project in {p.id for p in first.client().iter_projects()}
        assert project not in {p.id for p in second.client().iter_projects()}
        assert first.port != second.port


def test_the_async_client_of_a_plane() -> None:
    import asyncio

    with flyteplane_server() as plane:

        async def domains() -> list[str]:
            async with plane.async_client() as client:
                assert isinstance(client, AsyncFlyteClient)
                return [d.id for d in await client.get_domains()]

        assert asyncio.run(domains()) == ["development", "staging", "production"]


USERS_TEST = textwrap.dedent(
    """
    from tests.integration.client.specs import DOMAIN, register_all

    # No `pytest_plugins` line: installing flyteplane registers the plugin with pytest (entry point pytest11).


    def test_registers_in_its_own_project(flyteplane, flyteplane_client, flyteplane_project):
        ids = register_all(flyteplane_client, flyteplane_project, "v1")
        assert flyteplane_client.get_workflow(ids["workflow"]).id == ids["workflow"]


    def test_sees_only_its_own_project(flyteplane, flyteplane_client, flyteplane_project):
        names, _ = flyteplane_client.list_task_ids_paginated(flyteplane_project, DOMAIN)
        assert names == []
        assert flyteplane.endpoint == flyteplane_client.url
    """
)


def test_the_pytest_plugin_gives_users_a_plane_a_client_and_a_project(tmp_path: Path) -> None:
    (tmp_path / "test_users_flows.py").write_text(USERS_TEST)
    repo = Path(__file__).resolve().parents[3]

    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=tmp_path,
        env={"PYTHONPATH": str(repo), "PATH": "/usr/bin:/bin"},
    )

    assert "2 passed" in result.stdout, result.stdout + result.stderr
