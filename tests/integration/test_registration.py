"""Registering flytekit tasks, workflows and launch plans through FlyteRemote, and fetching them back."""

from __future__ import annotations

from typing import Any

from flyteidl.admin import common_pb2, launch_plan_pb2
from flyteidl.core import identifier_pb2
from flytekit.models.core.identifier import Identifier, ResourceType
from flytekit.remote import FlyteLaunchPlan, FlyteTask, FlyteWorkflow
from tests.integration.support import DOMAIN, settings, use_apps

use_apps()
from pipelines import launch_plans, tasks, workflows  # noqa: E402


def raw_id(resource_type: int, project: str, name: str, version: str) -> identifier_pb2.Identifier:
    return identifier_pb2.Identifier(
        resource_type=resource_type,  # type: ignore[arg-type]
        project=project,
        domain=DOMAIN,
        name=name,
        version=version,
    )


def get_workflow(admin: Any, project: str, name: str, version: str) -> Any:
    return admin.GetWorkflow(common_pb2.ObjectGetRequest(id=raw_id(identifier_pb2.WORKFLOW, project, name, version)))


def get_launch_plan(admin: Any, project: str, name: str, version: str) -> Any:
    return admin.GetLaunchPlan(
        common_pb2.ObjectGetRequest(id=raw_id(identifier_pb2.LAUNCH_PLAN, project, name, version))
    )


def test_register_task_and_fetch_it_by_version(remote: Any, project: str) -> None:
    registered = remote.register_task(tasks.add, settings(project, "v1"), version="v1")
    expected = Identifier(ResourceType.TASK, project, DOMAIN, "pipelines.tasks.add", "v1")
    assert registered.id == expected

    fetched: FlyteTask = remote.fetch_task(project, DOMAIN, "pipelines.tasks.add", "v1")
    assert fetched.id == expected
    assert fetched.template.type == "python-task"
    assert set(fetched.interface.inputs) == {"a", "b"}
    assert set(fetched.interface.outputs) == {"o0"}
    assert fetched.template.container.image == registered.template.container.image
    assert "pipelines.tasks" in fetched.template.container.args


def test_register_workflow_creates_its_default_launch_plan(remote: Any, project: str) -> None:
    name = "pipelines.workflows.arithmetic"
    registered: FlyteWorkflow = remote.register_workflow(workflows.arithmetic, settings(project, "v1"), version="v1")
    assert registered.id == Identifier(ResourceType.WORKFLOW, project, DOMAIN, name, "v1")

    plan: FlyteLaunchPlan = remote.fetch_launch_plan(project, DOMAIN, name, "v1")
    assert plan.id == Identifier(ResourceType.LAUNCH_PLAN, project, DOMAIN, name, "v1")
    assert plan.workflow_id == registered.id
    defaults = {k: p.default.scalar.primitive.integer for k, p in plan.default_inputs.parameters.items()}
    assert defaults == {"a": 1, "b": 2}
    assert plan.fixed_inputs.literals == {}

    raw = get_launch_plan(remote.client._stub, project, name, "v1")
    assert raw.closure.state == launch_plan_pb2.INACTIVE
    assert set(raw.closure.expected_inputs.parameters) == {"a", "b"}
    assert set(raw.closure.expected_outputs.variables) == {"o0"}


def test_the_compiled_closure_holds_every_referenced_task(remote: Any, project: str) -> None:
    remote.register_workflow(workflows.arithmetic, settings(project, "closure"), version="closure")
    got = get_workflow(remote.client._stub, project, "pipelines.workflows.arithmetic", "closure")
    compiled = got.closure.compiled_workflow
    assert [t.template.id.name for t in compiled.tasks] == ["pipelines.tasks.add"]
    real_nodes = [n for n in compiled.primary.template.nodes if n.id not in ("start-node", "end-node")]
    assert [n.task_node.reference_id.name for n in real_nodes] == ["pipelines.tasks.add"] * 2
    assert compiled.primary.connections.downstream, "the compiled workflow carries its graph"


def test_a_workflow_with_a_conditional_registers_and_fetches(remote: Any, project: str) -> None:
    name = "pipelines.workflows.sign"
    remote.register_workflow(workflows.sign, settings(project, "v1"), version="v1")
    fetched = remote.fetch_workflow(project, DOMAIN, name, "v1")
    assert set(fetched.interface.inputs) == {"x"}

    compiled = get_workflow(remote.client._stub, project, name, "v1").closure.compiled_workflow
    branches = [n for n in compiled.primary.template.nodes if n.HasField("branch_node")]
    assert len(branches) == 1
    assert {t.template.id.name for t in compiled.tasks} == {"pipelines.tasks.describe", "pipelines.tasks.shout"}


def test_a_workflow_with_a_subworkflow_registers_and_fetches(remote: Any, project: str) -> None:
    name = "pipelines.workflows.outer"
    remote.register_workflow(workflows.outer, settings(project, "v1"), version="v1")
    fetched = remote.fetch_workflow(project, DOMAIN, name, "v1")
    assert [sub.id.name for sub in fetched.sub_workflows] == ["pipelines.workflows.inner"]

    compiled = get_workflow(remote.client._stub, project, name, "v1").closure.compiled_workflow
    assert [s.template.id.name for s in compiled.sub_workflows] == ["pipelines.workflows.inner"]
    refs = [
        n.workflow_node.sub_workflow_ref.name for n in compiled.primary.template.nodes if n.HasField("workflow_node")
    ]
    assert refs == ["pipelines.workflows.inner"]
    assert {t.template.id.name for t in compiled.tasks} == {"pipelines.tasks.square", "pipelines.tasks.add"}


