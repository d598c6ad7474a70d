"""Launching: execution names from prefixes, the ExecutionSpec sent, inputs checked against the interface."""

from __future__ import annotations

import re

import pytest
from flyteidl.admin import execution_pb2, task_pb2
from flyteidl.core import interface_pb2, tasks_pb2
from tests.unit.remote.fakes import FakeClient, context, task_id

from flyteplane.client import FlyteEntityAlreadyExistsException
from flyteplane.remote import FlyteTask, FlyteValueException, Options
from flyteplane.remote.launching import execute, execution_name_from_prefix
from flyteplane.remote.literals.types import literal_type_of

NAME = re.compile(r"^[a-z][a-z\-0-9]*$")


@pytest.mark.parametrize(
    ("prefix", "start"),
    [
        ("my_task_exec", "my-task-exec-"),
        ("Nightly Run", "nightly-run-"),
        ("9lives", "x-9lives-"),
        ("__", "x-"),
        ("a" * 80, "a" * 43 + "-"),
    ],
)
def test_prefixes_become_valid_execution_names(prefix: str, start: str) -> None:
    name = execution_name_from_prefix(prefix)
    assert name.startswith(start)
    assert NAME.match(name) and len(name) <= 63
    assert len(name) - len(start) == 19


def echo_task() -> FlyteTask:
    variables = {
        "a": interface_pb2.Variable(type=literal_type_of(int)),
        "s": interface_pb2.Variable(type=literal_type_of(str)),
    }
    template = tasks_pb2.TaskTemplate(
        id=task_id(), interface=interface_pb2.TypedInterface(inputs=interface_pb2.VariableMap(variables=variables))
    )
    return FlyteTask(template)


def launched(**kwargs: object) -> tuple[FakeClient, execution_pb2.ExecutionSpec, object]:
    client = FakeClient()
    execute(context(client), echo_task(), {"a": 1}, **kwargs)  # type: ignore[arg-type]
    _, _, name, spec, inputs = client.created[0]
    return client, spec, (name, inputs)


def test_the_spec_names_the_task_and_carries_the_options() -> None:
    _, spec, (name, inputs) = launched(
        execution_name="run-1",
        options=Options(
            labels={"team": "ml"},
            annotations={"a": "b"},
            raw_output_data_prefix="s3://raw",
            max_parallelism=3,
            service_account="sa",
        ),
        overwrite_cache=True,
        interruptible=False,
        envs={"E": "1"},
        tags=["t1"],
        cluster_pool="pool",
        execution_cluster_label="lbl",
    )
    assert name == "run-1"
    assert spec.launch_plan == task_id()
    assert spec.metadata.mode == execution_pb2.ExecutionMetadata.MANUAL
    assert dict(spec.labels.values) == {"team": "ml"} and dict(spec.annotations.values) == {"a": "b"}
    assert spec.raw_output_data_config.output_location_prefix == "s3://raw"
    assert spec.max_parallelism == 3 and spec.security_context.run_as.k8s_service_account == "sa"
    assert spec.overwrite_cache and spec.HasField("interruptible") and not spec.interruptible.value
    assert [(e.key, e.value) for e in spec.envs.values] == [("E", "1")]
    assert list(spec.tags) == ["t1"]
    assert spec.cluster_assignment.cluster_pool_name == "pool" and spec.execution_cluster_label.value == "lbl"
    assert spec.HasField("notifications") and not spec.disable_all
    assert inputs.literals["a"].scalar.primitive.integer == 1  # type: ignore[attr-defined]


def test_flytekits_options_are_accepted() -> None:
    from flytekit.core.options import Options as FlytekitOptions
    from flytekit.models.common import Labels

    _, spec, _ = launched(options=FlytekitOptions(labels=Labels({"x": "y"}), disable_notifications=True))
    assert dict(spec.labels.values) == {"x": "y"} and spec.disable_all


def test_only_the_given_inputs_are_sent() -> None:
    _, _, (_, inputs) = launched()
    assert list(inputs.literals) == ["a"]  # type: ignore[attr-defined]


def test_an_input_the_entity_does_not_have_is_refused_before_any_rpc() -> None:
    client = FakeClient()
    with pytest.raises(FlyteValueException, match="has no input 'b'"):
        execute(context(client), echo_task(), {"b": 1})
    assert client.calls == []


def test_a_name_and_a_prefix_together_are_refused() -> None:
    with pytest.raises(ValueError, match="Only one of execution_name and execution_name_prefix"):
        execute(context(FakeClient()), echo_task(), {}, execution_name="a", execution_name_prefix="b")


def test_a_taken_name_means_the_same_execution() -> None:
    class Taken(FakeClient):
        def create_execution(self, *args: object) -> object:
            raise FlyteEntityAlreadyExistsException("taken")

    client = Taken()
    execution = execute(context(client), echo_task(), {}, execution_name="again")
    assert execution.id.name == "again"
    assert client.calls == ["GetExecution"]


def test_without_defaults_the_entitys_project_and_domain_are_used() -> None:
    client = FakeClient()
    execute(context(client, project=None, domain=None), echo_task(), {})
    assert client.created[0][:2] == ("p", "d")


_ = task_pb2
