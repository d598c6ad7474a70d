"""Execution, node, task, signal and metrics methods against a real `flyteplane serve` running real executions.

The entities are fast-registered with flytekit (code upload included, as `pyflyte register` does); everything
after that goes through flyteplane's client: launching, waiting, reading state and data, relaunching,
recovering, terminating and signalling. The read operations are also compared with flytekit's client.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import pytest
from flyteidl.admin import common_pb2, execution_pb2
from flyteidl.core import execution_pb2 as core_execution_pb2
from flyteidl.core import identifier_pb2, literals_pb2
from tests.integration.client.test_differential import as_flytekit_sees
from tests.integration.server import RunningServer

from flyteplane.client import Filter, FlyteEntityAlreadyExistsException, SynchronousFlyteClient

APPS = Path(__file__).parent / "apps"
if str(APPS) not in sys.path:
    sys.path.insert(0, str(APPS))
from clientflows import ops  # noqa: E402

DOMAIN = "development"
WorkflowPhase = core_execution_pb2.WorkflowExecution
TERMINAL = {WorkflowPhase.SUCCEEDED, WorkflowPhase.FAILED, WorkflowPhase.ABORTED, WorkflowPhase.TIMED_OUT}
DEADLINE = 180.0  # seconds; an execution that takes longer has found a hang


@pytest.fixture(scope="module")
def registered(plane: RunningServer, project_id: str) -> dict[str, Any]:
    """The apps' workflows, fast-registered by flytekit (code upload included) with their default launch plans."""
    from flytekit.remote import FlyteRemote

    remote = FlyteRemote.for_endpoint(plane.endpoint, insecure=True, default_project=project_id, default_domain=DOMAIN)
    return {
        name: remote.register_script(
            entity, project=project_id, domain=DOMAIN, version="v1", source_path=str(APPS), copy_all=True
        )
        for name, entity in {"sum_doubled": ops.sum_doubled, "napping": ops.napping, "reviewed": ops.reviewed}.items()
    }


def spec_for(plan_id: Any) -> Any:
    return execution_pb2.ExecutionSpec(
        launch_plan=plan_id,
        metadata=execution_pb2.ExecutionMetadata(mode=execution_pb2.ExecutionMetadata.MANUAL, principal="tests"),
    )


def integer(value: int) -> Any:
    return literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(integer=value)))


def wait(client: SynchronousFlyteClient, execution_id: Any) -> Any:
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        execution = client.get_execution(execution_id)
        if execution.closure.phase in TERMINAL:
            return execution
        time.sleep(0.2)
    raise AssertionError(f"{execution_id.name} did not finish in {DEADLINE} s")


def launch_plan_of(client: SynchronousFlyteClient, workflow: Any) -> Any:
    """The default launch plan registered with a workflow (same name and version)."""
    plan_id = identifier_pb2.Identifier()
    plan_id.CopyFrom(workflow.id.to_flyte_idl())
    plan_id.resource_type = identifier_pb2.LAUNCH_PLAN
    return client.get_launch_plan(plan_id)


@pytest.fixture(scope="module")
def finished(client: SynchronousFlyteClient, project_id: str, registered: dict[str, Any]) -> Any:
    """One execution of sum_doubled(a=5) (b defaults to 7), launched through its default launch plan, awaited."""
    plan = launch_plan_of(client, registered["sum_doubled"])
    inputs = literals_pb2.LiteralMap(literals={"a": integer(5)})
    execution_id = client.create_execution(project_id, DOMAIN, "arith-1", spec_for(plan.id), inputs)
    return wait(client, execution_id)


def test_a_launched_execution_runs_to_success_with_its_outputs(client: SynchronousFlyteClient, finished: Any) -> None:
    assert finished.closure.phase == WorkflowPhase.SUCCEEDED, finished.closure.error.message

    data = client.get_execution_data(finished.id)

    assert data.full_inputs.literals["a"] == integer(5)
    assert data.full_inputs.literals["b"] == integer(7)
    assert data.full_outputs.literals["o0"] == integer(24)


def test_launching_the_same_name_again_is_already_exists(
    client: SynchronousFlyteClient, project_id: str, registered: dict[str, Any], finished: Any
) -> None:
    plan = launch_plan_of(client, registered["sum_doubled"])
    inputs = literals_pb2.LiteralMap(literals={"a": integer(5)})
    with pytest.raises(FlyteEntityAlreadyExistsException):
        client.create_execution(project_id, DOMAIN, "arith-1", spec_for(plan.id), inputs)


