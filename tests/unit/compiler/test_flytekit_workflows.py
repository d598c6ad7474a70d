"""Real workflows, serialized by flytekit exactly as `pyflyte register` would, compile as flyteadmin compiles them."""

from __future__ import annotations

import enum
import functools
import typing
from collections import OrderedDict
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flyteidl.core import compiler_pb2, tasks_pb2, workflow_pb2
from flytekit import LaunchPlan, approve, conditional, map_task, sleep, task, wait_for_input, workflow
from flytekit.configuration import ImageConfig, SerializationSettings
from flytekit.core.array_node import array_node
from flytekit.models.admin.workflow import WorkflowSpec
from flytekit.models.launch_plan import LaunchPlan as LaunchPlanModel
from flytekit.models.task import TaskSpec
from flytekit.tools.translator import get_serializable
from flytekit.types.directory import FlyteDirectory
from flytekit.types.error import FlyteError
from flytekit.types.file import FlyteFile
from flytekit.types.structured import StructuredDataset
from tests.unit.compiler.builders import value

from flyteplane.compiler import CompileErrors, LaunchPlanInterface, compile_workflow, get_requirements

SETTINGS = SerializationSettings(image_config=ImageConfig.auto_default_image(), project="p", domain="d", version="v1")


# --- the workflows -----------------------------------------------------------------------------------------


@task
def add_one(x: int) -> int:
    return x + 1


@task
def negate(x: int) -> int:
    return -x


@task
def maybe(x: int) -> int | None:
    return x or None


@task
def to_list(x: int, n: int = 3) -> list[int]:
    return [x] * n


@task
def handle_failure(x: int, err: FlyteError | None = None) -> None:
    return None


@workflow
def chain(x: int) -> int:
    return negate(x=add_one(x=add_one(x=x)))


@workflow
def branching(x: int) -> int:
    m = maybe(x=x)
    return (
        conditional("sign")
        .if_(m.is_none())
        .then(add_one(x=x))
        .elif_((x > 0) & (x < 10))
        .then(conditional("inner").if_(x == 5).then(add_one(x=x)).else_().then(negate(x=x)))
        .else_()
        .fail("negative")
    )


@workflow
def inner(x: int) -> int:
    return add_one(x=x)


@workflow
def with_sub_workflows(x: int) -> int:
    return inner(x=inner(x=x))


inner_lp = LaunchPlan.get_or_create(inner, name="inner_lp")


@workflow
def with_launch_plan(x: int) -> int:
    return negate(x=inner_lp(x=x))


@workflow
def with_arrays(x: int, xs: list[int]) -> list[int]:
    first = add_one(x=x)
    map_task(functools.partial(to_list, n=2))(x=xs)
    array_node(inner_lp, concurrency=2)(x=xs)
    return map_task(add_one)(x=to_list(x=first))


@workflow
def with_gates(x: int) -> int:
    approved = approve(add_one(x=x), "approve-it", timeout=timedelta(hours=1))
    answer = wait_for_input("answer", timeout=timedelta(hours=1), expected_type=int)
    pause = sleep(timedelta(seconds=1))
    result = add_one(x=approved)
    pause >> result
    return negate(x=answer)


@workflow(on_failure=handle_failure)
def with_failure_handler(x: int) -> int:
    return add_one(x=x)


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


@dataclass
class Point:
    x: int
    label: str | None = None


@task
def everything(
    p: Point,
    o: int | None,
    u: int | str,
    items: list[int],
    table: dict[str, float],
    f: FlyteFile,
    d: FlyteDirectory,
    sd: StructuredDataset,
    c: Color,
) -> tuple[Point, int | None, FlyteFile, StructuredDataset]:
    return p, o, f, sd