def test_a_workflow_with_a_map_task_registers_and_fetches(remote: Any, project: str) -> None:
    name = "pipelines.workflows.squares"
    remote.register_workflow(workflows.squares, settings(project, "v1"), version="v1")
    fetched = remote.fetch_workflow(project, DOMAIN, name, "v1")
    assert set(fetched.interface.outputs) == {"o0"}

    compiled = get_workflow(remote.client._stub, project, name, "v1").closure.compiled_workflow
    arrays = [n for n in compiled.primary.template.nodes if n.HasField("array_node")]
    assert len(arrays) == 1
    mapped = arrays[0].array_node.node.task_node.reference_id
    assert mapped.name.startswith("pipelines.tasks.map_square_"), "flytekit names the mapped task after square"
    assert [t.template.id for t in compiled.tasks] == [mapped]


def test_register_launch_plan_with_defaults_and_fixed_inputs(remote: Any, project: str) -> None:
    plan = remote.register_launch_plan(
        launch_plans.arithmetic_fixed, "v1", project, DOMAIN, serialization_settings=settings(project, "v1")
    )
    assert plan.id == Identifier(ResourceType.LAUNCH_PLAN, project, DOMAIN, "arithmetic_fixed", "v1")

    fetched: FlyteLaunchPlan = remote.fetch_launch_plan(project, DOMAIN, "arithmetic_fixed", "v1")
    assert fetched.workflow_id.name == "pipelines.workflows.arithmetic"
    assert {k: v.scalar.primitive.integer for k, v in fetched.fixed_inputs.literals.items()} == {"b": 5}
    assert fetched.default_inputs.parameters["a"].default.scalar.primitive.integer == 10
    assert "b" not in fetched.default_inputs.parameters, "fixed inputs are not expected inputs"

    raw = get_launch_plan(remote.client._stub, project, "arithmetic_fixed", "v1")
    assert set(raw.closure.expected_inputs.parameters) == {"a"}
    assert raw.closure.expected_inputs.parameters["a"].default.scalar.primitive.integer == 10


def test_register_a_launch_plan_with_a_cron_schedule_and_kickoff_input(remote: Any, project: str) -> None:
    remote.register_launch_plan(
        launch_plans.nightly_schedule, "v1", project, DOMAIN, serialization_settings=settings(project, "v1")
    )
    fetched = remote.fetch_launch_plan(project, DOMAIN, "nightly_schedule", "v1")
    schedule = fetched.entity_metadata.schedule
    assert schedule.cron_schedule.schedule == "0 3 * * *"
    assert schedule.kickoff_time_input_arg == "when"

    raw = get_launch_plan(remote.client._stub, project, "nightly_schedule", "v1")
    assert raw.closure.state == launch_plan_pb2.INACTIVE, "the server never activates on its own"
    assert raw.closure.expected_inputs.parameters["when"].required
    assert raw.closure.expected_inputs.parameters["tag"].default.scalar.primitive.string_value == "nightly"


def test_registering_the_same_workflow_twice_is_harmless(remote: Any, project: str) -> None:
    first = remote.register_workflow(workflows.outer, settings(project, "again"), version="again")
    second = remote.register_workflow(workflows.outer, settings(project, "again"), version="again")
    assert first.id == second.id
    listed, _ = remote.client.list_workflows_paginated(_named(project, "pipelines.workflows.outer"), limit=100)
    assert [w.id.version for w in listed].count("again") == 1


def _named(project: str, name: str | None = None) -> Any:
    from flytekit.models.common import NamedEntityIdentifier

    return NamedEntityIdentifier(project, DOMAIN, name)


def test_latest_means_newest_created_not_highest_version(remote: Any, project: str) -> None:
    """Versions are registered in reverse alphabetical order, so only creation order picks the right one."""
    for version in ("zz-first", "mm-second", "aa-third"):
        remote.register_workflow(workflows.inner, settings(project, version), version=version)

    assert remote.fetch_task(project, DOMAIN, "pipelines.tasks.square").id.version == "aa-third"
    assert remote.fetch_workflow(project, DOMAIN, "pipelines.workflows.inner").id.version == "aa-third"
    assert remote.fetch_launch_plan(project, DOMAIN, "pipelines.workflows.inner").id.version == "aa-third"
    assert remote.fetch_workflow(project, DOMAIN, "pipelines.workflows.inner", "zz-first").id.version == "zz-first"


def test_list_tasks_by_version_returns_exactly_that_versions_tasks(remote: Any, project: str) -> None:
    remote.register_workflow(workflows.outer, settings(project, "bundle-1"), version="bundle-1")
    remote.register_task(tasks.shout, settings(project, "bundle-2"), version="bundle-2")

    found = remote.list_tasks_by_version("bundle-1", project, DOMAIN)
    assert sorted(t.id.name for t in found) == ["pipelines.tasks.add", "pipelines.tasks.square"]
    assert {t.id.version for t in found} == {"bundle-1"}
    assert [t.id.name for t in remote.list_tasks_by_version("bundle-2", project, DOMAIN)] == ["pipelines.tasks.shout"]
    assert remote.list_tasks_by_version("bundle-none", project, DOMAIN) == []
