"""compile_workflow builds the executable graph (§3.1, §3.2): sentinel nodes, edges, references, reachability."""

from __future__ import annotations

from flyteidl.core import compiler_pb2, workflow_pb2
from tests.unit.compiler.builders import (
    INT,
    STR,
    codes,
    compile_errors,
    launch_plan_node,
    promise,
    sub_workflow_node,
    task,
    task_node,
    value,
    workflow,
)
from tests.work import grows_linearly

from flyteplane.compiler import compile_workflow

T_INT = task("t_int", {"x": INT}, {"o0": INT})
T_STR = task("t_str", {"x": STR}, {"o0": STR})
T_NONE = task("t_none")


def chain() -> workflow_pb2.WorkflowTemplate:
    return workflow(
        "wf",
        [
            task_node("a", "t_int", {"x": promise("", "x")}),
            task_node("b", "t_int", {"x": promise("a", "o0")}),
            task_node("c", "t_none"),
        ],
        inputs={"x": INT},
        outputs={"out": INT},
        output_bindings={"out": promise("b", "o0")},
    )


def ids(id_list: compiler_pb2.ConnectionSet.IdList) -> list[str]:
    return list(id_list.ids)


def test_nodes_are_start_node_end_node_then_user_nodes_in_order() -> None:
    compiled = compile_workflow(chain(), [], [T_INT, T_NONE], []).primary.template
    assert [n.id for n in compiled.nodes] == ["start-node", "end-node", "a", "b", "c"]
    start, end = compiled.nodes[0], compiled.nodes[1]
    assert start == workflow_pb2.Node(id="start-node")
    assert [b.var for b in end.inputs] == ["out"]
    assert end.inputs[0].binding.promise.node_id == "b"


def test_promises_on_workflow_inputs_name_start_node() -> None:
    compiled = compile_workflow(chain(), [], [T_INT, T_NONE], []).primary.template
    assert compiled.nodes[2].inputs[0].binding.promise.node_id == "start-node"
    primary = chain()
    primary.outputs[0].binding.promise.node_id = ""
    primary.outputs[0].binding.promise.var = "x"
    compiled = compile_workflow(primary, [], [T_INT, T_NONE], []).primary.template
    assert compiled.outputs[0].binding.promise.node_id == "start-node"
    assert compiled.nodes[1].inputs[0].binding.promise.node_id == "start-node"


def test_connections_follow_data_and_orphans_hang_off_start_and_end() -> None:
    connections = compile_workflow(chain(), [], [T_INT, T_NONE], []).primary.connections
    assert {k: ids(v) for k, v in connections.downstream.items()} == {
        "start-node": ["a", "c"],
        "a": ["b"],
        "b": ["end-node"],
        "c": ["end-node"],
    }
    assert {k: ids(v) for k, v in connections.upstream.items()} == {
        "a": ["start-node"],
        "b": ["a"],
        "c": ["start-node"],
        "end-node": ["b", "c"],
    }


def test_explicit_upstream_ids_become_edges_and_are_sorted() -> None:
    primary = workflow(
        "wf",
        [task_node("z", "t_none"), task_node("y", "t_none"), task_node("a", "t_none", upstream=["z", "y"])],
    )
    closure = compile_workflow(primary, [], [T_NONE], [])
    assert list(closure.primary.template.nodes[4].upstream_node_ids) == ["y", "z"]
    assert list(closure.primary.template.nodes[2].upstream_node_ids) == []
    assert ids(closure.primary.connections.upstream["a"]) == ["y", "z"]
    assert ids(closure.primary.connections.downstream["start-node"]) == ["y", "z"]


def test_an_unknown_explicit_upstream_id_is_reported() -> None:
    errors = compile_errors(workflow("wf", [task_node("a", "t_none", upstream=["ghost"])]), [T_NONE])
    assert [(e.code, e.node_id, e.description) for e in errors.errors] == [
        ("NodeReferenceNotFound", "a", "Referenced node [ghost] not found.")
    ]


def test_the_workflow_interface_gets_empty_maps_where_absent() -> None:
    primary = workflow("wf", [task_node("c", "t_none")])
    primary.ClearField("interface")
    compiled = compile_workflow(primary, [], [T_NONE], []).primary.template
    assert compiled.interface.HasField("inputs") and compiled.interface.HasField("outputs")