@workflow
def with_many_types(
    p: Point,
    o: int | None,
    u: int | str,
    table: dict[str, float],
    f: FlyteFile,
    d: FlyteDirectory,
    sd: StructuredDataset,
    c: Color = Color.RED,
) -> tuple[Point, int]:
    first = everything(p=p, o=o, u=u, items=to_list(x=p.x), table=table, f=f, d=d, sd=sd, c=c)
    second = everything(
        p=first[0], o=None, u="text", items=[p.x, 4], table={"a": 1.5}, f=first[2], d=d, sd=first[3], c=Color.GREEN
    )
    return second[0], add_one(x=second[0].x)


@dataclass
class Child(Point):
    extra: str | None = None


@dataclass
class Holder:
    point: Point
    values: list[int]


@task
def make_child() -> Child:
    return Child(x=1)


@task
def make_holder() -> Holder:
    return Holder(point=Point(x=1), values=[1])


@task
def read_point(p: Point) -> int:
    return p.x


@workflow
def with_dataclass_subtypes() -> int:
    read_point(p=make_holder().point)
    return read_point(p=make_child())


# --- serialization, once per workflow --------------------------------------------------------------------


@dataclass
class Registration:
    spec: workflow_pb2.WorkflowSpec
    tasks: list[tasks_pb2.TaskTemplate]
    launch_plans: list[LaunchPlanInterface]


@functools.cache
def register(entity: typing.Any) -> Registration:
    """What pyflyte would send: the workflow spec, its tasks, and the launch plans it calls (as admin sees them)."""
    entities: OrderedDict[typing.Any, typing.Any] = OrderedDict()
    spec = get_serializable(entities, SETTINGS, entity).to_flyte_idl()
    tasks = [e.to_flyte_idl().template for e in entities.values() if isinstance(e, TaskSpec)]
    workflows = {e.template.id.name: e.to_flyte_idl() for e in entities.values() if isinstance(e, WorkflowSpec)}
    launch_plans = []
    for e in entities.values():
        if isinstance(e, LaunchPlanModel):
            lp = e.to_flyte_idl()
            outputs = workflows[lp.spec.workflow_id.name].template.interface.outputs
            launch_plans.append(LaunchPlanInterface(lp.id, lp.spec.default_inputs, outputs))
    return Registration(spec, tasks, launch_plans)


def compile_registered(entity: typing.Any) -> compiler_pb2.CompiledWorkflowClosure:
    r = register(entity)
    return compile_workflow(r.spec.template, list(r.spec.sub_workflows), r.tasks, r.launch_plans)


def edges(closure: compiler_pb2.CompiledWorkflowClosure, direction: str = "downstream") -> dict[str, list[str]]:
    return {k: list(v.ids) for k, v in getattr(closure.primary.connections, direction).items()}


# --- the tests -------------------------------------------------------------------------------------------


def test_a_task_chain_compiles_into_a_linear_graph() -> None:
    closure = compile_registered(chain)
    assert [n.id for n in closure.primary.template.nodes] == ["start-node", "end-node", "n0", "n1", "n2"]
    assert edges(closure) == {"start-node": ["n0"], "n0": ["n1"], "n1": ["n2"], "n2": ["end-node"]}
    assert edges(closure, "upstream") == {"n0": ["start-node"], "n1": ["n0"], "n2": ["n1"], "end-node": ["n2"]}
    assert closure.primary.template.nodes[2].inputs[0].binding.promise.node_id == "start-node"
    assert sorted(t.template.id.name.rsplit(".", 1)[-1] for t in closure.tasks) == ["add_one", "negate"]


def test_requirements_of_a_real_workflow_list_its_tasks_and_launch_plans() -> None:
    r = register(with_launch_plan)
    requirements = get_requirements(r.spec.template, list(r.spec.sub_workflows))
    assert [i.name.rsplit(".", 1)[-1] for i in requirements.task_ids] == ["negate"]
    assert [i.name for i in requirements.launch_plan_ids] == ["inner_lp"]


