"""Registered entities expose what flytekit users reach for, read from the flyteidl messages Admin returned."""

from __future__ import annotations

from flyteidl.admin import launch_plan_pb2, schedule_pb2, task_pb2, workflow_pb2
from flyteidl.core import compiler_pb2, identifier_pb2, interface_pb2, tasks_pb2
from flyteidl.core import workflow_pb2 as core
from google.protobuf import struct_pb2
from tests.unit.remote.fakes import task_id

from flyteplane.remote import FlyteLaunchPlan, FlyteTask, FlyteWorkflow
from flyteplane.remote.literals.types import literal_type_of

INTERFACE = interface_pb2.TypedInterface(
    inputs=interface_pb2.VariableMap(variables={"x": interface_pb2.Variable(type=literal_type_of(int))}),
    outputs=interface_pb2.VariableMap(variables={"o0": interface_pb2.Variable(type=literal_type_of(str))}),
)


def test_a_task_reads_its_template() -> None:
    custom = struct_pb2.Struct()
    custom.update({"k": "v"})
    template = tasks_pb2.TaskTemplate(
        id=task_id(), type="python-task", interface=INTERFACE, custom=custom, container=tasks_pb2.Container(image="i")
    )
    task = FlyteTask.from_admin(
        task_pb2.Task(
            id=task_id(), closure=task_pb2.TaskClosure(compiled_task=compiler_pb2.CompiledTask(template=template))
        )
    )
    assert (task.name, task.version, task.type) == ("t", "v1", "python-task")
    assert task.id.resource_type == identifier_pb2.TASK
    assert list(task.interface.inputs) == ["x"] and list(task.interface.outputs) == ["o0"]
    assert task.custom == {"k": "v"} and task.container.image == "i" and task.k8s_pod is None
    assert task.to_flyte_idl() == task_pb2.TaskSpec(template=template)
    assert repr(task) == "FlyteTask(p/d/t@v1)"


def test_a_workflow_hides_the_compilers_start_and_end_nodes() -> None:
    wf_id = identifier_pb2.Identifier(
        resource_type=identifier_pb2.WORKFLOW, project="p", domain="d", name="w", version="v"
    )
    template = core.WorkflowTemplate(
        id=wf_id, interface=INTERFACE, nodes=[core.Node(id="start-node"), core.Node(id="n0"), core.Node(id="end-node")]
    )
    compiled = compiler_pb2.CompiledWorkflowClosure(
        primary=compiler_pb2.CompiledWorkflow(template=template),
        tasks=[compiler_pb2.CompiledTask(template=tasks_pb2.TaskTemplate(id=task_id()))],
    )
    workflow = FlyteWorkflow.from_admin(
        workflow_pb2.Workflow(id=wf_id, closure=workflow_pb2.WorkflowClosure(compiled_workflow=compiled))
    )
    assert [n.id for n in workflow.nodes] == ["n0"] and list(workflow.node_map) == ["n0"]
    assert [t.name for t in workflow.flyte_tasks] == ["t"]
    assert workflow.to_flyte_idl().template == template


def test_a_launch_plan_takes_its_interface_from_its_workflow_or_its_closure() -> None:
    lp_id = identifier_pb2.Identifier(
        resource_type=identifier_pb2.LAUNCH_PLAN, project="p", domain="d", name="lp", version="v"
    )
    schedule = schedule_pb2.Schedule(cron_schedule=schedule_pb2.CronSchedule(schedule="@daily"))
    spec = launch_plan_pb2.LaunchPlanSpec(entity_metadata=launch_plan_pb2.LaunchPlanMetadata(schedule=schedule))
    closure = launch_plan_pb2.LaunchPlanClosure(
        state=launch_plan_pb2.ACTIVE,
        expected_inputs=interface_pb2.ParameterMap(
            parameters={"y": interface_pb2.Parameter(var=INTERFACE.inputs.variables["x"])}
        ),
    )
    plan = FlyteLaunchPlan.from_admin(launch_plan_pb2.LaunchPlan(id=lp_id, spec=spec, closure=closure))
    assert list(plan.interface.inputs) == ["y"]
    assert plan.is_scheduled and plan.is_active
    assert not FlyteLaunchPlan(lp_id, launch_plan_pb2.LaunchPlanSpec()).is_scheduled