def test_the_closure_carries_every_given_task_once_in_order() -> None:
    duplicate = task("t_int", {"y": INT})
    closure = compile_workflow(chain(), [], [T_NONE, T_INT, duplicate, T_STR], [])
    assert [t.template.id.name for t in closure.tasks] == ["t_none", "t_int", "t_str"]
    assert closure.tasks[1].template.interface == T_INT.interface


def test_inputs_are_left_unmodified() -> None:
    primary, sub, tasks = chain(), workflow("sub", [task_node("s", "t_none")]), [T_INT, T_NONE]
    primary.nodes.append(sub_workflow_node("s", "sub"))
    snapshot = [m.SerializeToString() for m in (primary, sub, *tasks)]
    compile_workflow(primary, [sub], tasks, [])
    assert [m.SerializeToString() for m in (primary, sub, *tasks)] == snapshot


def test_duplicate_node_ids_keep_the_first_node() -> None:
    primary = workflow("wf", [task_node("a", "t_none"), task_node("a", "t_int", {"x": value(1)})])
    compiled = compile_workflow(primary, [], [T_NONE, T_INT], []).primary.template
    assert [n.id for n in compiled.nodes] == ["start-node", "end-node", "a"]
    assert compiled.nodes[2].task_node.reference_id.name == "t_none"


def test_a_workflow_without_nodes_does_not_compile() -> None:
    errors = compile_errors(workflow("wf", []))
    assert [e.code for e in errors.errors] == ["NoNodesFound"]
    assert 'name:"wf"' in errors.errors[0].description


def test_referenced_tasks_must_be_given() -> None:
    errors = compile_errors(chain(), [T_INT])
    [error] = errors.errors
    assert (error.code, error.node_id) == ("TaskReferenceNotFound", "start-node")
    assert error.description == (
        'Referenced Task [resource_type:TASK project:"p" domain:"d" name:"t_none" version:"v1"] not found.'
    )


def test_task_references_match_the_whole_identifier_including_resource_type() -> None:
    primary = workflow("wf", [task_node("c", "t_none")])
    primary.nodes[0].task_node.reference_id.ClearField("resource_type")
    assert codes(compile_errors(primary, [T_NONE])) == ["TaskReferenceNotFound"]


def test_referenced_launch_plans_must_be_given() -> None:
    errors = compile_errors(workflow("wf", [launch_plan_node("l", "lp")]))
    assert [(e.code, e.node_id) for e in errors.errors] == [("WorkflowReferenceNotFound", "start-node")]


def test_a_task_without_id_is_rejected() -> None:
    nameless = task("x")
    nameless.ClearField("id")
    errors = compile_errors(chain(), [nameless])
    assert [(e.code, e.node_id, e.description) for e in errors.errors] == [
        ("ValueRequired", "task", "Value required [Template.Id].")
    ]


def test_a_cycle_is_reported_with_its_path_from_start() -> None:
    primary = workflow(
        "wf",
        [
            task_node("a", "t_int", {"x": promise("b", "o0")}, upstream=["start-node"]),
            task_node("b", "t_int", {"x": promise("a", "o0")}),
        ],
    )
    errors = compile_errors(primary, [T_INT])
    assert [str(e) for e in errors.errors] == [
        "Code: CycleDetected, Node Id: start-node, Description: "
        "A cycle has been detected while traversing the Workflow [start-node>a>b>a]."
    ]


def test_nodes_only_reachable_through_a_detached_cycle_are_unreachable() -> None:
    primary = workflow(
        "wf",
        [
            task_node("ok", "t_none"),
            task_node("a", "t_int", {"x": promise("b", "o0")}),
            task_node("b", "t_int", {"x": promise("a", "o0")}),
        ],
    )
    errors = compile_errors(primary, [T_INT, T_NONE])
    assert [str(e) for e in errors.errors] == [
        "Code: UnreachableNodes, Node Id: start-node, Description: The Workflow contain unreachable nodes [a,b]."
    ]


def test_every_workflow_output_must_be_bound() -> None:
    primary = chain()
    del primary.outputs[:]
    errors = compile_errors(primary, [T_INT, T_NONE])
    assert [(e.code, e.node_id, e.description) for e in errors.errors] == [
        ("ParameterNotBound", "end-node", "Parameter not bound [out].")
    ]


def test_workflow_interface_variables_need_a_type() -> None:
    primary = chain()
    primary.interface.inputs.variables["x"].ClearField("type")
    errors = compile_errors(primary, [T_INT, T_NONE])
    assert [(e.code, e.node_id, e.description) for e in errors.errors] == [
        ("ValueRequired", "start-node", "Value required [param.Type].")
    ]


