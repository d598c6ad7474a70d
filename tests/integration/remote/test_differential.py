"""Differential checks: flyteplane's FlyteRemote and flytekit's, asked the same questions of the same server,
return the same Flyte messages (tasks, workflows, launch plans, executions, node and task executions, projects,
domains, signals, metrics) and the same console links.

flytekit's models keep only the fields they know (an execution closure loses `state_change_details`, a launch
plan spec gains an empty `auth_role`...), so where flytekit returns a model, ours is compared as flytekit would
see it: passed through that same model (`seen_by`).
"""

from __future__ import annotations

from typing import Any

import pytest
from remoteseeds import entities
from remotevalues import tasks

from flyteplane.remote import FlyteRemote, FlyteWorkflowExecution


def seen_by(model: type, message: Any) -> Any:
    """`message` as flytekit's `model` keeps it."""
    return model.from_flyte_idl(message).to_flyte_idl()  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def workflow(remote: FlyteRemote) -> Any:
    return remote.register_workflow(entities.my_workflow)


@pytest.fixture(scope="module")
def plan(remote: FlyteRemote, workflow: Any) -> Any:
    registered = remote.register_launch_plan(entities.my_lp, version=workflow.id.version)
    remote.activate_launchplan(registered.id)
    return registered


@pytest.fixture(scope="module")
def execution(remote: FlyteRemote, plan: Any) -> FlyteWorkflowExecution:
    return remote.execute(plan, inputs={"x": 3, "y": 4}, wait=True)


@pytest.fixture(scope="module")
def single_task_execution(remote: FlyteRemote) -> FlyteWorkflowExecution:
    task = remote.register_task(tasks.echo_containers)
    return remote.execute(task, inputs={"nested": [[1]], "mapping": {}, "generic": {}, "shape": _shape()}, wait=True)


def _shape() -> Any:
    import datetime

    point = tasks.Point(1, 1.0, datetime.datetime(2024, 1, 1), tasks.Color.RED)
    return tasks.Shape("s", [point], {})


def test_fetch_task_latest_and_by_version(remote: FlyteRemote, flytekit_remote: Any, workflow: Any) -> None:
    name = entities.add.name
    for version in (None, workflow.id.version):
        ours = remote.fetch_task(name=name, version=version)
        theirs = flytekit_remote.fetch_task(name=name, version=version)
        assert ours.id == theirs.id.to_flyte_idl()
        assert ours.to_flyte_idl() == theirs.to_flyte_idl()
        assert ours.interface.to_flyte_idl() == theirs.interface.to_flyte_idl()


def test_fetch_workflow(remote: FlyteRemote, flytekit_remote: Any, workflow: Any) -> None:
    ours = remote.fetch_workflow(name=workflow.id.name)
    theirs = flytekit_remote.fetch_workflow(name=workflow.id.name, version=workflow.id.version)
    assert ours.id == theirs.id.to_flyte_idl()
    assert ours.interface.to_flyte_idl() == theirs.interface.to_flyte_idl()
    assert [n.id for n in ours.nodes] == [n.id for n in theirs.nodes]
    assert ours.launch_plans == {}  # no launch-plan nodes in this workflow
    assert [t.to_flyte_idl() for t in ours.flyte_tasks] == [t.to_flyte_idl() for t in theirs.flyte_tasks]
    from flytekit.models.core.compiler import CompiledWorkflowClosure

    # flytekit rewrites, in the closure it keeps, workflow-input promises from node "start-node" to node "".
    closure = seen_by(CompiledWorkflowClosure, ours.compiled_closure)
    for node in closure.primary.template.nodes:
        for binding in node.inputs:
            if binding.binding.promise.node_id == "start-node":
                binding.binding.promise.node_id = ""
    assert closure == theirs._compiled_closure.to_flyte_idl()


def test_fetch_launch_plan_and_active_launch_plan(remote: FlyteRemote, flytekit_remote: Any, plan: Any) -> None:
    from flytekit.models.launch_plan import LaunchPlanSpec

    for ours, theirs in (
        (remote.fetch_launch_plan(name="my_workflow_lp"), flytekit_remote.fetch_launch_plan(name="my_workflow_lp")),
        (
            remote.fetch_active_launchplan(name="my_workflow_lp"),
            flytekit_remote.fetch_active_launchplan(name="my_workflow_lp"),
        ),
    ):
        assert ours is not None and theirs is not None
        assert ours.id == theirs.id.to_flyte_idl()
        assert seen_by(LaunchPlanSpec, ours.spec) == theirs.to_flyte_idl()
        assert ours.interface.to_flyte_idl() == theirs.interface.to_flyte_idl()
    assert remote.fetch_active_launchplan(name="nothing-here") is None
    assert flytekit_remote.fetch_active_launchplan(name="nothing-here") is None


def test_list_tasks_by_version(remote: FlyteRemote, flytekit_remote: Any, workflow: Any) -> None:
    ours = remote.list_tasks_by_version(workflow.id.version)
    theirs = flytekit_remote.list_tasks_by_version(workflow.id.version)
    assert [t.template for t in ours] == [t.template.to_flyte_idl() for t in theirs]


