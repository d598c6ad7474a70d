"""What a task template asks to run locally, and where fast-registered code is unpacked."""

from __future__ import annotations

import pytest
from flyteidl.core import literals_pb2, tasks_pb2
from google.protobuf import json_format, struct_pb2

from flyteplane.engine.executors.command import NotRunnable, container_of, with_dest_dir


def test_a_container_task_runs_its_command_then_its_args() -> None:
    task = tasks_pb2.TaskTemplate(
        container=tasks_pb2.Container(
            image="img:1", command=["python", "-m"], args=["app"], env=[literals_pb2.KeyValuePair(key="A", value="1")]
        )
    )
    container = container_of(task)
    assert (container.image, container.argv, dict(container.env)) == ("img:1", ["python", "-m", "app"], {"A": "1"})


def test_a_pod_task_runs_its_primary_container() -> None:
    pod_spec = json_format.ParseDict(
        {
            "containers": [
                {"name": "sidecar", "image": "nginx", "args": ["serve"]},
                {
                    "name": "primary",
                    "image": "app:2",
                    "args": ["pyflyte-execute", "--x"],
                    "env": [{"name": "B", "value": "2"}],
                },
            ]
        },
        struct_pb2.Struct(),
    )
    task = tasks_pb2.TaskTemplate(
        k8s_pod=tasks_pb2.K8sPod(pod_spec=pod_spec), config={"primary_container_name": "primary"}
    )
    container = container_of(task)
    assert (container.image, container.argv, dict(container.env)) == ("app:2", ["pyflyte-execute", "--x"], {"B": "2"})


@pytest.mark.parametrize(
    "task",
    [
        tasks_pb2.TaskTemplate(type="sql"),
        tasks_pb2.TaskTemplate(container=tasks_pb2.Container(image="img")),
        tasks_pb2.TaskTemplate(k8s_pod=tasks_pb2.K8sPod(pod_spec=struct_pb2.Struct())),
    ],
)
def test_templates_without_a_command_are_not_runnable(task: tasks_pb2.TaskTemplate) -> None:
    with pytest.raises(NotRunnable):
        container_of(task)


def test_the_fast_execute_destination_is_rewritten_before_the_separator_only() -> None:
    argv = ["pyflyte-fast-execute", "--additional-distribution", "/b/f.tar.gz", "--dest-dir", "/root", "--",
            "pyflyte-execute", "--dest-dir", "keep"]  # fmt: skip
    assert with_dest_dir(argv, "/attempt/work") == [
        "pyflyte-fast-execute", "--additional-distribution", "/b/f.tar.gz", "--dest-dir", "/attempt/work", "--",
        "pyflyte-execute", "--dest-dir", "keep"]  # fmt: skip


def test_the_fast_execute_destination_is_added_when_missing_and_equals_form_is_understood() -> None:
    assert with_dest_dir(["pyflyte-fast-execute", "--", "run"], "/w") == [
        "pyflyte-fast-execute", "--dest-dir", "/w", "--", "run"]  # fmt: skip
    assert with_dest_dir(["/venv/bin/pyflyte-fast-execute", "--dest-dir={{ .dest_dir }}", "--", "run"], "/w") == [
        "/venv/bin/pyflyte-fast-execute", "--dest-dir=/w", "--", "run"]  # fmt: skip


def test_commands_without_fast_execute_are_untouched() -> None:
    argv = ["pyflyte-execute", "--dest-dir", "/root"]
    assert with_dest_dir(argv, "/w") == argv