def test_a_conditional_renames_its_candidates_and_nests() -> None:
    closure = compile_registered(branching)
    branch = closure.primary.template.nodes[3]
    if_else = branch.branch_node.if_else
    nested = if_else.other[0].then_node
    assert if_else.case.then_node.id == f"{branch.id}-n0"
    assert nested.id == f"{branch.id}-n1"
    assert nested.branch_node.if_else.case.then_node.id == f"{branch.id}-n1-n0"
    upstream = edges(closure, "upstream")
    assert upstream[branch.id] == ["n0", "start-node"]
    assert upstream[f"{branch.id}-n0"] == ["start-node"]
    assert edges(closure)[branch.id] == ["end-node"]


def test_sub_workflows_are_compiled_into_the_closure() -> None:
    closure = compile_registered(with_sub_workflows)
    [sub] = closure.sub_workflows
    assert [n.id for n in sub.template.nodes] == ["start-node", "end-node", "n0"]
    assert list(sub.connections.upstream["end-node"].ids) == ["n0"]
    assert edges(closure)["n0"] == ["n1"]


def test_a_launch_plan_node_uses_the_launch_plan_interface() -> None:
    closure = compile_registered(with_launch_plan)
    assert edges(closure) == {"start-node": ["n0"], "n0": ["n1"], "n1": ["end-node"]}
    r = register(with_launch_plan)
    with pytest.raises(CompileErrors) as raised:
        compile_workflow(r.spec.template, [], r.tasks, [])
    assert [e.code for e in raised.value.errors] == ["WorkflowReferenceNotFound"]


def test_map_tasks_and_array_nodes_compile() -> None:
    closure = compile_registered(with_arrays)
    kinds = [n.WhichOneof("target") for n in closure.primary.template.nodes[2:]]
    assert kinds.count("array_node") == 3
    assert edges(closure, "upstream")["end-node"]


def test_gates_compile_and_feed_downstream_nodes() -> None:
    closure = compile_registered(with_gates)
    gates = {
        n.id: n.gate_node.WhichOneof("condition") for n in closure.primary.template.nodes if n.HasField("gate_node")
    }
    assert sorted(gates.values()) == ["approve", "signal", "sleep"]
    downstream = edges(closure)
    approve_id = next(k for k, v in gates.items() if v == "approve")
    sleep_id = next(k for k, v in gates.items() if v == "sleep")
    assert downstream[approve_id] == downstream[sleep_id]


def test_the_failure_handler_is_validated_outside_the_graph() -> None:
    closure = compile_registered(with_failure_handler)
    failure = closure.primary.template.failure_node
    assert failure.id not in [n.id for n in closure.primary.template.nodes]
    assert edges(closure, "upstream")[failure.id] == ["start-node"]


def test_workflows_over_many_kinds_of_types_compile() -> None:
    closure = compile_registered(with_many_types)
    assert len(closure.primary.template.nodes) == 6
    [attribute] = [b.binding.promise for b in closure.primary.template.nodes[2].inputs if b.var == "x"]
    assert (attribute.node_id, attribute.var, [a.string_value for a in attribute.attr_path]) == (
        "start-node",
        "p",
        ["x"],
    )


def test_a_broken_real_workflow_names_the_task_and_input() -> None:
    r = register(chain)
    template = workflow_pb2.WorkflowTemplate()
    template.CopyFrom(r.spec.template)
    template.nodes[1].inputs[0].binding.CopyFrom(value("not a number"))
    with pytest.raises(CompileErrors) as raised:
        compile_workflow(template, [], r.tasks, [])
    assert [str(e) for e in raised.value.errors] == [
        "Code: MismatchingTypes, Node Id: n1, Description: Variable [x] (type [simple:STRING]) "
        "doesn't match expected type [simple:INTEGER]."
    ]


def test_a_child_dataclass_flows_into_a_parent_input() -> None:
    closure = compile_registered(with_dataclass_subtypes)
    assert len(closure.primary.template.nodes) == 6