def test_fetch_execution_and_its_nodes(
    remote: FlyteRemote, flytekit_remote: Any, execution: FlyteWorkflowExecution
) -> None:
    from flytekit.models.admin.task_execution import TaskExecutionClosure
    from flytekit.models.execution import ExecutionClosure, ExecutionSpec
    from flytekit.models.node_execution import NodeExecutionClosure

    ours = remote.sync_execution(remote.fetch_execution(name=execution.id.name), sync_nodes=True)
    theirs = flytekit_remote.sync_execution(flytekit_remote.fetch_execution(name=execution.id.name), sync_nodes=True)

    assert ours.id == theirs.id.to_flyte_idl()
    assert seen_by(ExecutionSpec, ours.spec) == theirs.spec.to_flyte_idl()
    assert seen_by(ExecutionClosure, ours.closure) == theirs.closure.to_flyte_idl()
    assert ours.inputs is not None and ours.outputs is not None
    assert ours.outputs.literals == {k: v.to_flyte_idl() for k, v in theirs.outputs.literals.items()}
    assert ours.outputs.as_dict() == {name: theirs.outputs.get(name) for name in theirs.outputs.literals}
    assert ours.inputs.as_dict() == {name: theirs.inputs.get(name) for name in theirs.inputs.literals}
    assert sorted(ours.node_executions) == sorted(theirs.node_executions)
    for node_id, node in ours.node_executions.items():
        their_node = theirs.node_executions[node_id]
        assert seen_by(NodeExecutionClosure, node.closure) == their_node.closure.to_flyte_idl()
        assert node.metadata == their_node.metadata  # flytekit keeps this one as the flyteidl message
        assert [seen_by(TaskExecutionClosure, t.closure) for t in node.task_executions] == [
            t.closure.to_flyte_idl() for t in their_node.task_executions
        ]


def test_single_task_execution_nodes(
    remote: FlyteRemote, flytekit_remote: Any, single_task_execution: FlyteWorkflowExecution
) -> None:
    from flytekit.models.execution import ExecutionClosure

    name = single_task_execution.id.name
    ours = remote.sync_execution(remote.fetch_execution(name=name), sync_nodes=True)
    theirs = flytekit_remote.sync_execution(flytekit_remote.fetch_execution(name=name), sync_nodes=True)
    assert seen_by(ExecutionClosure, ours.closure) == theirs.closure.to_flyte_idl()
    assert sorted(ours.node_executions) == sorted(theirs.node_executions)
    assert ours.outputs is not None
    assert ours.outputs.literals == {k: v.to_flyte_idl() for k, v in theirs.outputs.literals.items()}


def test_recent_executions(remote: FlyteRemote, flytekit_remote: Any, execution: FlyteWorkflowExecution) -> None:
    from flytekit.models.execution import ExecutionClosure

    ours = remote.recent_executions(limit=3)
    theirs = flytekit_remote.recent_executions(limit=3)
    assert [(e.id, seen_by(ExecutionClosure, e.closure)) for e in ours] == [
        (e.id.to_flyte_idl(), e.closure.to_flyte_idl()) for e in theirs
    ]


def test_projects_and_domains(remote: FlyteRemote, flytekit_remote: Any, project_id: str) -> None:
    ours = remote.list_projects()
    theirs = flytekit_remote.list_projects()
    # flytekit's Project model keeps id, name, description and state only.
    assert [(p.id, p.name, p.description, p.state) for p in ours] == [
        (p.id, p.name, p.description, p.state) for p in theirs
    ]
    assert project_id in [p.id for p in ours]
    assert [(d.id, d.name) for d in remote.get_domains()] == [(d.id, d.name) for d in flytekit_remote.get_domains()]


def test_signals(remote: FlyteRemote, flytekit_remote: Any) -> None:
    gated = remote.execute(entities.gated, inputs={"x": 1})
    import time

    deadline = time.monotonic() + 60
    while len(remote.list_signals(gated.id.name)) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert remote.list_signals(gated.id.name) == list(flytekit_remote.list_signals(gated.id.name))
    remote.terminate(gated, "done with it")


def test_metrics_and_console_urls(
    remote: FlyteRemote, flytekit_remote: Any, execution: FlyteWorkflowExecution, workflow: Any
) -> None:
    from flytekit.models.core.identifier import WorkflowExecutionIdentifier
    from flytekit.remote.metrics import aggregate_reference_span

    ours = remote.get_execution_metrics(execution.id)
    theirs = flytekit_remote.get_execution_metrics(WorkflowExecutionIdentifier.from_flyte_idl(execution.id))
    assert ours.span == theirs.to_flyte_idl()
    assert ours.aggregate()["workflows"] == dict([aggregate_reference_span(theirs.to_flyte_idl())])
    fetched = flytekit_remote.fetch_execution(name=execution.id.name)
    assert remote.generate_console_url(execution) == flytekit_remote.generate_console_url(fetched)
    their_workflow = flytekit_remote.fetch_workflow(name=workflow.id.name, version=workflow.id.version)
    assert remote.generate_console_url(workflow) == flytekit_remote.generate_console_url(their_workflow)
    their_task = flytekit_remote.fetch_task(name=entities.add.name, version=workflow.id.version)
    assert remote.generate_console_url(
        remote.fetch_task(name=entities.add.name)
    ) == flytekit_remote.generate_console_url(their_task)
