"""`pyflyte run --remote` with local files as inputs: flytekit uploads them through the data proxy and must take
the native_url it gets back for a remote location. A bare local path is re-checked on the client's disk, which
failed flytekit's own test_generic_idl_flytetypes / test_msgpack_idl_flytetypes ("Expected a directory") when a
directory held a single file; uploads now answer a `local://` URL, as flyteadmin answers `s3://...`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.integration.engine.support import APPS, DOMAIN, assert_succeeded
from tests.integration.server import RunningServer
from tests.integration.support import new_project, unique

PYFLYTE = Path(sys.executable).with_name("pyflyte")


def pyflyte_run(server: RunningServer, project: str, tmp_path: Path, *args: str, **env: str) -> str:
    config = tmp_path / "config.yaml"
    config.write_text(f"admin:\n  endpoint: dns:///{server.endpoint}\n  insecure: true\n")
    name = unique("in")
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("FLYTE_", "FLYTEPLANE_"))}
    completed = subprocess.run(
        [
            *(str(PYFLYTE), "--config", str(config), "run", "--remote", "--project", project, "--domain", DOMAIN),
            *("--name", name, "--wait", "--poll-interval", "1", *args),
        ],
        cwd=APPS,
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return name


def test_local_file_and_directory_inputs_are_uploaded_and_read_by_the_task(
    flyte: Any, project: str, server: RunningServer, tmp_path: Path
) -> None:
    note = tmp_path / "note.txt"
    note.write_text("from the client")
    folder = tmp_path / "folder"
    folder.mkdir()
    for name in ("a.txt", "b.txt"):
        (folder / name).write_text(name)
    name = pyflyte_run(
        server, project, tmp_path, "flows/inputs.py", "read_inputs", "--f", str(note), "--d", str(folder)
    )
    execution = flyte.fetch_execution(project=project, domain=DOMAIN, name=name)
    assert_succeeded(execution)
    assert execution.outputs["o0"] == "from the client|a.txt,b.txt"
    assert execution.inputs.literals["f"].scalar.blob.uri.startswith("local:///")


@pytest.mark.parametrize("old_format", [True, False], ids=["json-dataclass", "msgpack-dataclass"])
def test_dataclass_defaults_holding_a_file_and_a_one_file_directory_run(
    flyte: Any, server: RunningServer, tmp_path: Path, old_format: bool
) -> None:
    # a project of its own: the two formats register the same version with different default literals
    project = new_project(flyte, "dc-defaults")
    env = {"FLYTE_USE_OLD_DC_FORMAT": "true"} if old_format else {}
    name = pyflyte_run(server, project, tmp_path, "flows/inputs.py", "dataclass_defaults", **env)
    execution = flyte.fetch_execution(project=project, domain=DOMAIN, name=name)
    assert_succeeded(execution)
    first_line = (APPS / "flows" / "inputs.py").read_text().splitlines()[0]
    assert execution.outputs["o0"] == first_line
