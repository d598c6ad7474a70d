"""Fixtures of the engine tests: a quick-polling FlyteRemote on the shared server of each backend."""

from __future__ import annotations

from typing import Any

import pytest
from tests.integration.engine.support import QuickRemote, use_engine_apps
from tests.integration.server import RunningServer

use_engine_apps()


@pytest.fixture(scope="session")
def flyte(server: RunningServer) -> Any:
    return QuickRemote.for_endpoint(
        server.endpoint, insecure=True, default_project="flytesnacks", default_domain="development"
    )
