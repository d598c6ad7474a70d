"""flyteplane's client with no flytekit at all: a subprocess where importing flytekit fails, as where it is not
installed, registers and reads entities against a real `flyteplane serve`."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from tests.integration.server import RunningServer

REPO = Path(__file__).resolve().parents[3]

BLOCK_FLYTEKIT = textwrap.dedent(
    """
    import sys
    from importlib.abc import MetaPathFinder

    class NoFlytekit(MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name == "flytekit" or name.startswith("flytekit."):
                raise ImportError(f"{name} is not installed (blocked for this test)")
            return None

    sys.meta_path.insert(0, NoFlytekit())
    """
)


def run_without_flytekit(body: str) -> subprocess.CompletedProcess[str]:
    script = BLOCK_FLYTEKIT + f"sys.path.insert(0, {str(REPO)!r})\n" + textwrap.dedent(body)
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=REPO)


def test_the_blocker_really_blocks_flytekit() -> None:
    result = run_without_flytekit("import flytekit\n")
    assert result.returncode != 0
    assert "flytekit is not installed (blocked for this test)" in result.stderr


def test_the_client_manages_entities_without_flytekit(plane: RunningServer) -> None:
    result = run_without_flytekit(
        f"""
        import asyncio
        from flyteidl.admin import common_pb2, launch_plan_pb2, project_pb2
        from flyteplane.client import (
            AsyncFlyteClient, Filter, FlyteEntityAlreadyExistsException, FlyteEntityNotExistException,
            SynchronousFlyteClient,
        )
        from tests.integration.client.specs import DOMAIN, identifier, register_all

        client = SynchronousFlyteClient({plane.endpoint!r}, insecure=True)
        client.register_project(project_pb2.Project(id="no-flytekit", name="no flytekit"))
        ids = register_all(client, "no-flytekit", "v1")
        try:
            register_all(client, "no-flytekit", "v1")
            raise SystemExit("re-registering should have failed")
        except FlyteEntityAlreadyExistsException as error:
            assert type(error).__mro__[1].__module__ == "flyteplane.client.exceptions", type(error).__mro__
        client.update_launch_plan(ids["launch_plan"], launch_plan_pb2.ACTIVE)
        named = common_pb2.NamedEntityIdentifier(project="no-flytekit", domain=DOMAIN, name="double_lp")
        assert client.get_active_launch_plan(named).id == ids["launch_plan"]
        assert client.get_task(ids["task"]).closure.compiled_task.template.type == "python-task"
        tasks = list(client.iter_tasks(named.__class__(project="no-flytekit", domain=DOMAIN),
                                       filters=Filter.eq("version", "v1")))
        assert [t.id.name for t in tasks] == ["double_task"]
        try:
            client.get_workflow(identifier(2, "no-flytekit", "missing", "v1"))
            raise SystemExit("a missing workflow should not be found")
        except FlyteEntityNotExistException:
            pass

        async def read_async():
            async with AsyncFlyteClient({plane.endpoint!r}, insecure=True) as aclient:
                return await aclient.get_workflow(ids["workflow"])

        assert asyncio.run(read_async()).id == ids["workflow"]
        assert not [name for name in sys.modules if name.split(".")[0] == "flytekit"]
        print("managed entities without flytekit")
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "managed entities without flytekit"
