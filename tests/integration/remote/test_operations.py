"""FlyteRemote operations beyond the seed samples: executing flytekit entities directly (registered on the way),
reference entities, launch-plan nodes and their child executions, data by flyte:// URI, and failures."""

from __future__ import annotations

from typing import Any

import pytest
from remoteseeds import entities
from remotevalues import tasks

from flyteplane.client import FlyteEntityNotExistException
from flyteplane.remote import FlyteAssertion, FlyteRemote, FlyteWorkflowExecution


def test_executing_a_flytekit_workflow_registers_it_with_its_code_first(remote: FlyteRemote) -> None:
    execution = remote.execute(entities.my_workflow, inputs={"x": 20, "y": 22}, wait=True)

    assert execution.outputs is not None and execution.outputs["o0"] == 42
    registered = remote.fetch_workflow(name=entities.my_workflow.name)
    assert registered.id == execution.flyte_workflow.id  # type: ignore[union-attr]
    again = remote.execute(entities.my_workflow, inputs={"x": 1, "y": 1})  # unchanged code: same version
    assert again.spec.launch_plan.version == registered.id.version


def test_executing_a_flytekit_task_at_a_version_fetches_it_when_registered(remote: FlyteRemote) -> None:
    registered = remote.register_task(entities.add, version="pinned")
    execution = remote.execute(entities.add, inputs={"a": 1, "b": 2}, version="pinned", wait=True)
    assert execution.spec.launch_plan == registered.id
    assert execution.outputs is not None and execution.outputs["o0"] == 3


def test_reference_entities_are_fetched_by_their_reference(remote: FlyteRemote, project_id: str) -> None:
    from flytekit import reference_task

    registered = remote.register_task(tasks.unpickle)

    @reference_task(project=project_id, domain="development", name=registered.name, version=registered.version)
    def unpickle(thing: tasks.Opaque) -> int: ...

    execution = remote.execute(unpickle, inputs={"thing": tasks.Opaque(5)}, wait=True)
    assert execution.outputs is not None and execution.outputs["o0"] == 15


def test_entities_fetched_by_flytekits_remote_execute_here_too(remote: FlyteRemote, flytekit_remote: Any) -> None:
    registered = remote.register_task(entities.add, version="from-flytekit")
    theirs = flytekit_remote.fetch_task(name=registered.name, version="from-flytekit")

    execution = remote.execute(theirs, inputs={"a": 2, "b": 5}, wait=True)

    assert execution.spec.launch_plan == registered.id
    assert execution.outputs is not None and execution.outputs["o0"] == 7


def test_a_launch_plan_node_syncs_with_its_child_execution(remote: FlyteRemote) -> None:
    execution = remote.execute(tasks.through_plan, inputs={"a": 4}, wait=True)

    assert execution.outputs is not None and execution.outputs["o0"] == 5
    node = execution.node_executions["n0"]
    (child,) = node.workflow_executions
    assert child.outputs is not None and child.outputs["o0"] == 5
    assert child.inputs is not None and child.inputs.as_dict() == {"a": 4, "b": 10}
    assert child.node_executions["n0"].task_executions[0].current_state == "SUCCEEDED"
    fetched = remote.fetch_workflow(name=tasks.through_plan.name)
    assert [ref.split("@")[0].rsplit("/", 1)[-1] for ref in fetched.launch_plans] == ["values_sum_plan"]


def test_data_by_flyte_uri(remote: FlyteRemote, project_id: str) -> None:
    execution = remote.execute(entities.my_workflow, inputs={"x": 2, "y": 3}, wait=True)
    outputs = remote.get(f"flyte://v1/{project_id}/development/{execution.id.name}/n0/o")
    assert outputs is not None and outputs["o0"] == 5
    inputs = remote.get(f"flyte://v1/{project_id}/development/{execution.id.name}/n0/i")
    assert inputs.as_dict() == {"a": 2, "b": 3}


def test_a_failed_execution_reports_its_error_and_refuses_outputs(remote: FlyteRemote, tmp_path: Any) -> None:
    failed = remote.execute(entities.recoverable, inputs={"x": 1, "marker": str(tmp_path / "m")}, wait=True)

    assert failed.current_state == "FAILED" and not failed.is_successful
    assert "fails on purpose" in failed.error.message
    with pytest.raises(FlyteAssertion, match="ended in failure"):
        failed.outputs  # noqa: B018
    node = failed.node_executions["n1"]
    assert node.current_state == "FAILED" and node.error is not None


def test_execution_objects_sync_and_wait_through_their_remote(remote: FlyteRemote) -> None:
    started = remote.execute(entities.my_workflow, inputs={"x": 1, "y": 2})
    assert isinstance(started, FlyteWorkflowExecution)
    with pytest.raises(FlyteAssertion):
        started.outputs  # noqa: B018  (QUEUED or RUNNING: not done)
    done = started.wait(timeout=120)
    assert done.sync(sync_nodes=True).is_successful
    assert done.execution_url is not None and done.execution_url.endswith(f"/executions/{done.id.name}")


def test_missing_entities_are_not_found(remote: FlyteRemote) -> None:
    with pytest.raises(FlyteEntityNotExistException):
        remote.fetch_task(name="no.such.task")
    with pytest.raises(FlyteEntityNotExistException):
        remote.fetch_execution(name="nosuchexecution")
    assert remote.fetch_active_launchplan(name="no-such-plan") is None
