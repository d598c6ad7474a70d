"""A task attempt as a Ray job submission; the entrypoint is run here by /bin/sh, as Ray's job supervisor runs it."""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from flyteidl.core import tasks_pb2
from flyteidl.plugins import ray_pb2
from google.protobuf import json_format, struct_pb2
from tests.unit.engine.executors.attempt_builders import Attempts, shell_task

from flyteplane.engine.executors.command import NotRunnable
from flyteplane.engine.executors.environment import PythonEnvironments
from flyteplane.engine.executors.ray.submission import (
    OWNER_KEY,
    TIMEOUT_KEY,
    InvalidRayTask,
    entrypoint,
    job_request,
    task_runtime_env,
)


def request_for(tmp_path: Path, task: tasks_pb2.TaskTemplate, **kwargs: object) -> dict[str, object]:
    attempt = Attempts(tmp_path).make("a-1", task, env={"FLYTE_INTERNAL_EXECUTION_PROJECT": "p"}, **kwargs)  # type: ignore[arg-type]
    return job_request(attempt, owner="engine-7", pythons=PythonEnvironments(None), base_env={"BASE": "1"})


def test_the_request_names_the_attempt_its_owner_timeout_resources_and_variables(tmp_path: Path) -> None:
    task = shell_task("echo", "{{.outputPrefix}}", env={"FROM_TASK": "yes", "BASE": "task wins"})
    request = request_for(tmp_path, task, timeout=timedelta(seconds=90))
    assert request["submission_id"] == "a-1"
    assert request["metadata"] == {OWNER_KEY: "engine-7", TIMEOUT_KEY: "90.0", "flyteplane_task": ""}
    assert request["entrypoint_num_cpus"] == 1.0
    assert "entrypoint_memory" not in request and "entrypoint_num_gpus" not in request
    env = request["runtime_env"]["env_vars"]  # type: ignore[index]
    assert env["FROM_TASK"] == "yes" and env["BASE"] == "task wins" and env["FLYTE_INTERNAL_EXECUTION_PROJECT"] == "p"
    assert env["PATH"] == f"{os.path.dirname(os.path.abspath(sys.executable))}:${{PATH}}"
    assert str(tmp_path / "data" / "a-1" / "0") in str(request["entrypoint"])


def test_the_entrypoint_runs_in_a_folder_of_its_own_that_goes_away(tmp_path: Path) -> None:
    line = entrypoint(["sh", "-c", 'pwd > "$0"; echo "$TMPDIR" >> "$0"; exit 7', str(tmp_path / "where")])
    done = subprocess.run(["/bin/sh", "-c", line], env={"TMPDIR": str(tmp_path), "PATH": os.defpath}, check=False)
    assert done.returncode == 7  # the task's exit code is the job's
    cwd, tmpdir = (tmp_path / "where").read_text().split()
    assert cwd == tmpdir and Path(cwd).parent == tmp_path and Path(cwd).name.startswith("flyteplane-")
    assert not Path(cwd).exists()


def test_fast_registered_code_is_unpacked_into_the_jobs_folder(tmp_path: Path) -> None:
    task = shell_task("pyflyte-fast-execute", "--additional-distribution", "s3://b/code.tgz", "--", "pyflyte-execute")
    line = str(request_for(tmp_path, task)["entrypoint"])
    assert 'pyflyte-fast-execute --dest-dir "$d" --additional-distribution s3://b/code.tgz -- pyflyte-execute' in line


def test_arguments_are_quoted_for_the_shell(tmp_path: Path) -> None:
    where = tmp_path / "out"
    line = entrypoint(["sh", "-c", 'printf %s "$1" > "$2"', "-", "a b; $(rm -rf /) 'q'", str(where)])
    subprocess.run(["/bin/sh", "-c", line], env={"TMPDIR": str(tmp_path), "PATH": os.defpath}, check=True)
    assert where.read_text() == "a b; $(rm -rf /) 'q'"


def test_a_task_without_a_container_cannot_run(tmp_path: Path) -> None:
    with pytest.raises(NotRunnable):
        request_for(tmp_path, tasks_pb2.TaskTemplate(type="echo"))


def _ray_task(**job: object) -> tasks_pb2.TaskTemplate:
    custom = struct_pb2.Struct()
    custom.update(json_format.MessageToDict(ray_pb2.RayJob(**job)))  # type: ignore[arg-type]
    return tasks_pb2.TaskTemplate(
        type="ray", custom=custom, container=tasks_pb2.Container(image="x", args=["python", "-c", "pass"])
    )


def test_a_ray_tasks_runtime_env_is_taken_yaml_first_and_its_variables_lose_to_flyteplanes(tmp_path: Path) -> None:
    yaml_task = _ray_task(runtime_env_yaml="pip: [requests]\nenv_vars: {A: from-task, PATH: nope}\n")
    assert task_runtime_env(yaml_task) == {"pip": ["requests"], "env_vars": {"A": "from-task", "PATH": "nope"}}
    encoded = base64.b64encode(json.dumps({"env_vars": {"B": "2"}}).encode()).decode()
    assert task_runtime_env(_ray_task(runtime_env=encoded)) == {"env_vars": {"B": "2"}}
    request = request_for(tmp_path, yaml_task)
    runtime_env = request["runtime_env"]
    assert runtime_env["pip"] == ["requests"]  # type: ignore[index]
    assert runtime_env["env_vars"]["A"] == "from-task"  # type: ignore[index]
    assert runtime_env["env_vars"]["PATH"].endswith(":${PATH}")  # type: ignore[index]
    assert task_runtime_env(shell_task("true")) == {}


def test_an_unreadable_ray_runtime_env_is_a_clear_error() -> None:
    with pytest.raises(InvalidRayTask, match="runtime environment"):
        task_runtime_env(_ray_task(runtime_env_yaml="- a list\n"))
    with pytest.raises(InvalidRayTask, match="cannot be read"):
        task_runtime_env(_ray_task(runtime_env="%%%not base64"))


def test_inputs_a_command_line_names_are_read_from_an_object_store_with_its_options(tmp_path: Path) -> None:
    """The attempt's inputs in S3 (moto's server on 127.0.0.1): `{{.Inputs.x}}` is rendered with the store's
    endpoint and credentials, which the server passes; the process's own environment has none of them."""
    pytest.importorskip("moto.server", reason="moto[s3] and flask are in the dev extra")
    import fsspec
    from flyteidl.core import literals_pb2
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        assert host == "127.0.0.1"
        options = {
            "key": "minio",
            "secret": "miniostorage",
            "client_kwargs": {"endpoint_url": f"http://127.0.0.1:{port}", "region_name": "us-east-1"},
        }
        fs = fsspec.filesystem("s3", **options)
        fs.call_s3("create_bucket", Bucket="inputs-bucket")
        word = literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(string_value="hi")))
        inputs = literals_pb2.LiteralMap(literals={"word": word})
        fs.pipe_file("inputs-bucket/a-1/inputs.pb", inputs.SerializeToString())
        attempt = Attempts(tmp_path).make("a-1", shell_task("echo", "said {{.Inputs.word}}"))
        attempt = dataclasses.replace(attempt, input_path="s3://inputs-bucket/a-1/inputs.pb")
        request = job_request(
            attempt, owner="engine-7", pythons=PythonEnvironments(None), base_env={}, storage_options=options
        )
    finally:
        server.stop()
    assert "echo 'said hi'" in str(request["entrypoint"])
