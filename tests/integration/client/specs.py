"""Hand-built flyteidl specs for a task `double(x: int) -> int`, a workflow calling it, and a launch plan.

Built from flyteidl alone, with no flytekit, so the test that runs without flytekit can register entities too.
"""

from __future__ import annotations

from typing import Any

from flyteidl.admin import launch_plan_pb2, task_pb2, workflow_pb2
from flyteidl.core import identifier_pb2, interface_pb2, literals_pb2, tasks_pb2, types_pb2
from flyteidl.core import workflow_pb2 as core_wf

INT = types_pb2.LiteralType(simple=types_pb2.INTEGER)
DOMAIN = "development"


def identifier(resource_type: int, project: str, name: str, version: str) -> Any:
    return identifier_pb2.Identifier(
        resource_type=resource_type,  # type: ignore[arg-type]
        project=project,
        domain=DOMAIN,
        name=name,
        version=version,
    )


def int_interface(inputs: tuple[str, ...], outputs: tuple[str, ...]) -> Any:
    def variables(names: tuple[str, ...]) -> Any:
        return interface_pb2.VariableMap(variables={name: interface_pb2.Variable(type=INT) for name in names})

    return interface_pb2.TypedInterface(inputs=variables(inputs), outputs=variables(outputs))


def task_spec(task_id: Any) -> Any:
    """A container task `double(x: int) -> o0: int`, as an SDK would register it."""
    template = tasks_pb2.TaskTemplate(
        id=task_id,
        type="python-task",
        metadata=tasks_pb2.TaskMetadata(
            runtime=tasks_pb2.RuntimeMetadata(type=tasks_pb2.RuntimeMetadata.FLYTE_SDK, version="0.0.0", flavor="py"),
            retries=literals_pb2.RetryStrategy(),
        ),
        interface=int_interface(("x",), ("o0",)),
        container=tasks_pb2.Container(image="python:3.11-slim", args=["python", "-c", "print(2)"]),
    )
    return task_pb2.TaskSpec(template=template)


def workflow_spec(workflow_id: Any, task_id: Any) -> Any:
    """A workflow `(x: int) -> o0: int` with one node running the task."""
    node = core_wf.Node(
        id="n0",
        inputs=[
            literals_pb2.Binding(
                var="x",
                binding=literals_pb2.BindingData(promise=types_pb2.OutputReference(node_id="start-node", var="x")),
            )
        ],
        task_node=core_wf.TaskNode(reference_id=task_id),
    )
    template = core_wf.WorkflowTemplate(
        id=workflow_id,
        metadata=core_wf.WorkflowMetadata(),
        interface=int_interface(("x",), ("o0",)),
        nodes=[node],
        outputs=[
            literals_pb2.Binding(
                var="o0", binding=literals_pb2.BindingData(promise=types_pb2.OutputReference(node_id="n0", var="o0"))
            )
        ],
    )
    return workflow_pb2.WorkflowSpec(template=template)


def launch_plan_spec(workflow_id: Any, default_x: int = 3) -> Any:
    default = literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(integer=default_x)))
    return launch_plan_pb2.LaunchPlanSpec(
        workflow_id=workflow_id,
        default_inputs=interface_pb2.ParameterMap(
            parameters={"x": interface_pb2.Parameter(var=interface_pb2.Variable(type=INT), default=default)}
        ),
        fixed_inputs=literals_pb2.LiteralMap(),
    )


def register_all(client: Any, project: str, version: str, name: str = "double") -> dict[str, Any]:
    """Registers the task, the workflow and the launch plan through `client`; returns their identifiers."""
    ids = {
        "task": identifier(identifier_pb2.TASK, project, f"{name}_task", version),
        "workflow": identifier(identifier_pb2.WORKFLOW, project, f"{name}_wf", version),
        "launch_plan": identifier(identifier_pb2.LAUNCH_PLAN, project, f"{name}_lp", version),
    }
    client.create_task(ids["task"], task_spec(ids["task"]))
    client.create_workflow(ids["workflow"], workflow_spec(ids["workflow"], ids["task"]))
    client.create_launch_plan(ids["launch_plan"], launch_plan_spec(ids["workflow"]))
    return ids
