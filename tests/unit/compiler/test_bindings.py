"""Binding validation (§3.4): each input gets exactly one value of a castable type; promises become edges."""

from __future__ import annotations

from flyteidl.core import literals_pb2, tasks_pb2, types_pb2, workflow_pb2
from tests.unit.compiler.builders import (
    FLOAT,
    INT,
    STR,
    collection,
    compile_errors,
    dataclass,
    dict_of,
    enum_of,
    list_of,
    mapping,
    none_value,
    optional,
    promise,
    task,
    task_node,
    union,
    value,
    workflow,
)

from flyteplane.compiler import compile_workflow

PRODUCE_INT = task("produce_int", {}, {"o0": INT})
PRODUCE_LIST = task("produce_list", {}, {"o0": list_of(INT)})
PRODUCE_DC = task("produce_dc", {}, {"o0": dataclass(a=INT, b=list_of(STR))})
PRODUCE_MAP = task("produce_map", {}, {"o0": dict_of(FLOAT)})


def consumer(x_type: types_pb2.LiteralType) -> tasks_pb2.TaskTemplate:
    return task("consume", {"x": x_type}, {})


def consume(binding: literals_pb2.BindingData, *producers: workflow_pb2.Node) -> workflow_pb2.WorkflowTemplate:
    return workflow("wf", [*producers, task_node("c", "consume", {"x": binding}, name="my.consume")])


def accepted(binding: literals_pb2.BindingData, x_type: types_pb2.LiteralType, *producers: workflow_pb2.Node) -> bool:
    tasks = [consumer(x_type), PRODUCE_INT, PRODUCE_LIST, PRODUCE_DC, PRODUCE_MAP]
    compile_workflow(consume(binding, *producers), [], tasks, [])
    return True


def errors_of(
    binding: literals_pb2.BindingData, x_type: types_pb2.LiteralType, *producers: workflow_pb2.Node
) -> list[tuple[str, str, str]]:
    tasks = [consumer(x_type), PRODUCE_INT, PRODUCE_LIST, PRODUCE_DC, PRODUCE_MAP]
    raised = compile_errors(consume(binding, *producers), tasks)
    return [(e.code, e.node_id, e.description) for e in raised.errors]


P_INT = task_node("p", "produce_int", name="my.produce")
P_LIST = task_node("p", "produce_list")
P_DC = task_node("p", "produce_dc")
P_MAP = task_node("p", "produce_map")


def test_a_promise_of_a_castable_type_is_accepted_and_becomes_an_edge() -> None:
    closure = compile_workflow(consume(promise("p", "o0"), P_INT), [], [consumer(INT), PRODUCE_INT], [])
    assert list(closure.primary.connections.upstream["c"].ids) == ["p"]


def test_a_promise_of_another_type_names_both_variables() -> None:
    assert errors_of(promise("p", "o0"), STR, P_INT) == [
        (
            "MismatchingTypes",
            "c",
            "The output variable 'my.produce.o0' has type [simple:INTEGER], but it's assigned to the input "
            "variable 'my.consume.x' which has type type [simple:STRING].",
        )
    ]


def test_a_value_of_another_type_names_the_input() -> None:
    assert errors_of(value("text"), INT) == [
        ("MismatchingTypes", "c", "Variable [x] (type [simple:STRING]) doesn't match expected type [simple:INTEGER].")
    ]


def test_an_unbound_input_is_reported_unless_it_is_optional() -> None:
    primary = workflow("wf", [task_node("c", "consume")])
    raised = compile_errors(primary, [consumer(INT)])
    assert [(e.code, e.node_id, e.description) for e in raised.errors] == [
        ("ParameterNotBound", "c", "Parameter not bound [x].")
    ]
    compile_workflow(primary, [], [consumer(optional(INT))], [])


def test_binding_an_unknown_input_or_one_input_twice_is_reported() -> None:
    node = task_node("c", "consume", {"x": value(1), "y": value(2)})
    node.inputs.append(literals_pb2.Binding(var="x", binding=value(3)))
    node.inputs.append(literals_pb2.Binding(var="x"))
    raised = compile_errors(workflow("wf", [node]), [consumer(INT)])
    assert [(e.code, e.description) for e in raised.errors] == [
        ("ParameterBoundMoreThanOnce", "Input [x] is bound more than once."),
        ("ValueRequired", "Value required [Binding]."),
        ("VariableNameNotFound", "Variable [y] not found on node [c]."),
    ]


def test_a_promise_on_an_unknown_node_or_output_is_reported() -> None:
    assert errors_of(promise("ghost", "o0"), INT) == [
        ("NodeReferenceNotFound", "c", "Referenced node [ghost] not found."),
        ("ParameterNotBound", "c", "Parameter not bound [x]."),
    ]
    assert errors_of(promise("p", "o7"), INT, P_INT) == [
        ("ParameterNotBound", "c", "Parameter not bound [x]."),
        ("VariableNameNotFound", "p", "Variable [o7] not found on node [p]."),
    ]


