"""A cached task: the second run with the same inputs is a cache hit."""

from __future__ import annotations

from flytekit import task, workflow


@task(cache=True, cache_version="1.0")
def expensive(x: int) -> int:
    return x * 3


@workflow
def cached_wf(x: int) -> int:
    return expensive(x=x)
