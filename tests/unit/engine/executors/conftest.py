"""Executor-test fixtures: local executors on a temporary home (closed, and their attempts stopped, afterwards)
and a builder of task attempts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.unit.engine.executors.attempt_builders import PUBLIC_URL, Attempts, MakeExecutor

from flyteplane.engine.executors.local import LocalExecutor


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def make_executor(home: Path) -> Iterator[MakeExecutor]:
    made: list[LocalExecutor] = []

    def make(**kwargs: Any) -> LocalExecutor:
        options: dict[str, Any] = {"max_concurrency": 4, "python_envs": None, "public_url": PUBLIC_URL}
        executor = LocalExecutor(kwargs.pop("home", home), **{**options, **kwargs})
        made.append(executor)
        return executor

    yield make
    for executor in made:
        for attempt_id in executor.live():
            executor.terminate(attempt_id)
    for executor in made:
        executor.close()


@pytest.fixture
def attempts(tmp_path: Path) -> Attempts:
    return Attempts(tmp_path / "blobs")
