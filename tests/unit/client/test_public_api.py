"""The exported names of flyteplane.client and flyteplane.testing, and what importing the client costs."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import flyteplane.client
import flyteplane.testing

CLIENT_API = [
    "AsyncFlyteClient",
    "Filter",
    "FlyteAuthenticationException",
    "FlyteClientException",
    "FlyteEntityAlreadyExistsException",
    "FlyteEntityNotExistException",
    "FlyteInvalidInputException",
    "FlyteSystemException",
    "FlyteSystemUnavailableException",
    "FlyteTimeout",
    "PlatformConfig",
    "RawAsyncFlyteClient",
    "RawSynchronousFlyteClient",
    "RetryPolicy",
    "Sort",
    "SynchronousFlyteClient",
]
TESTING_API = ["EmbeddedControlPlane", "flyteplane_server"]
HEAVY = ("flytekit", "sqlalchemy", "starlette", "uvicorn", "alembic", "fsspec", "yaml", "click")
SERVER_CODE = ("flyteplane.server", "flyteplane.services", "flyteplane.store", "flyteplane.api", "flyteplane.cli")


def is_server_code(module: str) -> bool:
    return any(module == package or module.startswith(package + ".") for package in SERVER_CODE)


def test_the_client_exports_exactly_its_public_names() -> None:
    assert sorted(flyteplane.client.__all__) == CLIENT_API
    assert all(hasattr(flyteplane.client, name) for name in CLIENT_API)


def test_the_testing_package_exports_exactly_its_public_names() -> None:
    assert sorted(flyteplane.testing.__all__) == TESTING_API
    assert all(hasattr(flyteplane.testing, name) for name in TESTING_API)


def loaded_after(statement: str) -> dict[str, object]:
    script = textwrap.dedent(
        f"""
        import json, sys, time
        started = time.perf_counter()
        {statement}
        seconds = time.perf_counter() - started
        print(json.dumps({{"seconds": seconds, "modules": sorted(sys.modules)}}))
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    loaded: dict[str, object] = json.loads(result.stdout)
    return loaded


def test_importing_the_client_loads_no_flytekit_database_web_or_server_code() -> None:
    """What keeps the import light; its time is measured by `python -m bench --client`, not asserted here."""
    loaded = loaded_after("import flyteplane.client")
    modules = loaded["modules"]
    assert isinstance(modules, list)

    heavy = [name for name in modules if name.split(".")[0] in HEAVY]
    server = [name for name in modules if is_server_code(name)]
    assert heavy == []
    assert server == []


def test_importing_the_testing_package_starts_no_server_code_until_a_plane_is_wanted() -> None:
    modules = loaded_after("import flyteplane.testing")["modules"]
    assert isinstance(modules, list)
    assert [name for name in modules if is_server_code(name) or name.split(".")[0] in HEAVY] == []