def test_a_malformed_output_reference_is_a_syntax_error() -> None:
    assert errors_of(promise("p", "o0.a"), INT, P_INT) == [("SyntaxError", "c", "Failed to parse element [o0.a].")]


def test_an_indexed_promise_takes_one_element_of_a_list() -> None:
    assert accepted(promise("p", "[0].o0"), INT, P_LIST)
    assert errors_of(promise("p", "[0].o0"), INT, P_INT)[0][0] == "MismatchingTypes"


def test_an_attribute_path_descends_into_dataclasses_lists_and_maps() -> None:
    assert accepted(promise("p", "o0", "a"), INT, P_DC)
    assert accepted(promise("p", "o0", "b", 0), STR, P_DC)
    assert accepted(promise("p", "o0", "key"), FLOAT, P_MAP)
    assert errors_of(promise("p", "o0", "b"), INT, P_DC)[0][0] == "MismatchingTypes"
    assert errors_of(promise("p", "o0", "missing"), INT, P_DC) == [
        (
            "FieldNotFound",
            "c",
            "Variable [o0] (type [simple: STRUCT structure{dataclass_type:{key:a value:{simple:INTEGER}}, "
            "dataclass_type:{key:b value:{collection_type:{simple:STRING}}}}]) doesn't have field [missing].",
        )
    ]


def test_a_list_binding_checks_every_element_and_depends_on_every_producer() -> None:
    producers = [task_node("p1", "produce_int"), task_node("p2", "produce_int")]
    binding = collection(promise("p1", "o0"), value(3), promise("p2", "o0"))
    closure = compile_workflow(consume(binding, *producers), [], [consumer(list_of(INT)), PRODUCE_INT], [])
    assert list(closure.primary.connections.upstream["c"].ids) == ["p1", "p2"]
    assert errors_of(collection(value("a")), list_of(INT))[0][0] == "MismatchingTypes"
    assert errors_of(collection(value(1)), INT)[0][0] == "MismatchingBindings"


def test_a_map_binding_checks_every_value() -> None:
    assert accepted(mapping(a=value(1.0), b=value(2.0)), dict_of(FLOAT))
    assert errors_of(mapping(a=value(1)), dict_of(FLOAT))[0][0] == "MismatchingTypes"
    assert errors_of(mapping(a=value(1)), list_of(INT))[0][0] == "MismatchingBindings"


def test_an_enum_input_takes_one_of_its_values() -> None:
    assert accepted(value("red"), enum_of("red", "green"))
    assert errors_of(value("purple"), enum_of("red", "green")) == [
        (
            "IllegalEnumValue",
            "c",
            "Input [x] on node [c] is an Enum and expects value to be one of [red, green].  Received [purple]",
        )
    ]


def test_union_inputs_take_values_of_exactly_one_variant() -> None:
    assert accepted(value("s"), union(INT, STR))
    assert accepted(none_value(), optional(INT))
    assert accepted(collection(value(1)), optional(list_of(INT)))
    assert [e[0] for e in errors_of(collection(), union(list_of(INT), list_of(STR)))] == ["AmbiguousBindingUnionValue"]
    assert [e[0] for e in errors_of(collection(value("a")), union(list_of(INT), INT))] == [
        "IncompatibleBindingUnionValue"
    ]


def test_output_aliases_rename_what_downstream_nodes_see() -> None:
    producer = task_node("p", "produce_int")
    producer.output_aliases.add(var="o0", alias="total")
    assert accepted(promise("p", "total"), INT, producer)
    assert errors_of(promise("p", "o0"), INT, producer)[-1] == (
        "VariableNameNotFound",
        "p",
        "Variable [o0] not found on node [p].",
    )


def test_aliases_must_be_unique_and_name_existing_outputs() -> None:
    producer = task_node("p", "produce_int")
    producer.output_aliases.add(var="o0", alias="a")
    producer.output_aliases.add(var="o0", alias="b")
    assert (
        "DuplicateAlias",
        "p",
        "Duplicate alias [b] found. An output alias can only be used once in the Workflow.",
    ) in (errors_of(value(1), INT, producer))
    dangling = task_node("p", "produce_int")
    dangling.output_aliases.add(var="o9", alias="z")
    assert errors_of(value(1), INT, dangling) == [("ParameterNotBound", "p", "Parameter not bound [z].")]


def test_an_offloaded_value_is_checked_by_its_recorded_type() -> None:
    offloaded = literals_pb2.BindingData(
        offloaded_metadata=literals_pb2.LiteralOffloadedMetadata(uri="s3://big", inferred_type=list_of(INT))
    )
    assert accepted(offloaded, list_of(INT))
    assert errors_of(offloaded, list_of(STR))[0][0] == "MismatchingTypes"