def test_a_node_without_id_is_reported() -> None:
    errors = compile_errors(workflow("wf", [task_node("", "t_none")]), [T_NONE])
    assert ("ValueRequired", "<node>", "Value required [Id].") in [
        (e.code, e.node_id, e.description) for e in errors.errors
    ]


def test_all_problems_are_reported_together() -> None:
    primary = workflow(
        "wf",
        [
            task_node("a", "t_int", {"x": value("text")}),
            task_node("b", "t_int"),
            task_node("c", "t_int", {"x": value(1), "y": value(2)}),
        ],
    )
    errors = compile_errors(primary, [T_INT])
    assert [(e.code, e.node_id) for e in errors.errors] == [
        ("MismatchingTypes", "a"),
        ("ParameterNotBound", "b"),
        ("VariableNameNotFound", "c"),
    ]


def test_the_failure_node_is_validated_but_stays_outside_the_graph() -> None:
    primary = chain()
    primary.failure_node.CopyFrom(task_node("fn", "t_int", {"x": promise("", "x")}, upstream=["a"]))
    closure = compile_workflow(primary, [], [T_INT, T_NONE], [])
    template = closure.primary.template
    assert "fn" not in [n.id for n in template.nodes]
    assert template.failure_node.inputs[0].binding.promise.node_id == "start-node"
    assert ids(closure.primary.connections.upstream["fn"]) == ["start-node"]
    assert all("fn" not in ids(v) for v in closure.primary.connections.downstream.values())

    primary.failure_node.inputs[0].binding.CopyFrom(value("wrong"))
    assert [(e.code, e.node_id) for e in compile_errors(primary, [T_INT, T_NONE]).errors] == [
        ("MismatchingTypes", "fn")
    ]


def test_referenced_sub_workflows_are_compiled_once_and_others_carried_through() -> None:
    sub = workflow(
        "sub",
        [task_node("s0", "t_int", {"x": promise("", "x")})],
        inputs={"x": INT},
        outputs={"o0": INT},
        output_bindings={"o0": promise("s0", "o0")},
    )
    unused = workflow("unused", [task_node("u", "t_none")])
    primary = workflow(
        "wf",
        [
            sub_workflow_node("n0", "sub", {"x": promise("", "x")}),
            sub_workflow_node("n1", "sub", {"x": promise("n0", "o0")}),
        ],
        inputs={"x": INT},
        outputs={"y": INT},
        output_bindings={"y": promise("n1", "o0")},
    )
    closure = compile_workflow(primary, [unused, sub], [T_INT, T_NONE], [])
    compiled_unused, compiled_sub = closure.sub_workflows
    assert compiled_unused.template == unused and not compiled_unused.HasField("connections")
    assert [n.id for n in compiled_sub.template.nodes] == ["start-node", "end-node", "s0"]
    assert ids(compiled_sub.connections.downstream["s0"]) == ["end-node"]
    assert ids(closure.primary.connections.upstream["n1"]) == ["n0"]


def test_errors_inside_a_sub_workflow_fail_the_compilation() -> None:
    sub = workflow("sub", [task_node("s0", "t_int")], inputs={"x": INT})
    errors = compile_errors(workflow("wf", [sub_workflow_node("n0", "sub", {"x": value(1)})]), [T_INT], [sub])
    assert [(e.code, e.node_id) for e in errors.errors] == [("ParameterNotBound", "s0")]


def test_a_sub_workflow_cannot_include_itself() -> None:
    sub = workflow("sub", [sub_workflow_node("again", "sub")])
    errors = compile_errors(workflow("wf", [sub_workflow_node("n0", "sub")]), [], [sub])
    assert [(e.code, e.node_id) for e in errors.errors] == [("CycleDetected", "again")]


def test_large_workflows_compile_in_linear_time() -> None:
    def compile_chain(size: int) -> None:
        nodes = [task_node("n0", "t_int", {"x": promise("", "x")})]
        nodes += [task_node(f"n{i}", "t_int", {"x": promise(f"n{i - 1}", "o0")}) for i in range(1, size)]
        primary = workflow("wf", nodes, {"x": INT}, {"o": INT}, {"o": promise(f"n{size - 1}", "o0")})
        closure = compile_workflow(primary, [], [T_INT], [])
        assert len(closure.primary.template.nodes) == size + 2

    compile_chain(3000)
    assert grows_linearly(compile_chain, 500)