def test_node_and_task_executions_of_a_finished_execution(client: SynchronousFlyteClient, finished: Any) -> None:
    nodes = list(client.iter_node_executions(finished.id, page_size=2))
    node_ids = {node.id.node_id for node in nodes}
    assert {"n0", "n1"} <= node_ids
    first, _ = client.list_node_executions(finished.id, limit=1)
    assert len(first) == 1

    n0 = next(node for node in nodes if node.id.node_id == "n0")
    assert client.get_node_execution(n0.id) == n0
    assert client.get_node_execution_data(n0.id).full_outputs.literals["o0"] == integer(12)  # add(5, 7)

    attempts, token = client.list_task_executions_paginated(n0.id)
    assert token == ""
    (attempt,) = attempts
    assert attempt.closure.phase == core_execution_pb2.TaskExecution.SUCCEEDED
    assert client.get_task_execution(attempt.id) == attempt
    assert client.get_task_execution_data(attempt.id).full_inputs.literals["a"] == integer(5)
    assert list(client.iter_task_executions(n0.id)) == [attempt]
    children, _ = client.list_node_executions_for_task_paginated(attempt.id)
    assert children == []  # a plain task spawns no nodes


def test_metrics_describe_the_execution_as_spans(client: SynchronousFlyteClient, finished: Any) -> None:
    span = client.get_execution_metrics(finished.id, depth=5)
    assert span.workflow_id == finished.id
    assert span.start_time.seconds > 0


def test_executions_are_listed_with_filters(client: SynchronousFlyteClient, project_id: str, finished: Any) -> None:
    succeeded, _ = client.list_executions_paginated(project_id, DOMAIN, filters=Filter.eq("phase", "SUCCEEDED"))
    assert finished.id in [e.id for e in succeeded]
    named = list(client.iter_executions(project_id, DOMAIN, filters=[Filter.eq("execution_name", "arith-1")]))
    assert [e.id.name for e in named] == ["arith-1"]


def test_relaunch_and_recover_start_new_executions(client: SynchronousFlyteClient, finished: Any) -> None:
    relaunched = client.relaunch_execution(finished.id, name="arith-again")
    recovered = client.recover_execution(finished.id, name="arith-recovered")

    assert relaunched.name == "arith-again"
    assert recovered.name == "arith-recovered"
    assert wait(client, relaunched).closure.phase == WorkflowPhase.SUCCEEDED
    assert wait(client, recovered).closure.phase == WorkflowPhase.SUCCEEDED
    assert client.get_execution_data(relaunched).full_outputs.literals["o0"] == integer(24)


def test_a_terminated_execution_is_aborted_with_its_cause(
    client: SynchronousFlyteClient, project_id: str, registered: dict[str, Any]
) -> None:
    plan = launch_plan_of(client, registered["napping"])
    inputs = literals_pb2.LiteralMap(literals={"seconds": integer(120)})
    execution_id = client.create_execution(project_id, DOMAIN, "napping", spec_for(plan.id), inputs)

    client.terminate_execution(execution_id, cause="User requested termination")

    ended = wait(client, execution_id)
    assert ended.closure.phase == WorkflowPhase.ABORTED
    assert ended.closure.abort_metadata.cause == "User requested termination"


def test_a_gate_is_released_by_setting_its_signal(
    client: SynchronousFlyteClient, project_id: str, registered: dict[str, Any]
) -> None:
    plan = launch_plan_of(client, registered["reviewed"])
    inputs = literals_pb2.LiteralMap(literals={"x": integer(5)})
    execution_id = client.create_execution(project_id, DOMAIN, "gated", spec_for(plan.id), inputs)

    deadline = time.monotonic() + 60
    while not [s for s in client.iter_signals(execution_id) if s.id.signal_id == "review"]:
        assert time.monotonic() < deadline, "the gate never asked for its signal"
        time.sleep(0.1)
    approve = literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(boolean=True)))
    client.set_signal_value(execution_id, "review", approve)

    ended = wait(client, execution_id)
    assert ended.closure.phase == WorkflowPhase.SUCCEEDED, ended.closure.error.message
    assert client.get_execution_data(execution_id).full_outputs.literals["o0"] == integer(11)


