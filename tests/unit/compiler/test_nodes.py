"""Node interfaces (§3.3): launch plans, gates and array nodes expose what the engine will pass along."""

from __future__ import annotations

from datetime import timedelta

from flyteidl.core import workflow_pb2
from google.protobuf import wrappers_pb2
from tests.unit.compiler.builders import (
    BOOL,
    INT,
    STR,
    compile_errors,
    launch_plan,
    launch_plan_id,
    launch_plan_node,
    list_of,
    promise,
    task,
    task_node,
    value,
    workflow,
)

from flyteplane.compiler import compile_workflow

USE_INT = task("use_int", {"x": INT}, {"o0": INT})
USE_LIST = task("use_list", {"x": list_of(INT)}, {})
LP = launch_plan("lp", required={"a": INT}, defaults={"b": STR}, outputs={"out": INT})


def test_a_launch_plan_node_must_bind_required_inputs_and_may_bind_defaulted_ones() -> None:
    node = launch_plan_node("l", "lp", {"a": value(1)})
    primary = workflow("wf", [node, task_node("u", "use_int", {"x": promise("l", "out")})])
    closure = compile_workflow(primary, [], [USE_INT], [LP])
    assert list(closure.primary.connections.upstream["u"].ids) == ["l"]
    assert not closure.launch_plans

    node.inputs.add(var="b", binding=value("override"))
    compile_workflow(primary, [], [USE_INT], [LP])

    missing = workflow("wf", [launch_plan_node("l", "lp", {"b": value("x")})])
    assert [(e.code, e.description) for e in compile_errors(missing, [], [], [LP]).errors] == [
        ("ParameterNotBound", "Parameter not bound [a].")
    ]


def test_a_launch_plan_node_checks_types_against_the_launch_plan() -> None:
    primary = workflow("wf", [launch_plan_node("l", "lp", {"a": value("text")})])
    assert [e.code for e in compile_errors(primary, [], [], [LP]).errors] == ["MismatchingTypes"]


def test_a_workflow_may_launch_itself_through_its_own_id() -> None:
    primary = workflow("wf", [task_node("n", "use_int", {"x": promise("", "x")})], {"x": INT}, {"o": INT})
    primary.outputs.add(var="o", binding=promise("n", "o0"))
    recursive = workflow_pb2.Node(id="again", workflow_node=workflow_pb2.WorkflowNode(launchplan_ref=primary.id))
    recursive.inputs.add(var="x", binding=promise("n", "o0"))
    primary.nodes.append(recursive)
    self_lp = launch_plan("wf")
    self_lp.id.CopyFrom(primary.id)
    compile_workflow(primary, [], [USE_INT], [self_lp])


def gate(node_id: str, **condition: object) -> workflow_pb2.Node:
    return workflow_pb2.Node(id=node_id, gate_node=workflow_pb2.GateNode(**condition))  # type: ignore[arg-type]


def test_an_approval_passes_its_inputs_through() -> None:
    approve = gate("g", approve=workflow_pb2.ApproveCondition(signal_id="ok"))
    approve.inputs.add(var="v", binding=promise("p", "o0"))
    primary = workflow(
        "wf",
        [task_node("p", "use_int", {"x": value(1)}), approve, task_node("u", "use_int", {"x": promise("g", "v")})],
    )
    closure = compile_workflow(primary, [], [USE_INT], [])
    assert list(closure.primary.connections.upstream["g"].ids) == ["p"]
    assert list(closure.primary.connections.upstream["u"].ids) == ["g"]
    primary.nodes[2].task_node.reference_id.name = "use_list"
    assert [e.code for e in compile_errors(primary, [USE_INT, USE_LIST]).errors] == ["MismatchingTypes"]


def test_a_signal_produces_its_output_variable() -> None:
    signal = workflow_pb2.SignalCondition(signal_id="s", type=INT, output_variable_name="o0")
    primary = workflow("wf", [gate("g", signal=signal), task_node("u", "use_int", {"x": promise("g", "o0")})])
    compile_workflow(primary, [], [USE_INT], [])
    signal.type.CopyFrom(BOOL)
    primary = workflow("wf", [gate("g", signal=signal), task_node("u", "use_int", {"x": promise("g", "o0")})])
    assert [e.code for e in compile_errors(primary, [USE_INT]).errors] == ["MismatchingTypes"]


