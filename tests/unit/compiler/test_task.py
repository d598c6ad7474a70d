"""A task template must be well formed to register (§2.2 step 4); every problem is reported at once."""

from __future__ import annotations

import pytest
from flyteidl.core import tasks_pb2
from google.protobuf import struct_pb2
from tests.unit.compiler.builders import INT, interface, task, task_id

from flyteplane.compiler import CompileErrors, compile_task
from flyteplane.compiler.task import is_resource_quantity


def test_a_valid_task_compiles_to_itself() -> None:
    template = task("t", {"x": INT}, {"o0": INT})
    compiled = compile_task(template)
    assert compiled.template == template
    assert compiled.template is not template


def test_the_id_is_required() -> None:
    template = task("t")
    template.ClearField("id")
    with pytest.raises(CompileErrors) as raised:
        compile_task(template)
    assert str(raised.value.errors[0]) == "Code: ValueRequired, Node Id: root, Description: Value required [Id]."


def test_a_container_task_with_data_needs_a_command_or_args() -> None:
    template = task("t", {"x": INT})
    template.container.ClearField("args")
    with pytest.raises(CompileErrors) as raised:
        compile_task(template)
    assert [(e.code, e.node_id, e.description) for e in raised.value.errors] == [
        ("ValueRequired", "container", "Value required [command].")
    ]


def test_a_container_task_without_inputs_or_outputs_may_have_no_command() -> None:
    template = task("t")
    template.container.ClearField("args")
    compile_task(template)


def test_problems_are_collected_together() -> None:
    template = tasks_pb2.TaskTemplate(
        type="python-task",
        interface=interface({"x": INT}),
        container=tasks_pb2.Container(
            resources=tasks_pb2.Resources(
                requests=[tasks_pb2.Resources.ResourceEntry(name=tasks_pb2.Resources.CPU, value="lots")],
                limits=[tasks_pb2.Resources.ResourceEntry(name=tasks_pb2.Resources.MEMORY, value="1Gi")],
            )
        ),
    )
    with pytest.raises(CompileErrors) as raised:
        compile_task(template)
    assert sorted((e.node_id, e.description) for e in raised.value.errors) == [
        ("container", "Value required [command]."),
        ("container", "Value required [image]."),
        ("resources.CPU", "Unrecognized value [lots]."),
        ("root", "Value required [Id]."),
    ]


@pytest.mark.parametrize("value", ["1", "500m", "1.5", ".5", "2Gi", "128Mi", "1e3", "1E", "+1k", "0.1Ki"])
def test_kubernetes_quantities_are_accepted(value: str) -> None:
    assert is_resource_quantity(value)


@pytest.mark.parametrize("value", ["", "lots", "1 Gi", "1GB", "Gi", "1.2.3", "1ki", "--1"])
def test_non_quantities_are_rejected(value: str) -> None:
    assert not is_resource_quantity(value)


def pod_task(pod_spec: dict[str, object] | None) -> tasks_pb2.TaskTemplate:
    template = tasks_pb2.TaskTemplate(id=task_id("pod"), type="sidecar", interface=interface())
    template.k8s_pod.SetInParent()
    if pod_spec is not None:
        spec = struct_pb2.Struct()
        spec.update(pod_spec)
        template.k8s_pod.pod_spec.CopyFrom(spec)
    return template


def test_a_pod_task_with_dns_label_container_names_compiles() -> None:
    compile_task(pod_task({"containers": [{"name": "primary", "image": "x"}, {"name": "side-car-2"}]}))


@pytest.mark.parametrize(
    ("pod_spec", "description"),
    [
        (None, "Invalid value [k8s pod spec]."),
        ({"containers": "primary"}, "Invalid value [k8s pod spec]."),
        ({"containers": [{"name": "Side_Car"}]}, "Invalid value [k8s pod spec container name]."),
        ({"containers": [{"name": "x" * 64}]}, "Invalid value [k8s pod spec container name]."),
    ],
)
def test_a_pod_task_needs_a_pod_spec_with_valid_container_names(
    pod_spec: dict[str, object] | None, description: str
) -> None:
    with pytest.raises(CompileErrors) as raised:
        compile_task(pod_task(pod_spec))
    assert [e.description for e in raised.value.errors] == [description]