def test_flytekits_client_reads_the_same_executions(
    client: SynchronousFlyteClient, flytekit_client: Any, project_id: str, finished: Any
) -> None:
    from flytekit.models.core.identifier import NodeExecutionIdentifier, WorkflowExecutionIdentifier

    execution_id = WorkflowExecutionIdentifier.from_flyte_idl(finished.id)
    node_id = NodeExecutionIdentifier("n0", execution_id)
    reads = [
        lambda c: c.get_execution(execution_id),
        lambda c: c.get_execution_data(execution_id),
        lambda c: c.list_executions_paginated(project_id, DOMAIN, limit=100),
        lambda c: c.list_node_executions(execution_id),
        lambda c: c.get_node_execution(node_id),
        lambda c: c.get_node_execution_data(node_id),
        lambda c: c.list_task_executions_paginated(node_id),
        lambda c: c.get_execution_metrics(execution_id, depth=3),
    ]
    for read in reads:
        ours, theirs = as_flytekit_sees(read(client), read(flytekit_client))
        assert ours == theirs
    assert common_pb2.Sort  # the differential helpers come from test_differential


def test_seed_workflow_execution_samples_on_the_real_server(
    client: SynchronousFlyteClient, project_id: str, registered: dict[str, Any], capsys: Any
) -> None:
    """seeds/004 "Workflow Executions", with the sample's project and launch plan names bound to the ones
    registered here, the execution spec given the metadata flytekit's model requires, and the execution names
    spelt with '-' (flyteadmin refuses '_' in them: they must match ^[a-z][a-z-0-9]*$)."""
    from flytekit.models import execution as execution_model
    from flytekit.models import literals
    from flytekit.models.core import identifier

    sum_doubled = launch_plan_of(client, registered["sum_doubled"]).id
    lp_id = identifier.Identifier(
        resource_type=identifier.ResourceType.LAUNCH_PLAN,
        project=project_id,
        domain="development",
        name=sum_doubled.name,
        version="v1",
    )
    execution_spec = execution_model.ExecutionSpec(
        launch_plan=lp_id,
        metadata=execution_model.ExecutionMetadata(
            mode=execution_model.ExecutionMetadata.ExecutionMode.MANUAL, principal="docs", nesting=0
        ),
    )
    inputs = literals.LiteralMap(literals={"a": literals.Literal.from_flyte_idl(integer(1))})
    exec_id = client.create_execution(
        project=project_id,
        domain="development",
        name="my-first-execution",  # Optional, client generates if not provided
        execution_spec=execution_spec,
        inputs=inputs,
    )
    print(f"Created execution: {exec_id.name}")
    wait(client, exec_id)

    failed_exec_id = identifier.WorkflowExecutionIdentifier(
        project=project_id, domain="development", name="my-first-execution"
    )
    recovered_exec_id = client.recover_execution(failed_exec_id)
    print(f"Recovered execution: {recovered_exec_id.name != ''}")

    prev_exec_id = failed_exec_id
    new_exec_id = client.relaunch_execution(prev_exec_id, name="relaunch-of-prev-exec")
    print(f"Relaunched execution: {new_exec_id.name}")

    napping = launch_plan_of(client, registered["napping"]).id
    running_exec_id = client.create_execution(
        project_id,
        "development",
        "running-execution-name",
        spec_for(napping),
        literals_pb2.LiteralMap(literals={"seconds": integer(60)}),
    )
    client.terminate_execution(running_exec_id, cause="User requested termination")

    execution = client.get_execution(exec_id)
    print(f"Execution status: {WorkflowPhase.Phase.Name(execution.closure.phase)}")

    exec_data = client.get_execution_data(exec_id)
    print(f"Outputs: {exec_data.full_outputs.literals['o0'].scalar.primitive.integer}")

    metrics_span = client.get_execution_metrics(exec_id, depth=5)

    executions, next_token = client.list_executions_paginated(
        project=project_id,
        domain="development",
        limit=20,
        filters=[],  # Optional filters from flytekit.models.filters
        sort_by=None,  # Optional sorting from flytekit.models.admin.common.Sort
    )
    for e in executions:
        print(f"Execution: {e.id.name}")

    out = capsys.readouterr().out.splitlines()
    assert out[:5] == [
        "Created execution: my-first-execution",
        "Recovered execution: True",
        "Relaunched execution: relaunch-of-prev-exec",
        "Execution status: SUCCEEDED",
        "Outputs: 16",  # double(add(1, 7))
    ]
    assert {"Execution: my-first-execution", "Execution: running-execution-name"} <= set(out[5:])
    assert metrics_span.workflow_id == exec_id
    assert wait(client, running_exec_id).closure.phase == WorkflowPhase.ABORTED
    assert wait(client, new_exec_id).closure.phase == WorkflowPhase.SUCCEEDED
    assert next_token == ""
