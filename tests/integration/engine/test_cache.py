"""A cached task: the first run populates the cache, the second with the same inputs is a hit and runs nothing."""

from __future__ import annotations

from typing import Any

import pytest
from flows import cached
from flyteidl.core.catalog_pb2 import CatalogCacheStatus
from tests.integration.engine.support import assert_succeeded, register, run


@pytest.fixture(scope="module")
def cached_wf(flyte: Any, project: str) -> Any:
    return register(flyte, project, cached.cached_wf)


def test_the_second_run_of_a_cached_task_is_a_cache_hit(flyte: Any, project: str, cached_wf: Any) -> None:
    first = run(flyte, project, cached_wf, x=14)
    assert_succeeded(first)
    assert first.outputs["o0"] == 42
    populated = flyte.sync_execution(first, sync_nodes=True).node_executions["n0"]
    assert populated.closure.task_node_metadata.cache_status == CatalogCacheStatus.CACHE_POPULATED
    assert len(populated.task_executions) == 1

    second = run(flyte, project, cached_wf, x=14)
    assert_succeeded(second)
    assert second.outputs["o0"] == 42
    hit = flyte.sync_execution(second, sync_nodes=True).node_executions["n0"]
    assert hit.closure.task_node_metadata.cache_status == CatalogCacheStatus.CACHE_HIT
    assert hit.task_executions == [], "a cache hit runs no task"
    assert hit.closure.task_node_metadata.catalog_key == populated.closure.task_node_metadata.catalog_key
