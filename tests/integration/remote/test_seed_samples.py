"""Every code sample of seeds/000 ("Managing Flyte Entities"), with `FlyteRemote` imported from flyteplane, run
against a real `flyteplane serve` and checked against what its text says it does.

`FlyteRemote.for_sandbox()` is pointed at the test server (the sandbox's localhost:30080 would be whatever runs
there). The commented-out samples run too. Where a sample is wrong for Flyte itself, the nearest correct code
runs instead and a comment says why; the entities the samples define live in apps/remoteseeds/entities.py, a
package as in a user's project (tasks defined inside a test function could not be imported by the task process).
Samples that say "assuming X from the previous example" get X from a module fixture that ran that example.
The "Low-Level Client Access" sample (SynchronousFlyteClient alone) runs in tests/integration/client.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import os
import pathlib
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest
from flyteidl.core import execution_pb2 as core_execution_pb2
from remoteseeds import entities
from remoteseeds.entities import add, my_lp, my_task, my_workflow
from tests.integration.server import RunningServer

import flyteplane.remote.config as remote_config
from flyteplane.client import FlyteEntityNotExistException, SynchronousFlyteClient
from flyteplane.remote import FlyteRemote, FlyteWorkflowExecution

T = TypeVar("T")
WF = core_execution_pb2.WorkflowExecution
VERSION_HASH_LENGTH = 22  # urlsafe base64 of an md5, unpadded


def printed(sample: Callable[[], T]) -> tuple[T, list[str]]:
    """Runs a sample and returns its result and the lines it printed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = sample()
    return result, out.getvalue().splitlines()


