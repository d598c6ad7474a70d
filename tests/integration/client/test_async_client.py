"""AsyncFlyteClient against a real `flyteplane serve`: registry round trips on grpc.aio."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from flyteidl.admin import common_pb2, launch_plan_pb2, project_pb2
from tests.integration.client.specs import DOMAIN, identifier, launch_plan_spec, task_spec, workflow_spec
from tests.integration.server import RunningServer

from flyteplane.client import (
    AsyncFlyteClient,
    FlyteEntityAlreadyExistsException,
    FlyteEntityNotExistException,
    RawAsyncFlyteClient,
)


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def test_register_fetch_list_and_activate_with_the_async_client(plane: RunningServer) -> None:
    async def scenario() -> dict[str, Any]:
        async with AsyncFlyteClient(plane.endpoint, insecure=True) as client:
            await client.register_project(project_pb2.Project(id="async-client", name="async"))
            task_id = identifier(1, "async-client", "double_task", "v1")
            workflow_id = identifier(2, "async-client", "double_wf", "v1")
            plan_id = identifier(3, "async-client", "double_lp", "v1")
            await client.create_task(task_id, task_spec(task_id))
            await client.create_workflow(workflow_id, workflow_spec(workflow_id, task_id))
            await client.create_launch_plan(plan_id, launch_plan_spec(workflow_id))
            with pytest.raises(FlyteEntityAlreadyExistsException):
                await client.create_task(task_id, task_spec(task_id))
            await client.update_launch_plan(plan_id, launch_plan_pb2.ACTIVE)
            named = common_pb2.NamedEntityIdentifier(project="async-client", domain=DOMAIN, name="double_lp")
            return {
                "task": await client.get_task(task_id),
                "workflow": await client.get_workflow(workflow_id),
                "active": await client.get_active_launch_plan(named),
                "tasks": [t async for t in client.iter_tasks(named.__class__(project="async-client", domain=DOMAIN))],
                "ids": await client.list_launch_plan_ids_paginated("async-client", DOMAIN),
                "version": await client.get_control_plane_version(),
                "domains": await client.get_domains(),
            }

    got = run(scenario())

    assert got["task"].closure.compiled_task.template.type == "python-task"
    assert got["workflow"].id.name == "double_wf"
    assert got["active"].id.version == "v1"
    assert [t.id.name for t in got["tasks"]] == ["double_task"]
    assert [i.name for i in got["ids"][0]] == ["double_lp"]
    assert got["version"] == "v0.1.0"
    assert [d.id for d in got["domains"]] == ["development", "staging", "production"]


def test_errors_map_to_the_same_exceptions_on_the_async_client(plane: RunningServer) -> None:
    async def missing() -> None:
        async with AsyncFlyteClient(plane.endpoint, insecure=True) as client:
            await client.get_task(identifier(1, "flytesnacks", "missing", "v1"))

    with pytest.raises(FlyteEntityNotExistException, match="GetTask failed with NOT_FOUND"):
        run(missing())


def test_the_async_raw_client_speaks_every_service(plane: RunningServer) -> None:
    async def calls() -> list[Any]:
        async with RawAsyncFlyteClient(plane.endpoint, insecure=True) as raw:
            return [await raw.get_version(), await raw.GetDomains(), await raw.get_public_client_config()]

    version, domains, _ = run(calls())
    assert version.control_plane_version.Version == "v0.1.0"
    assert len(domains.domains) == 3
