"""Fixtures of the scheduler's integration tests: the apps on sys.path, and a plane on a fast clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.integration.scheduler.planes import Plane, running_plane, use_apps

use_apps()

CLOCK_START = "2024-01-01T00:00:00+00:00"


@pytest.fixture(scope="module")
def fast_plane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Plane]:
    """A plane whose scheduler clock starts on 2024-01-01 and runs 60 times as fast: a minute a second."""
    home: Path = tmp_path_factory.mktemp("fast-plane")
    with running_plane(home, clock_start=CLOCK_START, clock_speed=60) as plane:
        yield plane
