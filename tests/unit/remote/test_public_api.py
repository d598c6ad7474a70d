"""The exported names of flyteplane.remote, and what importing it costs (no flytekit, no server code)."""

from __future__ import annotations

from tests.unit.client.test_public_api import is_server_code, loaded_after

import flyteplane.remote

REMOTE_API = [
    "Config",
    "Directory",
    "File",
    "FlyteAssertion",
    "FlyteExecutionSpan",
    "FlyteLaunchPlan",
    "FlyteNodeExecution",
    "FlyteRemote",
    "FlyteTask",
    "FlyteTaskExecution",
    "FlyteTimeout",
    "FlyteValueException",
    "FlyteWorkflow",
    "FlyteWorkflowExecution",
    "FlytekitRequired",
    "LiteralsResolver",
    "Options",
    "TypedInterface",
]
HEAVY = ("flytekit", "sqlalchemy", "starlette", "uvicorn", "alembic", "fsspec", "yaml", "click", "croniter", "rich")


def test_the_remote_package_exports_exactly_its_public_names() -> None:
    assert sorted(flyteplane.remote.__all__) == REMOTE_API
    assert all(hasattr(flyteplane.remote, name) for name in REMOTE_API)


def test_importing_the_remote_loads_no_flytekit_and_no_server_code() -> None:
    loaded = loaded_after("import flyteplane.remote")
    modules = loaded["modules"]
    assert isinstance(modules, list)
    assert [name for name in modules if name.split(".")[0] in HEAVY] == []
    assert [name for name in modules if is_server_code(name)] == []


def test_constructing_a_remote_does_no_io_and_connects_on_first_use() -> None:
    remote = flyteplane.remote.FlyteRemote.for_endpoint("unreachable.invalid:1", insecure=True)
    assert remote._ctx._client is None
    assert remote.client.config.endpoint == "unreachable.invalid:1"  # a channel, not yet a connection
    remote.close()
