"""Which tasks can run here: the engine's own echo, whatever the executor declares, and (with ANY_CONTAINER) any
type that carries a container; a refusal names the node (in branches too) and the task's type."""

from __future__ import annotations

from flytekit import conditional, task, workflow
from flytekit.core.base_task import PythonTask
from flytekit.core.interface import Interface
from flytekit.core.task import Echo
from tests.unit.engine.harness import compiled

from flyteplane.engine.executors.base import ANY_CONTAINER
from flyteplane.engine.executors.local import LocalExecutor
from flyteplane.engine.task_types import RunnableTasks


class Training(PythonTask):  # type: ignore[misc]
    def __init__(self, name: str, task_type: str = "sagemaker_training") -> None:
        super().__init__(task_type=task_type, name=name, interface=Interface(inputs={"x": int}, outputs={"o0": int}))


training = Training("training")
ray_job = Training("ray_job", task_type="ray")
echo = Echo(name="echo", inputs={"x": int})


@task
def plain(x: int) -> int:
    return x


@workflow
def with_echo(x: int) -> int:
    return plain(x=echo(x=x))


@workflow
def trains_in_a_branch(x: int) -> int:
    return conditional("c").if_(x > 0).then(plain(x=x)).else_().then(training(x=x))


@workflow
def runs_ray(x: int) -> int:
    return ray_job(x=x)


LOCAL = RunnableTasks(LocalExecutor.task_types)


def test_containers_and_echo_run_on_the_local_executor() -> None:
    assert LOCAL.unrunnable(compiled(with_echo)) is None


def test_a_container_less_plugin_task_is_refused_naming_its_node_and_type() -> None:
    reason = LOCAL.unrunnable(compiled(trains_in_a_branch))
    assert reason is not None
    assert reason.startswith("node [n0-n1] cannot run: task [training] of type [sagemaker_training] without")
    assert "any task type with a container" in reason


def test_a_container_with_any_type_runs_where_the_executor_takes_any_container() -> None:
    closure = compiled(with_echo)
    (template,) = [t.template for t in closure.tasks if t.template.id.name.endswith("plain")]
    template.type = "spark"
    assert LOCAL.refusal(template) is None
    assert RunnableTasks(frozenset({"python-task"})).refusal(template) is not None


def test_a_type_the_executor_names_runs_without_a_container() -> None:
    assert LOCAL.unrunnable(compiled(runs_ray)) is not None
    assert RunnableTasks(frozenset({ANY_CONTAINER, "ray"})).unrunnable(compiled(runs_ray)) is None


def test_echo_is_refused_as_an_array_item_which_the_executor_would_run() -> None:
    """flytekit maps no Echo, but a hand-written array node could: its items go to the executor."""
    (template,) = [t.template for t in compiled(with_echo).tasks if t.template.type == "echo"]
    assert LOCAL.refusal(template) is None
    reason = LOCAL.refusal(template, in_array=True)
    assert reason is not None and "cannot run as an array node's item" in reason