def test_gates_need_a_condition_and_signals_a_type_and_output() -> None:
    errors = compile_errors(workflow("wf", [gate("g")]))
    assert [(e.code, e.description) for e in errors.errors] == [
        ("NoConditionFound", "Can't find any condition in gate node [g].")
    ]
    untyped = gate("g", signal=workflow_pb2.SignalCondition(signal_id="s", output_variable_name="o0"))
    assert [e.description for e in compile_errors(workflow("wf", [untyped])).errors] == [
        "Value required [GateNode.Signal.Type]."
    ]
    unnamed = gate("g", signal=workflow_pb2.SignalCondition(signal_id="s", type=INT))
    assert [e.description for e in compile_errors(workflow("wf", [unnamed])).errors] == [
        "Value required [GateNode.Signal.OutputVariableName]."
    ]


def test_a_sleep_has_no_inputs_or_outputs() -> None:
    sleep = gate("g", sleep=workflow_pb2.SleepCondition(duration=timedelta(seconds=5)))
    primary = workflow("wf", [sleep, task_node("u", "use_int", {"x": value(1)}, upstream=["g"])])
    closure = compile_workflow(primary, [], [USE_INT], [])
    assert list(closure.primary.connections.downstream["g"].ids) == ["u"]


def array(sub_node: workflow_pb2.Node, original: bool | None = None, bound: tuple[str, ...] = ()) -> workflow_pb2.Node:
    node = workflow_pb2.Node(id="arr", array_node=workflow_pb2.ArrayNode(node=sub_node, bound_inputs=bound))
    if original is not None:
        node.array_node.is_original_sub_node_interface.CopyFrom(wrappers_pb2.BoolValue(value=original))
    return node


def test_an_array_node_exposes_the_interface_of_its_sub_node() -> None:
    mapped = task("mapped", {"x": list_of(INT), "k": STR}, {"o0": list_of(INT)})
    node = array(task_node("sub", "mapped"), bound=("k",))
    node.inputs.add(var="x", binding=promise("", "xs"))
    node.inputs.add(var="k", binding=value("const"))
    primary = workflow("wf", [node], {"xs": list_of(INT)}, {"ys": list_of(INT)}, {"ys": promise("arr", "o0")})
    compile_workflow(primary, [], [mapped], [])


def test_an_array_over_an_unaltered_sub_node_takes_and_gives_lists() -> None:
    inputs = {"a": promise("", "xs"), "b": value("shared")}
    node = array(launch_plan_node("sub", "lp", inputs), original=True, bound=("b",))
    node.inputs.extend(node.array_node.node.inputs)  # flytekit binds both the array node and its sub-node
    primary = workflow("wf", [node], {"xs": list_of(INT)}, {"ys": list_of(INT)}, {"ys": promise("arr", "out")})
    compile_workflow(primary, [], [], [LP])
    node.inputs[0].binding.promise.var = "xs"
    primary.interface.inputs.variables["xs"].type.CopyFrom(INT)
    assert [e.code for e in compile_errors(primary, [], [], [LP]).errors] == ["MismatchingTypes"]


def test_task_nodes_need_a_reference_and_nodes_a_target() -> None:
    no_ref = workflow_pb2.Node(id="t", task_node=workflow_pb2.TaskNode())
    no_target = workflow_pb2.Node(id="x")
    errors = compile_errors(workflow("wf", [no_ref, no_target]))
    assert [(e.node_id, e.description) for e in errors.errors] == [
        ("t", "Value required [TaskNode.ReferenceId]."),
        ("x", "Value required [Target]."),
    ]


def test_a_launch_plan_id_with_the_wrong_resource_type_is_not_found() -> None:
    node = launch_plan_node("l", "lp", {"a": value(1)})
    node.workflow_node.launchplan_ref.CopyFrom(launch_plan_id("other"))
    errors = compile_errors(workflow("wf", [node]), [], [], [LP])
    assert [(e.code, e.node_id) for e in errors.errors] == [("WorkflowReferenceNotFound", "start-node")]


def test_node_ids_that_could_escape_a_blob_path_or_bloat_keys_are_refused() -> None:
    """Node ids become blob keys (`.../<node>/data/0/outputs.pb`) and unique ids; `..`, slashes, NUL or a 100k-char
    id must never register (the engine could never evaluate such a workflow)."""
    for hostile in ("..", ".", "../x", "/x", "a/b", "a\x00b", "x" * 100_000, "-n0", "n 0"):
        node = task_node(hostile, "use_int", {"x": promise("", "x")})
        errors = compile_errors(workflow("wf", [node], {"x": INT}), [USE_INT])
        assert [e.code for e in errors.errors] == ["InvalidValue"], hostile
        assert len(errors.errors[0].node_id) < 50
    ok = workflow("wf", [task_node("Node_1-a", "use_int", {"x": promise("", "x")})], {"x": INT})
    compile_workflow(ok, [], [USE_INT], [])
