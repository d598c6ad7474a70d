"""Fast registration: code goes up through CreateUploadLocation and the signed PUT, then the entities register.

Covers FlyteRemote.register_script and the real `pyflyte register` CLI run as a subprocess.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest
from flyteidl.admin import common_pb2
from flyteidl.core import identifier_pb2
from flytekit.constants import CopyFileDetection
from flytekit.models.common import NamedEntityIdentifier
from flytekit.tools.fast_registration import FastPackageOptions
from tests.integration.server import RunningServer
from tests.integration.support import APPS, DOMAIN, new_project, use_apps

use_apps()
from pipelines import tasks, workflows  # noqa: E402

PYFLYTE = Path(sys.executable).with_name("pyflyte")
TASKS = {
    "pipelines.tasks.add",
    "pipelines.tasks.describe",
    "pipelines.tasks.shout",
    "pipelines.tasks.square",
    "pipelines.launch_plans.stamp",
}
WORKFLOWS = {
    f"pipelines.{name}"
    for name in (
        "workflows.arithmetic",
        "workflows.sign",
        "workflows.inner",
        "workflows.outer",
        "workflows.squares",
        "launch_plans.nightly",
    )
}
LAUNCH_PLANS = WORKFLOWS | {"nightly_schedule", "arithmetic_fixed"}


def distribution_of(container_args: list[str]) -> str:
    """The code archive a fast-registered task downloads at run time."""
    assert container_args[0] == "pyflyte-fast-execute", container_args
    return container_args[container_args.index("--additional-distribution") + 1]


def assert_uploaded(server: RunningServer, native_url: str, *members: str) -> None:
    """The archive is a file under the server's blob folder (its native_url a local:// URL, which flytekit takes
    for a remote one), whose md5 names its folder, holding the code."""
    assert native_url.startswith("local:///"), native_url
    path = Path(native_url.removeprefix("local://"))
    blobs = (server.home / "blobs" / "uploads").resolve()
    assert path.is_absolute() and path.resolve().is_relative_to(blobs), f"{native_url} is outside {blobs}"
    assert path.is_file()
    assert path.parent.name == base64.b32encode(hashlib.md5(path.read_bytes()).digest()).decode()
    with tarfile.open(path) as archive:
        names = archive.getnames()
    for member in members:
        assert member in names, f"{member} missing from {names}"


def all_names(lister: Any, project: str) -> set[str]:
    found, token = lister(project, DOMAIN, limit=100)
    assert token == ""
    return {entity.name for entity in found}


def test_register_script_copying_all_files_uploads_a_fast_package(remote: Any, server: RunningServer) -> None:
    project = new_project(remote, "fast")
    options = FastPackageOptions([], copy_style=CopyFileDetection.ALL)
    registered = remote.register_script(
        workflows.outer,
        project=project,
        domain=DOMAIN,
        source_path=str(APPS),
        module_name="pipelines.workflows",
        fast_package_options=options,
    )
    assert registered.id.project == project and registered.id.name == "pipelines.workflows.outer"
    assert len(registered.id.version) == 22, "flytekit derives the version from the upload"

    compiled = remote.client._stub.GetWorkflow(common_pb2.ObjectGetRequest(id=registered.id.to_flyte_idl()))
    args = [list(t.template.container.args) for t in compiled.closure.compiled_workflow.tasks]
    urls = {distribution_of(a) for a in args}
    assert len(urls) == 1
    (url,) = urls
    assert Path(url).name.startswith("fast") and url.endswith(".tar.gz")
    assert_uploaded(server, url, "pipelines/workflows.py", "pipelines/tasks.py", "pipelines/__init__.py")

    again = remote.register_script(
        workflows.outer,
        project=project,
        domain=DOMAIN,
        source_path=str(APPS),
        module_name="pipelines.workflows",
        fast_package_options=options,
    )
    assert again.id == registered.id, "the same code uploads to the same place, so the version is stable"


def test_register_script_of_one_module_uploads_it_under_the_project(remote: Any, server: RunningServer) -> None:
    project = new_project(remote, "script")
    registered = remote.register_script(
        tasks.shout, project=project, domain=DOMAIN, source_path=str(APPS), module_name="pipelines.tasks"
    )
    fetched = remote.fetch_task(project, DOMAIN, "pipelines.tasks.shout", registered.id.version)
    url = distribution_of(list(fetched.template.container.args))
    assert Path(url).name == "script_mode.tar.gz"
    assert f"/{project}/{DOMAIN}/" in url
    assert_uploaded(server, url, "pipelines/tasks.py")


def run_pyflyte(server: RunningServer, workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """pyflyte as a user runs it: configured only by a flytectl YAML file named in FLYTECTL_CONFIG."""
    config = workdir / "config.yaml"
    config.write_text(f"admin:\n  endpoint: dns:///{server.endpoint}\n  insecure: true\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLYTE", "_FLYTE"))}
    env.update(FLYTECTL_CONFIG=str(config), HOME=str(workdir))
    return subprocess.run(
        [str(PYFLYTE), *args], cwd=workdir, env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture(scope="module")
def pyflyte_project(remote: Any, server: RunningServer, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The apps package registered once by `pyflyte register --activate-launchplans` from a copy of it."""
    workdir = tmp_path_factory.mktemp("pyflyte")
    shutil.copytree(APPS / "pipelines", workdir / "pipelines", ignore=shutil.ignore_patterns("__pycache__"))
    project = new_project(remote, "pyflyte")
    done = run_pyflyte(
        server, workdir, "register", "--project", project, "--domain", DOMAIN, "--version", "p1",
        "--activate-launchplans", "pipelines",
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Registering against {server.endpoint}" in done.stdout
    assert "Successfully registered 20 entities" in done.stdout, done.stdout
    again = run_pyflyte(
        server, workdir, "register", "--project", project, "--domain", DOMAIN, "--version", "p1", "pipelines"
    )
    assert again.returncode == 0, "re-registering the same version is accepted: " + again.stdout + again.stderr
    return project


def test_pyflyte_register_registers_every_entity_of_the_package(remote: Any, pyflyte_project: str) -> None:
    task_names = all_names(remote.client.list_task_ids_paginated, pyflyte_project)
    assert task_names >= TASKS
    assert [n for n in task_names - TASKS if not n.startswith("pipelines.tasks.map_square_")] == []
    assert all_names(remote.client.list_workflow_ids_paginated, pyflyte_project) == WORKFLOWS
    assert all_names(remote.client.list_launch_plan_ids_paginated, pyflyte_project) == LAUNCH_PLANS


def test_pyflyte_register_activates_the_launch_plans(remote: Any, pyflyte_project: str) -> None:
    active, token = remote.client.list_active_launch_plans_paginated(pyflyte_project, DOMAIN, limit=100)
    assert token == ""
    assert {(p.id.name, p.id.version) for p in active} == {(name, "p1") for name in LAUNCH_PLANS}
    scheduled = remote.fetch_active_launchplan(pyflyte_project, DOMAIN, "nightly_schedule")
    assert scheduled is not None
    assert scheduled.entity_metadata.schedule.cron_schedule.schedule == "0 3 * * *"
    assert scheduled.entity_metadata.schedule.kickoff_time_input_arg == "when"


def test_pyflyte_register_uploads_the_package_to_the_blob_folder(
    remote: Any, server: RunningServer, pyflyte_project: str
) -> None:
    listed, _ = remote.client.list_tasks_paginated(NamedEntityIdentifier(pyflyte_project, DOMAIN), limit=100)
    urls = {distribution_of(list(t.closure.compiled_task.template.container.args)) for t in listed}
    assert len(urls) == 1
    (url,) = urls
    assert f"/{pyflyte_project}/{DOMAIN}/" in url
    assert_uploaded(server, url, "pipelines/launch_plans.py", "pipelines/workflows.py")
    template = listed[0].closure.compiled_task.template
    args = list(template.container.args)
    assert args[args.index("--dest-dir") + 1] == "/root"


def test_pyflyte_registered_workflows_compile_their_branches_and_maps(remote: Any, pyflyte_project: str) -> None:
    def compiled(name: str) -> Any:
        ident = identifier_pb2.Identifier(
            resource_type=identifier_pb2.WORKFLOW, project=pyflyte_project, domain=DOMAIN, name=name, version="p1"
        )
        return remote.client._stub.GetWorkflow(common_pb2.ObjectGetRequest(id=ident)).closure.compiled_workflow

    assert any(n.HasField("branch_node") for n in compiled("pipelines.workflows.sign").primary.template.nodes)
    assert any(n.HasField("array_node") for n in compiled("pipelines.workflows.squares").primary.template.nodes)
    assert [s.template.id.name for s in compiled("pipelines.workflows.outer").sub_workflows] == [
        "pipelines.workflows.inner"
    ]
