"""Small constructors for hand-built flyteidl protos, so compiler tests read like the workflows they describe."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from flyteidl.core import (
    condition_pb2,
    identifier_pb2,
    interface_pb2,
    literals_pb2,
    tasks_pb2,
    types_pb2,
    workflow_pb2,
)

from flyteplane.compiler import CompileErrors, LaunchPlanInterface, compile_workflow

INT = types_pb2.LiteralType(simple=types_pb2.INTEGER)
FLOAT = types_pb2.LiteralType(simple=types_pb2.FLOAT)
STR = types_pb2.LiteralType(simple=types_pb2.STRING)
BOOL = types_pb2.LiteralType(simple=types_pb2.BOOLEAN)
NONE = types_pb2.LiteralType(simple=types_pb2.NONE)
STRUCT = types_pb2.LiteralType(simple=types_pb2.STRUCT)


def list_of(element: types_pb2.LiteralType) -> types_pb2.LiteralType:
    return types_pb2.LiteralType(collection_type=element)


def dict_of(value: types_pb2.LiteralType) -> types_pb2.LiteralType:
    return types_pb2.LiteralType(map_value_type=value)


def union(*variants: types_pb2.LiteralType) -> types_pb2.LiteralType:
    return types_pb2.LiteralType(union_type=types_pb2.UnionType(variants=variants))


def optional(variant: types_pb2.LiteralType) -> types_pb2.LiteralType:
    return union(variant, NONE)


def enum_of(*values: str) -> types_pb2.LiteralType:
    return types_pb2.LiteralType(enum_type=types_pb2.EnumType(values=values))


def blob(fmt: str = "", dimensionality: int = types_pb2.BlobType.SINGLE) -> types_pb2.LiteralType:
    return types_pb2.LiteralType(blob=types_pb2.BlobType(format=fmt, dimensionality=dimensionality))


def dataclass(**fields: types_pb2.LiteralType) -> types_pb2.LiteralType:
    return types_pb2.LiteralType(simple=types_pb2.STRUCT, structure=types_pb2.TypeStructure(dataclass_type=fields))


def identifier(resource_type: int, name: str) -> identifier_pb2.Identifier:
    return identifier_pb2.Identifier(resource_type=resource_type, project="p", domain="d", name=name, version="v1")


def task_id(name: str) -> identifier_pb2.Identifier:
    return identifier(identifier_pb2.TASK, name)


def workflow_id(name: str) -> identifier_pb2.Identifier:
    return identifier(identifier_pb2.WORKFLOW, name)


def launch_plan_id(name: str) -> identifier_pb2.Identifier:
    return identifier(identifier_pb2.LAUNCH_PLAN, name)


def variables(types: Mapping[str, types_pb2.LiteralType]) -> interface_pb2.VariableMap:
    return interface_pb2.VariableMap(variables={k: interface_pb2.Variable(type=t) for k, t in types.items()})


def interface(
    inputs: Mapping[str, types_pb2.LiteralType] | None = None,
    outputs: Mapping[str, types_pb2.LiteralType] | None = None,
) -> interface_pb2.TypedInterface:
    return interface_pb2.TypedInterface(inputs=variables(inputs or {}), outputs=variables(outputs or {}))


def task(
    name: str,
    inputs: Mapping[str, types_pb2.LiteralType] | None = None,
    outputs: Mapping[str, types_pb2.LiteralType] | None = None,
) -> tasks_pb2.TaskTemplate:
    return tasks_pb2.TaskTemplate(
        id=task_id(name),
        type="python-task",
        interface=interface(inputs, outputs),
        container=tasks_pb2.Container(image="img", args=["run"]),
    )


def promise(node_id: str, var: str, *attr_path: str | int) -> literals_pb2.BindingData:
    attributes = [
        types_pb2.PromiseAttribute(int_value=a) if isinstance(a, int) else types_pb2.PromiseAttribute(string_value=a)
        for a in attr_path
    ]
    return literals_pb2.BindingData(promise=types_pb2.OutputReference(node_id=node_id, var=var, attr_path=attributes))


def primitive(value: int | float | str | bool) -> literals_pb2.Primitive:
    if isinstance(value, bool):
        return literals_pb2.Primitive(boolean=value)
    if isinstance(value, int):
        return literals_pb2.Primitive(integer=value)
    if isinstance(value, float):
        return literals_pb2.Primitive(float_value=value)
    return literals_pb2.Primitive(string_value=value)


def value(v: int | float | str | bool) -> literals_pb2.BindingData:
    return literals_pb2.BindingData(scalar=literals_pb2.Scalar(primitive=primitive(v)))


def none_value() -> literals_pb2.BindingData:
    return literals_pb2.BindingData(scalar=literals_pb2.Scalar(none_type=literals_pb2.Void()))


def collection(*items: literals_pb2.BindingData) -> literals_pb2.BindingData:
    return literals_pb2.BindingData(collection=literals_pb2.BindingDataCollection(bindings=items))


def mapping(**items: literals_pb2.BindingData) -> literals_pb2.BindingData:
    return literals_pb2.BindingData(map=literals_pb2.BindingDataMap(bindings=items))


def bindings(inputs: Mapping[str, literals_pb2.BindingData] | None) -> list[literals_pb2.Binding]:
    return [literals_pb2.Binding(var=k, binding=v) for k, v in (inputs or {}).items()]


def task_node(
    node_id: str,
    task_name: str,
    inputs: Mapping[str, literals_pb2.BindingData] | None = None,
    upstream: Iterable[str] = (),
    name: str | None = None,
) -> workflow_pb2.Node:
    node = workflow_pb2.Node(
        id=node_id,
        inputs=bindings(inputs),
        upstream_node_ids=list(upstream),
        task_node=workflow_pb2.TaskNode(reference_id=task_id(task_name)),
    )
    if name is not None:
        node.metadata.name = name
    return node


def launch_plan_node(
    node_id: str, lp_name: str, inputs: Mapping[str, literals_pb2.BindingData] | None = None
) -> workflow_pb2.Node:
    return workflow_pb2.Node(
        id=node_id,
        inputs=bindings(inputs),
        workflow_node=workflow_pb2.WorkflowNode(launchplan_ref=launch_plan_id(lp_name)),
    )


def sub_workflow_node(
    node_id: str, workflow_name: str, inputs: Mapping[str, literals_pb2.BindingData] | None = None
) -> workflow_pb2.Node:
    return workflow_pb2.Node(
        id=node_id,
        inputs=bindings(inputs),
        workflow_node=workflow_pb2.WorkflowNode(sub_workflow_ref=workflow_id(workflow_name)),
    )


def compare(left: condition_pb2.Operand, op: int, right: condition_pb2.Operand) -> condition_pb2.BooleanExpression:
    return condition_pb2.BooleanExpression(
        comparison=condition_pb2.ComparisonExpression(operator=op, left_value=left, right_value=right)
    )


def var_operand(var: str) -> condition_pb2.Operand:
    return condition_pb2.Operand(var=var)


def const_operand(v: int | float | str | bool) -> condition_pb2.Operand:
    return condition_pb2.Operand(primitive=primitive(v))


def branch_node(
    node_id: str,
    cases: list[tuple[condition_pb2.BooleanExpression | None, workflow_pb2.Node | None]],
    else_node: workflow_pb2.Node | None = None,
    error: str | None = None,
    inputs: Mapping[str, literals_pb2.BindingData] | None = None,
) -> workflow_pb2.Node:
    blocks = []
    for condition, then_node in cases:
        block = workflow_pb2.IfBlock()
        if condition is not None:
            block.condition.CopyFrom(condition)
        if then_node is not None:
            block.then_node.CopyFrom(then_node)
        blocks.append(block)
    if_else = workflow_pb2.IfElseBlock()
    if blocks:
        if_else.case.CopyFrom(blocks[0])
        if_else.other.extend(blocks[1:])
    if else_node is not None:
        if_else.else_node.CopyFrom(else_node)
    if error is not None:
        if_else.error.message = error
    return workflow_pb2.Node(id=node_id, inputs=bindings(inputs), branch_node=workflow_pb2.BranchNode(if_else=if_else))


def workflow(
    name: str,
    nodes: Iterable[workflow_pb2.Node],
    inputs: Mapping[str, types_pb2.LiteralType] | None = None,
    outputs: Mapping[str, types_pb2.LiteralType] | None = None,
    output_bindings: Mapping[str, literals_pb2.BindingData] | None = None,
    failure_node: workflow_pb2.Node | None = None,
) -> workflow_pb2.WorkflowTemplate:
    template = workflow_pb2.WorkflowTemplate(
        id=workflow_id(name),
        interface=interface(inputs, outputs),
        nodes=list(nodes),
        outputs=bindings(output_bindings),
    )
    if failure_node is not None:
        template.failure_node.CopyFrom(failure_node)
    return template


def launch_plan(
    name: str,
    required: Mapping[str, types_pb2.LiteralType] | None = None,
    defaults: Mapping[str, types_pb2.LiteralType] | None = None,
    outputs: Mapping[str, types_pb2.LiteralType] | None = None,
) -> LaunchPlanInterface:
    parameters = {
        k: interface_pb2.Parameter(var=interface_pb2.Variable(type=t), required=True)
        for k, t in (required or {}).items()
    }
    for key, literal_type in (defaults or {}).items():
        parameters[key] = interface_pb2.Parameter(var=interface_pb2.Variable(type=literal_type))
    return LaunchPlanInterface(
        id=launch_plan_id(name),
        expected_inputs=interface_pb2.ParameterMap(parameters=parameters),
        expected_outputs=variables(outputs or {}),
    )


def compile_errors(
    primary: workflow_pb2.WorkflowTemplate,
    tasks: Iterable[tasks_pb2.TaskTemplate] = (),
    sub_workflows: Iterable[workflow_pb2.WorkflowTemplate] = (),
    launch_plans: Iterable[LaunchPlanInterface] = (),
) -> CompileErrors:
    """The CompileErrors compiling the workflow raises (fails the test if it compiles)."""
    try:
        compile_workflow(primary, list(sub_workflows), list(tasks), list(launch_plans))
    except CompileErrors as errors:
        return errors
    raise AssertionError("expected the workflow not to compile")


def codes(errors: CompileErrors) -> list[str]:
    return [error.code for error in errors.errors]