@pytest.fixture(scope="module", autouse=True)
def sandbox(plane: RunningServer) -> Iterator[None]:
    """`FlyteRemote.for_sandbox()` reaches the test server."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(remote_config, "SANDBOX_ENDPOINT", plane.endpoint)
        yield


def sandbox_remote() -> FlyteRemote:
    return FlyteRemote.for_sandbox(default_project="flytesnacks", default_domain="development")


def wait_until(check: Callable[[], T], timeout: float = 60.0) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"nothing came within {timeout} s")


# -- Connecting to Flyte ----------------------------------------------------------------------------------------------


def test_connecting_to_the_sandbox_and_to_an_endpoint(plane: RunningServer) -> None:
    # Connect to a Flyte sandbox environment
    remote = FlyteRemote.for_sandbox(
        default_project="flytesnacks",
        default_domain="development",
        data_upload_location="s3://my-s3-bucket/data",  # Adjust for your environment
    )

    # Or connect to a specific endpoint
    other = FlyteRemote.for_endpoint(
        endpoint="your.flyte.admin:port",
        insecure=True,  # Set to False for SSL/TLS
        default_project="my_project",
        default_domain="my_domain",
    )

    admin_client = remote.client

    assert isinstance(admin_client, SynchronousFlyteClient)
    assert admin_client.config.endpoint == plane.endpoint
    assert "flytesnacks" in [p.id for p in admin_client.list_projects_paginated()[0]]
    assert other.config.platform.endpoint == "your.flyte.admin:port"  # constructing one does no I/O
    assert other.default_project == "my_project"


# -- Managing Tasks ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def registered_task() -> tuple[Any, list[str]]:
    def sample() -> Any:
        remote = FlyteRemote.for_sandbox(default_project="flytesnacks", default_domain="development")

        # Register the task
        registered_task = remote.register_task(my_task)
        print(f"Registered task: {registered_task.id.name} version {registered_task.id.version}")
        return registered_task

    return printed(sample)


def test_registering_a_task_uploads_its_code_and_versions_it_by_content(registered_task: tuple[Any, list[str]]) -> None:
    task, lines = registered_task
    assert lines == [f"Registered task: remoteseeds.entities.my_task version {task.id.version}"]
    assert len(task.id.version) == VERSION_HASH_LENGTH
    # Registering the same code again is the same version (and accepted).
    assert sandbox_remote().register_task(my_task).id == task.id


def test_fetching_tasks(registered_task: tuple[Any, list[str]], capsys: pytest.CaptureFixture[str]) -> None:
    task, _ = registered_task
    remote = FlyteRemote.for_sandbox(default_project="flytesnacks", default_domain="development")

    # Fetch a specific task by name and version
    # (flytekit names a task after its module: the seed's "my_task" is remoteseeds.entities.my_task)
    fetched_task = remote.fetch_task(name=task.id.name, version=task.id.version)
    print(f"Fetched task: {fetched_task.id.name} version {fetched_task.id.version}")

    # List tasks by version
    tasks_in_version = remote.list_tasks_by_version(version=task.id.version)
    for task_obj in tasks_in_version:
        print(f"  - {task_obj.id.name}")

    assert capsys.readouterr().out.splitlines() == [
        f"Fetched task: remoteseeds.entities.my_task version {task.id.version}",
        "  - remoteseeds.entities.my_task",
    ]
    assert remote.fetch_task(name=task.id.name).id == task.id  # no version: the latest


def test_executing_tasks(registered_task: tuple[Any, list[str]], capsys: pytest.CaptureFixture[str]) -> None:
    registered, _ = registered_task
    remote = FlyteRemote.for_sandbox(default_project="flytesnacks", default_domain="development")

    # Execute a registered task
    execution = remote.execute(
        registered,
        inputs={"a": 10, "b": 20},
        execution_name_prefix="my_task_exec",
        wait=True,  # Wait for the execution to complete
    )

    # The seed calls `execution.is_successful()`; it is a property (in flytekit too), not a method.
    if execution.is_successful:
        print(f"Task execution successful. Outputs: {execution.outputs}")
    else:
        print(f"Task execution failed. Error: {execution.error}")

    assert capsys.readouterr().out == "Task execution successful. Outputs: LiteralsResolver({'o0': 30})\n"
    assert execution.id.name.startswith("my-task-exec-")  # the prefix, made a valid execution name


# -- Managing Workflows -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def registered_workflow() -> tuple[Any, list[str]]:
    def sample() -> Any:
        remote = FlyteRemote.for_sandbox(default_project="flytesnacks", default_domain="development")

        # Register the workflow
        registered_workflow = remote.register_workflow(my_workflow)
        print(f"Registered workflow: {registered_workflow.id.name} version {registered_workflow.id.version}")
        return registered_workflow

    return printed(sample)


def test_registering_a_workflow_registers_its_tasks_and_default_launch_plan(
    registered_workflow: tuple[Any, list[str]],
) -> None:
    workflow, lines = registered_workflow
    assert lines == [f"Registered workflow: remoteseeds.entities.my_workflow version {workflow.id.version}"]
    remote = sandbox_remote()
    assert remote.fetch_task(name=add.name, version=workflow.id.version).name == "remoteseeds.entities.add"
    default_plan = remote.fetch_launch_plan(name=workflow.id.name, version=workflow.id.version)
    assert default_plan.workflow_id == workflow.id


def test_fetching_workflows(registered_workflow: tuple[Any, list[str]], capsys: pytest.CaptureFixture[str]) -> None:
    workflow, _ = registered_workflow
    remote = FlyteRemote.for_sandbox(default_project="flytesnacks", default_domain="development")

    # Fetch a specific workflow
    fetched_workflow = remote.fetch_workflow(name=workflow.id.name, version=workflow.id.version)
    print(f"Fetched workflow: {fetched_workflow.id.name} version {fetched_workflow.id.version}")

    assert capsys.readouterr().out == f"Fetched workflow: {workflow.id.name} version {workflow.id.version}\n"
    assert [node.id for node in fetched_workflow.nodes] == ["n0"]
    assert sorted(fetched_workflow.interface.inputs) == ["x", "y"]


@pytest.fixture(scope="module")
def workflow_execution(registered_workflow: tuple[Any, list[str]]) -> tuple[FlyteWorkflowExecution, list[str]]:
    registered, _ = registered_workflow

    def sample() -> FlyteWorkflowExecution:
        remote = FlyteRemote.for_sandbox(default_project="flytesnacks", default_domain="development")

        # Execute a registered workflow
        execution = remote.execute(
            registered,
            inputs={"x": 5, "y": 7},
            execution_name_prefix="my_workflow_exec",
            wait=True,
        )

        if execution.is_successful:  # a property, not a method (the seed calls it)
            print(f"Workflow execution successful. Outputs: {execution.outputs}")
        else:
            print(f"Workflow execution failed. Error: {execution.error}")
        return execution

    return printed(sample)


def test_executing_workflows(workflow_execution: tuple[FlyteWorkflowExecution, list[str]]) -> None:
    execution, lines = workflow_execution
    assert lines == ["Workflow execution successful. Outputs: LiteralsResolver({'o0': 12})"]
    assert execution.outputs is not None and execution.outputs.get("o0", as_type=int) == 12
    assert execution.inputs is not None and execution.inputs.as_dict() == {"x": 5, "y": 7}


# -- Managing Launch Plans --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def registered_lp() -> tuple[Any, list[str]]:
    def sample() -> Any:
        remote = FlyteRemote.for_sandbox(default_project="flytesnacks", default_domain="development")

        # my_lp = LaunchPlan.get_or_create(workflow=my_workflow, name="my_workflow_lp")  (in remoteseeds.entities)
        registered_lp = remote.register_launch_plan(my_lp, version="v1")
        print(f"Registered launch plan: {registered_lp.id.name} version {registered_lp.id.version}")
        return registered_lp

    return printed(sample)


def test_registering_a_launch_plan_registers_its_workflow_when_missing(registered_lp: tuple[Any, list[str]]) -> None:
    _, lines = registered_lp
    assert lines == ["Registered launch plan: my_workflow_lp version v1"]
    assert sandbox_remote().fetch_workflow(name=my_workflow.name, version="v1").id.version == "v1"


def test_fetching_launch_plans(registered_lp: tuple[Any, list[str]], capsys: pytest.CaptureFixture[str]) -> None:
    remote = FlyteRemote.for_sandbox(default_project="flytesnacks", default_domain="development")

    # Fetch a specific launch plan
    fetched_lp = remote.fetch_launch_plan(name="my_workflow_lp", version="v1")
    print(f"Fetched launch plan: {fetched_lp.id.name} version {fetched_lp.id.version}")

    # Fetch the currently active launch plan for a given name
    active_lp = remote.fetch_active_launchplan(name="my_workflow_lp")
    if active_lp:
        print(f"Active launch plan: {active_lp.id.name} version {active_lp.id.version}")

    # Nothing activated it yet (the next section does), so there is no active version to print.
    assert capsys.readouterr().out == "Fetched launch plan: my_workflow_lp version v1\n"
    assert fetched_lp.flyte_workflow is not None and sorted(fetched_lp.interface.inputs) == ["x", "y"]


def test_updating_launch_plans(registered_lp: tuple[Any, list[str]], capsys: pytest.CaptureFixture[str]) -> None:
    from flytekit.models.launch_plan import LaunchPlanState

    registered, _ = registered_lp
    remote = FlyteRemote.for_sandbox(default_project="flytesnacks", default_domain="development")

    # Activate the launch plan
    remote.activate_launchplan(registered.id)
    print(f"Launch plan {registered.id.name} activated.")
    active = remote.fetch_active_launchplan(name="my_workflow_lp")

    # The low-level client can also be used to update state directly
    remote.client.update_launch_plan(registered.id, LaunchPlanState.INACTIVE)

    assert capsys.readouterr().out == "Launch plan my_workflow_lp activated.\n"
    assert active is not None and active.id == registered.id and active.is_active
    assert remote.fetch_active_launchplan(name="my_workflow_lp") is None


def test_executing_launch_plans(registered_lp: tuple[Any, list[str]], capsys: pytest.CaptureFixture[str]) -> None:
    remote = FlyteRemote.for_sandbox(default_project="flytesnacks", default_domain="development")
    fetched_lp = remote.fetch_launch_plan(name="my_workflow_lp", version="v1")

    # Execute the launch plan
    execution = remote.execute(
        fetched_lp,
        inputs={"x": 1, "y": 2},
        execution_name_prefix="my_lp_exec",
        wait=True,
    )

    if execution.is_successful:  # a property, not a method
        print(f"Launch plan execution successful. Outputs: {execution.outputs}")
    else:
        print(f"Launch plan execution failed. Error: {execution.error}")

    assert capsys.readouterr().out == "Launch plan execution successful. Outputs: LiteralsResolver({'o0': 3})\n"


# -- Managing Executions ----------------------------------------------------------------------------------------------


def test_fetching_executions(
    workflow_execution: tuple[FlyteWorkflowExecution, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    execution, _ = workflow_execution
    remote = FlyteRemote.for_sandbox(default_project="flytesnacks", default_domain="development")

    # Fetch a specific execution by its name
    fetched_execution = remote.fetch_execution(name=execution.id.name)
    print(f"Fetched execution state: {fetched_execution.current_state}")

    # List recent executions
    recent_executions = remote.recent_executions(limit=5)
    for exec_obj in recent_executions:
        print(f"  - Execution: {exec_obj.id.name}, State: {exec_obj.current_state}")

    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Fetched execution state: SUCCEEDED"
    assert 1 <= len(lines[1:]) <= 5
    assert f"  - Execution: {execution.id.name}, State: SUCCEEDED" in lines[1:]
    assert fetched_execution.outputs is not None and fetched_execution.outputs["o0"] == 12


def test_syncing_execution_state(
    workflow_execution: tuple[FlyteWorkflowExecution, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    execution, _ = workflow_execution
    remote = FlyteRemote.for_sandbox(default_project="flytesnacks", default_domain="development")

    synced_execution = remote.sync_execution(execution, sync_nodes=True)
    print(f"Synced execution state: {synced_execution.current_state}")

    # Access node executions
    for node_id, node_exec in synced_execution.node_executions.items():
        print(f"  Node {node_id} state: {node_exec.current_state}")
        # Access task executions within a node
        for task_exec in node_exec.task_executions:
            print(f"    Task {task_exec.id.task_id.name} state: {task_exec.current_state}")

    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Synced execution state: SUCCEEDED"
    assert "  Node n0 state: SUCCEEDED" in lines
    assert "    Task remoteseeds.entities.add state: SUCCEEDED" in lines
    node = synced_execution.node_executions["n0"]
    assert node.outputs is not None and node.outputs["o0"] == 12
    assert node.task_executions[0].inputs is not None and node.task_executions[0].inputs.as_dict() == {"a": 5, "b": 7}


def test_terminating_executions(capsys: pytest.CaptureFixture[str]) -> None:
    remote = FlyteRemote.for_sandbox(default_project="flytesnacks", default_domain="development")
    execution = remote.execute(entities.napping, inputs={"seconds": 120})
    wait_until(lambda: remote.sync_execution(execution).current_state == "RUNNING")

    remote.terminate(execution, cause="User requested termination")
    print(f"Execution {execution.id.name} terminated.")

    assert capsys.readouterr().out == f"Execution {execution.id.name} terminated.\n"
    done = remote.wait(execution, timeout=60)
    assert done.current_state == "ABORTED"
    assert done.closure.abort_metadata.cause == "User requested termination"


def test_recovering_and_relaunching_executions(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    remote = FlyteRemote.for_sandbox(default_project="flytesnacks", default_domain="development")
    marker = str(tmp_path / "fragile-ran-once")
    failed = remote.execute(entities.recoverable, inputs={"x": 1, "marker": marker}, wait=True)
    assert failed.current_state == "FAILED"
    failed_execution_id = failed.id
    existing_execution_id = failed.id

    # Recover a failed execution
    recovered_exec_id = remote.client.recover_execution(failed_execution_id)
    print(f"Recovered execution: {recovered_exec_id.name}")

    # Relaunch an execution
    relaunched_exec_id = remote.client.relaunch_execution(existing_execution_id)
    print(f"Relaunched execution: {relaunched_exec_id.name}")

    assert capsys.readouterr().out.splitlines() == [
        f"Recovered execution: {recovered_exec_id.name}",
        f"Relaunched execution: {relaunched_exec_id.name}",
    ]
    recovered = remote.wait(remote.fetch_execution(name=recovered_exec_id.name), timeout=120)
    assert recovered.outputs is not None and recovered.outputs["o0"] == 20
    assert recovered.node_executions["n0"].current_state == "RECOVERED"  # add(1, 1) was not run again
    relaunched = remote.wait(remote.fetch_execution(name=relaunched_exec_id.name), timeout=120)
    assert relaunched.is_successful
    # flyteplane's FlyteRemote also has them as methods returning executions.
    assert remote.relaunch(failed).spec.launch_plan == failed.spec.launch_plan


def test_managing_signals(capsys: pytest.CaptureFixture[str]) -> None:
    remote = FlyteRemote.for_sandbox(default_project="flytesnacks", default_domain="development")
    # The seed's execution name "my_workflow_exec_name" is refused by Flyte Admin (names are DNS labels: no "_").
    started = remote.execute(entities.gated, inputs={"x": 4}, execution_name="my-workflow-exec-name")
    # Both gates are reached independently (the input gate needs nothing upstream); wait for both signals.
    wait_until(lambda: len(remote.list_signals(execution_name="my-workflow-exec-name")) == 2)

    # List signals for an execution
    signals = remote.list_signals(execution_name="my-workflow-exec-name")
    for signal in signals:
        print(f"Signal ID: {signal.id.signal_id}, Type: {signal.type}")

    # Approve a signal (for boolean signals)
    remote.approve(signal_id="my_approval_signal", execution_name="my-workflow-exec-name")

    # Set an input for a signal (for data-input signals)
    remote.set_input(
        signal_id="my_data_signal",
        execution_name="my-workflow-exec-name",
        value="some_string_value",
        python_type=str,
    )

    assert sorted(line for line in capsys.readouterr().out.splitlines() if line) == [
        "Signal ID: my_approval_signal, Type: simple: BOOLEAN",
        "Signal ID: my_data_signal, Type: simple: STRING",
    ]
    done = remote.wait(started, timeout=120)
    assert done.outputs is not None and done.outputs["o0"] == "some_string_value:4"


# -- Managing Projects and Domains ------------------------------------------------------------------------------------


def test_registering_updating_and_listing_projects(capsys: pytest.CaptureFixture[str]) -> None:
    from flytekit.models.project import Project

    remote = FlyteRemote.for_sandbox()

    # The seed's id "my_new_project" is refused by Flyte Admin: project ids are DNS labels (no "_").
    new_project = Project(
        id="my-new-project", name="My New Project", description="A project for documentation examples"
    )
    remote.client.register_project(new_project)
    print(f"Project {new_project.name} registered.")

    # Assuming 'my_new_project' exists
    updated_project = Project(id="my-new-project", name="My Updated Project Name", description="Updated description")
    remote.client.update_project(updated_project)
    print(f"Project {updated_project.id} updated.")

    # List all projects
    projects = remote.list_projects()
    print("Registered Projects:")
    for p in projects:
        print(f"  - {p.name} (ID: {p.id})")

    # List all domains
    domains = remote.get_domains()
    print("Registered Domains:")
    for d in domains:
        print(f"  - {d.id}")

    lines = capsys.readouterr().out.splitlines()
    assert lines[:3] == [
        "Project My New Project registered.",
        "Project my-new-project updated.",
        "Registered Projects:",
    ]
    assert "  - My Updated Project Name (ID: my-new-project)" in lines
    assert lines[-4:] == ["Registered Domains:", "  - development", "  - staging", "  - production"]


# -- Advanced Operations ----------------------------------------------------------------------------------------------


def test_data_proxy_upload_and_download(
    workflow_execution: tuple[FlyteWorkflowExecution, list[str]],
    tmp_path: pathlib.Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    execution, _ = workflow_execution
    monkeypatch.chdir(tmp_path)
    remote = FlyteRemote.for_sandbox(default_project="flytesnacks", default_domain="development")

    # Example: Upload a file (the seed uses pathlib without importing it)
    with open("my_local_file.txt", "w") as f:
        f.write("Hello Flyte!")
    md5_bytes, upload_url = remote.upload_file(pathlib.Path("my_local_file.txt"))
    print(f"Uploaded file to: {upload_url}")

    # Example: Download execution outputs
    remote.download(execution.outputs, download_to="./execution_outputs")
    print("Execution outputs downloaded.")

    assert capsys.readouterr().out.splitlines() == [f"Uploaded file to: {upload_url}", "Execution outputs downloaded."]
    assert upload_url.endswith("/my_local_file.txt") and len(md5_bytes) == 16
    assert (tmp_path / "execution_outputs" / "o0").read_text() == "12"


def test_signed_url_of_a_deck(capsys: pytest.CaptureFixture[str]) -> None:
    from flyteidl.service import dataproxy_pb2

    remote = FlyteRemote.for_sandbox(default_project="flytesnacks", default_domain="development")
    execution = remote.execute(entities.reporting, inputs={"x": 1}, wait=True)
    assert execution.is_successful

    # Get signed URLs for artifacts (e.g., deck HTML)
    # (the seed imports ArtifactType from flytekit.models.literals, which has none: it is flyteidl's enum)
    deck_url_response = remote.client.get_download_artifact_signed_url(
        node_id="n0",  # Example node ID
        project="flytesnacks",
        domain="development",
        name=execution.id.name,  # Execution name
        artifact_type=dataproxy_pb2.ARTIFACT_TYPE_DECK,
    )
    print(f"Deck URL: {deck_url_response.signed_url}")

    assert capsys.readouterr().out.startswith("Deck URL: ['http://")
    with urllib.request.urlopen(deck_url_response.signed_url[0]) as response:
        assert b"<html" in response.read().lower()


def test_named_entity_attributes(registered_workflow: tuple[Any, list[str]]) -> None:
    # The seed imports flytekit.models.admin.named_entity (it is flytekit.models.named_entity) and passes
    # can_archive=True (NamedEntityMetadata takes a state).
    from flytekit.models.core.identifier import ResourceType
    from flytekit.models.matchable_resource import MatchableResource
    from flytekit.models.named_entity import NamedEntityIdentifier, NamedEntityMetadata, NamedEntityState

    workflow, _ = registered_workflow
    remote = FlyteRemote.for_sandbox(default_project="flytesnacks", default_domain="development")

    # Update metadata for a named entity (e.g., a workflow)
    named_entity_id = NamedEntityIdentifier(project="flytesnacks", domain="development", name=workflow.id.name)
    metadata = NamedEntityMetadata(description="My updated workflow description", state=NamedEntityState.ACTIVE)
    remote.client.update_named_entity(ResourceType.WORKFLOW, named_entity_id, metadata)

    # Some attributes to read back (the seed only reads them).
    from flytekit.models.matchable_resource import ExecutionQueueAttributes, MatchingAttributes

    remote.client.update_project_domain_attributes(
        "flytesnacks", "development", MatchingAttributes(execution_queue_attributes=ExecutionQueueAttributes(["gpu"]))
    )

    # Get project-domain attributes. The seed passes ResourceType.TASK, an identifier kind, not a
    # MatchableResource (its value 1 happens to be CLUSTER_RESOURCE); EXECUTION_QUEUE is a real one.
    attributes = remote.client.get_project_domain_attributes(
        project="flytesnacks",
        domain="development",
        resource_type=MatchableResource.EXECUTION_QUEUE,  # Example resource type
    )
    print(f"Project-domain attributes: {attributes}")

    entity = remote.client.get_named_entity(ResourceType.WORKFLOW, named_entity_id)
    assert entity.metadata.description == "My updated workflow description"
    assert list(attributes.attributes.matching_attributes.execution_queue_attributes.tags) == ["gpu"]


def test_fast_registration_in_script_mode(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))  # `python my_example.py` would have its folder on sys.path
    remote = FlyteRemote.for_sandbox(default_project="flytesnacks", default_domain="development")

    # Create a dummy Python file for demonstration
    with open("my_script.py", "w") as f:
        f.write("""
