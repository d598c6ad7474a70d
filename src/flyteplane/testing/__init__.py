"""A real flyteplane control plane for your own tests, started in the test process on a free port.

    from flyteplane.testing import flyteplane_server

    with flyteplane_server() as plane:
        client = plane.client()
        client.register_project(...)

For pytest, `pytest_plugins = ["flyteplane.testing.pytest_plugin"]` in a conftest.py gives the fixtures
`flyteplane` (one server per session) and `flyteplane_client` (a client per test).
"""

from flyteplane.testing.server import EmbeddedControlPlane, flyteplane_server

__all__ = ["EmbeddedControlPlane", "flyteplane_server"]
