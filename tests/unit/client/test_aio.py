"""AsyncFlyteClient runs the very operations SynchronousFlyteClient runs: same requests, same results."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from typing import Any

import pytest
from flyteidl.admin import common_pb2, project_pb2, task_pb2
from flyteidl.core import identifier_pb2
from tests.unit.client.fakes import ScriptedAsyncRaw, ScriptedRaw

from flyteplane.client import AsyncFlyteClient, SynchronousFlyteClient
from flyteplane.client.operations import FlyteOperations

TASK_ID = identifier_pb2.Identifier(resource_type=identifier_pb2.TASK, project="p", domain="d", name="t", version="1")
EXECUTION_ID = identifier_pb2.WorkflowExecutionIdentifier(project="p", domain="d", name="e")
NODE_ID = identifier_pb2.NodeExecutionIdentifier(node_id="n0", execution_id=EXECUTION_ID)

CALLS: list[tuple[str, Callable[[Any], Any]]] = [
    ("get_task", lambda c: c.get_task(TASK_ID)),
    ("list_task_ids_paginated", lambda c: c.list_task_ids_paginated("p", "d", limit=5, sort_by="-name")),
    ("list_executions_paginated", lambda c: c.list_executions_paginated("p", "d", filters="eq(phase,FAILED)")),
    ("list_node_executions", lambda c: c.list_node_executions(EXECUTION_ID, unique_parent_id="n1")),
    ("get_node_execution_data", lambda c: c.get_node_execution_data(NODE_ID)),
    ("terminate_execution", lambda c: c.terminate_execution(EXECUTION_ID, cause="stop")),
    ("get_project_domain_attributes", lambda c: c.get_project_domain_attributes("p", "d", 1)),
    ("get_data", lambda c: c.get_data("flyte://v1/p/d/e/n0/i")),
    ("get_control_plane_version", lambda c: c.get_control_plane_version()),
]


def run_sync(call: Callable[[Any], Any]) -> tuple[Any, list[tuple[str, Any]]]:
    raw = ScriptedRaw()
    result = call(SynchronousFlyteClient(raw=raw))
    return result, raw.sent


def run_async(call: Callable[[Any], Any]) -> tuple[Any, list[tuple[str, Any]]]:
    raw = ScriptedAsyncRaw()
    result = asyncio.run(call(AsyncFlyteClient(raw=raw)))
    return result, raw.sync.sent


@pytest.mark.parametrize(("name", "call"), CALLS, ids=[name for name, _ in CALLS])
def test_both_clients_send_the_same_request_and_return_the_same_result(name: str, call: Callable[[Any], Any]) -> None:
    assert run_sync(call) == run_async(call)


def test_every_operation_is_a_coroutine_function_on_the_async_client() -> None:
    client = AsyncFlyteClient(raw=ScriptedAsyncRaw())
    names = [name for name in dir(FlyteOperations) if not name.startswith("_")]
    awaitable = [name for name in names if not name.startswith("iter_")]

    assert len(names) > 60
    assert all(inspect.iscoroutinefunction(getattr(client, name)) for name in awaitable)


def test_async_iterators_walk_every_page() -> None:
    raw = ScriptedAsyncRaw()
    pages = {
        "": project_pb2.Projects(projects=[project_pb2.Project(id="a")], token="t2"),
        "t2": project_pb2.Projects(projects=[project_pb2.Project(id="b")]),
    }
    raw.sync.answer("ListProjects", lambda request: pages[request.token])

    async def collect() -> list[str]:
        return [project.id async for project in AsyncFlyteClient(raw=raw).iter_projects(page_size=1)]

    assert asyncio.run(collect()) == ["a", "b"]


def test_the_async_client_caches_get_task() -> None:
    raw = ScriptedAsyncRaw()
    raw.sync.answer("GetTask", task_pb2.Task(id=TASK_ID))

    async def twice() -> list[Any]:
        client = AsyncFlyteClient(raw=raw)
        return [await client.get_task(TASK_ID), await client.get_task(TASK_ID)]

    first, second = asyncio.run(twice())
    assert first == second == task_pb2.Task(id=TASK_ID)
    assert raw.sync.requests("GetTask") == [common_pb2.ObjectGetRequest(id=TASK_ID)]


def test_the_async_client_closes_its_raw_client() -> None:
    raw = ScriptedAsyncRaw()

    async def use() -> None:
        async with AsyncFlyteClient(raw=raw):
            pass

    asyncio.run(use())
    assert raw.sync.closed