from flytekit import task, workflow
@task
def script_add(a: int, b: int) -> int:
    return a + b
@workflow
def script_wf(x: int, y: int) -> int:
    return script_add(a=x, b=y)
""")

    from my_script import script_wf  # Import the workflow from the dummy file

    # flytekit's fast_register_workflow has no source_path parameter (its source root comes from the module);
    # flyteplane's takes it, as the seed passes it.
    registered_script_wf = remote.fast_register_workflow(
        script_wf,
        version="script_v1",
        source_path=os.getcwd(),  # Path to the directory containing my_script.py
    )
    print(f"Fast registered workflow: {registered_script_wf.id.name} version {registered_script_wf.id.version}")

    os.remove("my_script.py")  # Clean up

    assert capsys.readouterr().out == "Fast registered workflow: my_script.script_wf version script_v1\n"
    # The uploaded code runs, although the file is gone here.
    execution = remote.execute(registered_script_wf, inputs={"x": 2, "y": 3}, wait=True)
    assert execution.outputs is not None and execution.outputs["o0"] == 5
    sys.modules.pop("my_script", None)


@pytest.fixture(scope="module")
def scheduled_plan() -> Any:
    """seed 000 backfills 'my_workflow_lp', which has no schedule; a launch plan with a cron schedule stands in."""
    return sandbox_remote().register_launch_plan(entities.daily_lp, version="v1")


def test_backfills(scheduled_plan: Any, capsys: pytest.CaptureFixture[str]) -> None:
    remote = FlyteRemote.for_sandbox(default_project="flytesnacks", default_domain="development")

    backfill_execution = remote.launch_backfill(
        project="flytesnacks",
        domain="development",
        from_date=datetime.datetime.now() - datetime.timedelta(days=7),
        to_date=datetime.datetime.now(),
        launchplan="daily_lp",
        dry_run=True,  # Set to False to actually register and execute
    )
    if backfill_execution:
        print(f"Backfill workflow created (dry run): {backfill_execution.name}")

    assert capsys.readouterr().out == "Backfill workflow created (dry run): backfill-daily_lp\n"
    assert len(backfill_execution.nodes) in (6, 7)  # one per midnight strictly inside the week
    with pytest.raises(FlyteEntityNotExistException):
        remote.fetch_workflow(name="backfill-daily_lp")  # a dry run registers nothing


def test_a_real_backfill_runs_the_launch_plan_for_each_scheduled_time(scheduled_plan: Any) -> None:
    remote = sandbox_remote()
    started = remote.launch_backfill(
        "flytesnacks",
        "development",
        datetime.datetime(2024, 1, 1),
        datetime.datetime(2024, 1, 3, 12),
        launchplan="daily_lp",
    )
    assert isinstance(started, FlyteWorkflowExecution)
    done = remote.wait(started, timeout=180)
    assert done.is_successful, done.error
    children = [n.workflow_executions[0] for n in done.node_executions.values() if n.workflow_executions]
    outputs = sorted(child.outputs["o0"] for child in children if child.outputs is not None)
    assert outputs == ["2024-01-02T00:00:00+00:00", "2024-01-03T00:00:00+00:00"]


def test_console_urls(
    plane: RunningServer,
    registered_workflow: tuple[Any, list[str]],
    workflow_execution: tuple[FlyteWorkflowExecution, list[str]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    registered, _ = registered_workflow
    execution, _ = workflow_execution
    remote = FlyteRemote.for_sandbox(default_project="flytesnacks", default_domain="development")

    workflow_console_url = remote.generate_console_url(registered)
    print(f"Workflow Console URL: {workflow_console_url}")

    execution_console_url = remote.generate_console_url(execution)
    print(f"Execution Console URL: {execution_console_url}")

    base = f"http://{plane.endpoint}/console/projects/flytesnacks/domains/development"
    assert capsys.readouterr().out.splitlines() == [
        f"Workflow Console URL: {base}/workflow/{registered.id.name}/version/{registered.id.version}",
        f"Execution Console URL: {base}/executions/{execution.id.name}",
    ]
