"""Which Python stands in for an image, and which variables a task process sees."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from flyteplane.engine.executors.environment import PythonEnvironment, PythonEnvironments, attempt_environment
from flyteplane.errors import InvalidArgument


def make_venv(root: Path) -> Path:
    (root / "bin").mkdir(parents=True)
    (root / "pyvenv.cfg").write_text("home = /usr/bin\n")
    python = root / "bin" / "python"
    python.write_text("#!/bin/sh\n")
    python.chmod(0o755)
    return root


def test_images_map_to_environments_exact_first_then_the_first_matching_pattern(tmp_path: Path) -> None:
    exact, ml, rest = (make_venv(tmp_path / name) for name in ("exact", "ml", "rest"))
    environments = PythonEnvironments({"ghcr.io/org/ml:*": str(ml), "*": str(rest), "app:1": str(exact)})
    assert environments.for_image("app:1") == PythonEnvironment(str(exact / "bin"), str(exact))
    assert environments.for_image("ghcr.io/org/ml:gpu").bin_dir == str(ml / "bin")
    assert environments.for_image("other").bin_dir == str(rest / "bin")


def test_every_environment_is_listed_once_the_servers_own_first(tmp_path: Path) -> None:
    ml, rest = (make_venv(tmp_path / name) for name in ("ml", "rest"))
    environments = PythonEnvironments({"ml:*": str(ml), "ml-gpu:*": str(ml), "*": str(rest)})
    assert [environment.bin_dir for environment in environments.every()] == [
        environments.default.bin_dir,
        str(ml / "bin"),
        str(rest / "bin"),
    ]


def test_an_interpreter_path_selects_its_directory_and_the_default_is_the_servers_own(tmp_path: Path) -> None:
    venv = make_venv(tmp_path / "venv")
    environments = PythonEnvironments({"img": str(venv / "bin" / "python")})
    assert environments.for_image("img") == PythonEnvironment(str(venv / "bin"), str(venv))
    assert environments.for_image("unmapped").bin_dir == os.path.dirname(os.path.abspath(sys.executable))


def test_a_missing_environment_is_a_clear_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgument, match="neither a virtualenv"):
        PythonEnvironments({"*": str(tmp_path / "missing")})


def test_the_task_sees_a_clean_environment_where_the_engine_wins_over_the_template() -> None:
    python = PythonEnvironment("/venv/bin", "/venv")
    server = {"PATH": "/usr/bin:/bin", "HOME": "/home/u", "LC_ALL": "C.UTF-8", "AWS_SECRET_ACCESS_KEY": "s3cr3t"}
    env = attempt_environment(
        python,
        tmpdir="/attempt/tmp",
        base={"FLYTE_AWS_ENDPOINT": "http://minio"},
        container_env={"_F_SS_C": "abc", "SHARED": "template"},
        attempt_env={"FLYTE_INTERNAL_EXECUTION_ID": "e1", "SHARED": "engine"},
        server_env=server,
    )
    assert "AWS_SECRET_ACCESS_KEY" not in env
    assert env["PATH"] == "/venv/bin:/usr/bin:/bin"
    assert (env["HOME"], env["LC_ALL"], env["TMPDIR"], env["VIRTUAL_ENV"]) == (
        "/home/u",
        "C.UTF-8",
        "/attempt/tmp",
        "/venv",
    )
    assert (env["FLYTE_AWS_ENDPOINT"], env["_F_SS_C"], env["SHARED"]) == ("http://minio", "abc", "engine")


def test_a_path_set_by_the_task_still_starts_with_the_environment() -> None:
    env = attempt_environment(
        PythonEnvironment("/venv/bin", None),
        tmpdir="/t",
        base={},
        container_env={"PATH": "/opt/tools"},
        attempt_env={},
        server_env={},
    )
    assert env["PATH"] == "/venv/bin:/opt/tools"
    assert "VIRTUAL_ENV" not in env


def test_map_task_attempts_learn_which_variable_holds_their_index() -> None:
    env = attempt_environment(
        PythonEnvironment("/venv/bin", None),
        tmpdir="/t",
        base={},
        container_env={},
        attempt_env={"FLYTE_K8S_ARRAY_INDEX": "3"},
        server_env={},
    )
    assert (env["BATCH_JOB_ARRAY_INDEX_VAR_NAME"], env["FLYTE_K8S_ARRAY_INDEX"]) == ("FLYTE_K8S_ARRAY_INDEX", "3")
