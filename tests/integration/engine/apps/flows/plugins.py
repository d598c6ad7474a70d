"""Task types beyond a Python container: flytekit's Echo (no process), a plugin type this server cannot run, and a
task that reaches the control plane from inside (as eager tasks do) with FlyteRemote built from its environment."""

from __future__ import annotations

import os

from flytekit import conditional, task, workflow
from flytekit.core.base_task import PythonTask
from flytekit.core.interface import Interface
from flytekit.core.task import Echo

echo = Echo(name="flows.plugins.echo", inputs={"a": float | None})


@task
def add_one(a: float) -> float | None:
    return a + 1


@workflow
def echoed(a: float) -> float | None:
    """flytekit's test_conditional_workflow: the else branch echoes its input."""
    return conditional("big").if_(a > 10.0).then(add_one(a=a)).else_().then(echo(a=a))


plain_echo = Echo(name="flows.plugins.plain_echo", inputs={"a": float})


@workflow
def echo_then_add(a: float) -> float | None:
    return add_one(a=plain_echo(a=a))


class TrainingJob(PythonTask):  # type: ignore[misc]
    """A plugin task as flytekitplugins-awssagemaker registers one: a type of its own and no container."""

    def __init__(self, name: str) -> None:
        super().__init__(
            task_type="sagemaker_training", name=name, interface=Interface(inputs={"x": int}, outputs={"o0": int})
        )


training = TrainingJob(name="flows.plugins.training")


@workflow
def trains(x: int) -> int:
    return training(x=x)


@task
def who_runs_me() -> str:
    """Looks its own execution up on the control plane, with FlyteRemote configured from the environment alone
    (FLYTE_PLATFORM_URL, FLYTE_PLATFORM_INSECURE), as an eager task's FlyteRemote is."""
    from flytekit.configuration import Config
    from flytekit.remote import FlyteRemote

    remote = FlyteRemote(Config.auto())
    execution = remote.fetch_execution(
        project=os.environ["FLYTE_INTERNAL_EXECUTION_PROJECT"],
        domain=os.environ["FLYTE_INTERNAL_EXECUTION_DOMAIN"],
        name=os.environ["FLYTE_INTERNAL_EXECUTION_ID"],
    )
    return f"{os.environ['FLYTE_PLATFORM_URL']} {execution.id.name}"
