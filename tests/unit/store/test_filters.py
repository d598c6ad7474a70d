"""Specification of list filters and sort keys: flyteadmin's grammar, its messages, and safe SQL."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flyteidl.admin import common_pb2
from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    create_engine,
    select,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.sql.elements import BinaryExpression, BindParameter, ColumnElement
from tests.work import finishes

from flyteplane.errors import InvalidArgument
from flyteplane.store.filters import (
    Filter,
    FilterableEntity,
    FilterScope,
    SortOrder,
    build_conditions,
    parse_filters,
    parse_sort,
)


class Base(DeclarativeBase):
    pass


class Workflow(Base):
    __tablename__ = "workflows"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))


class Task(Base):
    __tablename__ = "tasks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    duration: Mapped[int] = mapped_column(BigInteger, default=0)
    state: Mapped[int] = mapped_column(Integer, default=0)
    ratio: Mapped[float] = mapped_column(Float, default=0.0)
    cached: Mapped[bool] = mapped_column(Boolean, default=False)
    workflow_id: Mapped[int | None] = mapped_column(ForeignKey("workflows.id"), nullable=True)


TASK = FilterableEntity(
    code="t",
    columns={
        "id": Task.id,
        "name": Task.name,
        "created_at": Task.created_at,
        "duration": Task.duration,
        "state": Task.state,
        "ratio": Task.ratio,
        "cached": Task.cached,
    },
)
WORKFLOW = FilterableEntity(code="w", columns={"name": Workflow.__table__.c.name})
TASK_SCOPE = FilterScope(default="task", entities={"task": TASK})
JOINED_SCOPE = FilterScope(default="task", entities={"task": TASK, "workflow": WORKFLOW})

NAMES = ["alpha", "beta", "50%_off", "50xyoff", "back\\slash", "under_score", "underXscore", "Alpha"]


@pytest.fixture(scope="module")
def session() -> Iterator[Session]:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add(Workflow(id=1, name="wf"))
        for index, name in enumerate(NAMES, start=1):
            session.add(
                Task(
                    id=index,
                    name=name,
                    created_at=dt.datetime(2024, 1, index, 12, 0, 0, 500),
                    duration=index * 1_000_000_000,
                    state=index % 2,
                    ratio=index / 4,
                    cached=index % 3 == 0,
                    workflow_id=1 if index <= 2 else None,
                )
            )
        session.commit()
        yield session


def names_matching(session: Session, text: str, scope: FilterScope = TASK_SCOPE) -> list[str]:
    conditions, _ = build_conditions(parse_filters(text), scope)
    return list(session.scalars(select(Task.name).where(*conditions).order_by(Task.id)))


def bound_value(condition: ColumnElement[bool]) -> Any:
    assert isinstance(condition, BinaryExpression)
    assert isinstance(condition.right, BindParameter)
    return condition.right.value


def single_condition(text: str) -> ColumnElement[bool]:
    conditions, _ = build_conditions(parse_filters(text), TASK_SCOPE)
    assert len(conditions) == 1
    return conditions[0]


def invalid(message: str) -> Any:
    return pytest.raises(InvalidArgument, match=f"^{re.escape(message)}$")


# --- grammar


@pytest.mark.parametrize("function", ["eq", "ne", "gt", "gte", "lt", "lte", "contains", "not_like"])
def test_each_single_value_function_parses_to_one_value(function: str) -> None:
    assert parse_filters(f"{function}(name,foo)") == [Filter(None, "name", function, ("foo",))]


@pytest.mark.parametrize("function", ["value_in", "value_not_in"])
def test_list_functions_split_their_values_on_semicolons(function: str) -> None:
    assert parse_filters(f"{function}(name,a;b;c)") == [Filter(None, "name", function, ("a", "b", "c"))]


def test_semicolons_stay_part_of_a_single_value() -> None:
    assert parse_filters("eq(name,a;b)") == [Filter(None, "name", "eq", ("a;b",))]


def test_plus_joins_expressions() -> None:
    assert parse_filters("eq(name,foo)+gt(state,1)+value_in(id,1;2)") == [
        Filter(None, "name", "eq", ("foo",)),
        Filter(None, "state", "gt", ("1",)),
        Filter(None, "id", "value_in", ("1", "2")),
    ]


def test_an_entity_prefix_is_split_from_the_field() -> None:
    assert parse_filters("eq(workflow.name,wf)+eq(launch_plan.version,v1)") == [
        Filter("workflow", "name", "eq", ("wf",)),
        Filter("launch_plan", "version", "eq", ("v1",)),
    ]


def test_one_space_after_the_comma_is_ignored_but_not_two() -> None:
    assert parse_filters("eq(name, foo)")[0].values == ("foo",)
    assert parse_filters("eq(name,  foo)")[0].values == (" foo",)


def test_the_field_takes_everything_up_to_the_last_comma_like_flyteadmins_greedy_regex() -> None:
    assert parse_filters("eq(name,a,b)") == [Filter(None, "name,a", "eq", ("b",))]


def test_parentheses_inside_a_value_are_kept() -> None:
    assert parse_filters("eq(name,f(x))") == [Filter(None, "name", "eq", ("f(x)",))]


def test_text_after_the_closing_parenthesis_is_ignored_like_flyteadmins_unanchored_regex() -> None:
    assert parse_filters("eq(name,foo)bar") == [Filter(None, "name", "eq", ("foo",))]


FLYTEADMIN_EXPRESSION = re.compile(r"(.+)\((.+),[ \t\f\r]?(.+)\)")  # flyteadmin's, with Go's meaning of \s


def test_expressions_split_exactly_as_flyteadmins_regex_does() -> None:
    rng = random.Random(4)
    pieces = ["eq", "value_in", "(", ")", ",", ";", " ", "\t", "x", "."]

    def noise(most: int) -> str:
        return "".join(rng.choice(pieces) for _ in range(rng.randint(0, most)))

    for _ in range(20_000):
        shaped = f"{rng.choice(['eq', 'value_in', 'x'])}({noise(4)},{noise(4)}){noise(2)}"
        expression = shaped if rng.random() < 0.7 else noise(12) or "x"
        match = FLYTEADMIN_EXPRESSION.search(expression)
        try:
            (parsed,) = parse_filters(expression)
        except InvalidArgument as error:
            if match is None:
                assert error.message == "invalid value for filters", expression
            else:
                assert error.message == f"unrecognized filter function: {match.group(1)}", expression
            continue
        assert match is not None, expression
        function, field, value = match.groups()
        assert parsed.function == function
        written = parsed.field if parsed.entity is None else f"{parsed.entity}.{parsed.field}"
        assert written == field
        assert ";".join(parsed.values) == value


def test_hostile_expressions_are_parsed_in_linear_time() -> None:
    """Inputs on which flyteadmin's backtracking pattern takes quartic time: the scanner answers at once."""
    for hostile in ("a(" * 50_000 + "," * 50_000, "(" * 50_000 + "," * 50_000 + "x", "a(b," * 50_000):
        with invalid("invalid value for filters"):
            parse_filters(hostile)
        assert finishes(lambda hostile=hostile: _refused(hostile), within=20.0)


def _refused(expression: str) -> None:
    with pytest.raises(InvalidArgument):
        parse_filters(expression)


def test_newlines_are_refused() -> None:
    with invalid("invalid value for filters"):
        parse_filters("eq(name,\nfoo)")


def test_nul_characters_are_refused_because_postgresql_text_cannot_hold_them() -> None:
    with invalid("invalid value for filters"):
        parse_filters("eq(name,a\x00b)")


def test_an_empty_filter_string_means_no_filters() -> None:
    assert parse_filters("") == []


@pytest.mark.parametrize("text", ["name=foo", "eq(name)", "eq(name,)", "eq(,foo)", "(name,foo)", "eq(name,foo)+"])
def test_malformed_expressions_are_rejected(text: str) -> None:
    with invalid("invalid value for filters"):
        parse_filters(text)


@pytest.mark.parametrize("function", ["like", "EQ", " eq", "greater_than"])
def test_unknown_functions_are_rejected_by_name(function: str) -> None:
    with invalid(f"unrecognized filter function: {function}"):
        parse_filters(f"{function}(name,foo)")


# --- entities and fields


def test_unprefixed_and_self_prefixed_fields_belong_to_the_listed_entity(session: Session) -> None:
    assert names_matching(session, "eq(name,beta)") == ["beta"]
    conditions, joins = build_conditions(parse_filters("eq(task.name,beta)"), TASK_SCOPE)
    assert joins == set()
    assert list(session.scalars(select(Task.name).where(*conditions))) == ["beta"]


def test_a_joinable_entity_is_reported_so_the_caller_adds_its_join(session: Session) -> None:
    conditions, joins = build_conditions(parse_filters("eq(workflow.name,wf)+eq(state,1)"), JOINED_SCOPE)
    assert joins == {"workflow"}
    query = select(Task.name).join(Workflow, Task.workflow_id == Workflow.id).where(*conditions)
    assert list(session.scalars(query)) == ["alpha"]


def test_a_known_entity_outside_the_rpcs_scope_is_rejected_with_its_code() -> None:
    with invalid("'w' entity is not allowed in filters"):
        build_conditions(parse_filters("eq(workflow.name,wf)"), TASK_SCOPE)
    with invalid("'ne' entity is not allowed in filters"):
        build_conditions(parse_filters("eq(node_execution.phase,FAILED)"), TASK_SCOPE)


def test_an_unknown_entity_prefix_is_rejected() -> None:
    with invalid("invalid filter entity 'tsk'"):
        build_conditions(parse_filters("eq(tsk.name,x)"), TASK_SCOPE)


def test_a_field_that_is_not_a_column_is_rejected_with_entity_code() -> None:
    with invalid("'t.closure' is invalid filter"):
        build_conditions(parse_filters("eq(closure,x)"), TASK_SCOPE)
    with invalid("'w.version' is invalid filter"):
        build_conditions(parse_filters("eq(workflow.version,x)"), JOINED_SCOPE)


def test_a_scope_must_contain_its_default_entity() -> None:
    with pytest.raises(ValueError, match="default entity"):
        FilterScope(default="task", entities={"workflow": WORKFLOW})


# --- functions


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("eq(state,1)", ["alpha", "50%_off", "back\\slash", "underXscore"]),
        ("ne(state,1)", ["beta", "50xyoff", "under_score", "Alpha"]),
        ("gt(id,6)", ["underXscore", "Alpha"]),
        ("gte(id,6)", ["under_score", "underXscore", "Alpha"]),
        ("lt(id,2)", ["alpha"]),
        ("lte(id,2)", ["alpha", "beta"]),
        ("value_in(id,1;3;5)", ["alpha", "50%_off", "back\\slash"]),
        ("value_not_in(id,1;2;3;4;5;6)", ["underXscore", "Alpha"]),
        ("eq(name,alpha)+lt(id,5)", ["alpha"]),
        ("not_like(name,%s%)", ["alpha", "beta", "50%_off", "50xyoff", "Alpha"]),
        ("not_like(name,50_off)", NAMES),
    ],
)
def test_each_function_selects_the_rows_it_names(session: Session, text: str, expected: list[str]) -> None:
    assert names_matching(session, text) == expected


def test_contains_is_a_substring_match(session: Session) -> None:
    assert names_matching(session, "contains(name,off)") == ["50%_off", "50xyoff"]


@pytest.mark.parametrize(
    ("needle", "expected"),
    [("%", ["50%_off"]), ("_", ["50%_off", "under_score"]), ("%_", ["50%_off"]), ("\\", ["back\\slash"])],
)
def test_contains_treats_like_wildcards_in_the_value_literally(
    session: Session, needle: str, expected: list[str]
) -> None:
    assert names_matching(session, f"contains(name,{needle})") == expected


def test_not_like_uses_the_value_as_a_raw_pattern(session: Session) -> None:
    assert "50xyoff" not in names_matching(session, "not_like(name,50__off)")


def test_contains_on_a_non_text_column_is_rejected() -> None:
    with invalid("filter function contains needs a text field, 't.state' is not text"):
        build_conditions(parse_filters("contains(state,1)"), TASK_SCOPE)


@pytest.mark.parametrize(
    "value",
    ["x' OR '1'='1", "x'); DROP TABLE tasks; --", 'x" OR 1=1 --', "x%' OR name LIKE '%"],
)
def test_values_that_look_like_sql_stay_inert_bound_parameters(session: Session, value: str) -> None:
    for text in (f"eq(name,{value})", f"contains(name,{value})", f"value_in(name,{value};beta)"):
        condition = build_conditions(parse_filters(text), TASK_SCOPE)[0][0]
        compiled = condition.compile()
        assert value not in str(compiled)
        assert names_matching(session, text) in ([], ["beta"])
    assert session.scalar(select(Task.id).where(Task.id == 1)) == 1


# --- value conversion


def test_integer_values_become_ints() -> None:
    assert bound_value(single_condition("eq(state,7)")) == 7
    assert bound_value(single_condition("eq(id,-3)")) == -3


def test_a_plus_sign_always_separates_expressions_so_it_cannot_appear_in_a_value() -> None:
    with invalid("invalid value for filters"):
        parse_filters("eq(state,+7)")
    with invalid("invalid value for filters"):
        parse_filters("gt(created_at,2024-01-02T03:04:05+02:00)")


@pytest.mark.parametrize("value", ["abc", "1.5", "1_000", "", " 1", "99999999999"])
def test_bad_integer_values_are_rejected_naming_field_and_value(value: str) -> None:
    with invalid(f"invalid value '{value}' for filter field 't.state': expected an integer"):
        build_conditions([Filter(None, "state", "eq", (value,))], TASK_SCOPE)


def test_value_in_converts_every_value() -> None:
    condition = single_condition("value_in(id,1;2)")
    assert condition.compile().params == {"id_1": [1, 2]}
    with invalid("invalid value 'x' for filter field 't.id': expected an integer"):
        single_condition("value_in(id,1;x)")


def test_float_and_boolean_values_are_converted(session: Session) -> None:
    assert bound_value(single_condition("gt(ratio,1.25)")) == 1.25
    assert names_matching(session, "eq(cached,true)") == ["50%_off", "under_score"]
    assert names_matching(session, "eq(cached,F)") == [
        "alpha",
        "beta",
        "50xyoff",
        "back\\slash",
        "underXscore",
        "Alpha",
    ]
    assert names_matching(session, "eq(cached,1)+gte(ratio,1.5)") == ["under_score"]
    with invalid("invalid value 'nan' for filter field 't.ratio': expected a number"):
        single_condition("gt(ratio,nan)")
    with invalid("invalid value 'yes' for filter field 't.cached': expected a boolean"):
        single_condition("eq(cached,yes)")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-01-02T03:04:05Z", dt.datetime(2024, 1, 2, 3, 4, 5)),
        ("2024-01-02T03:04:05.123456789Z", dt.datetime(2024, 1, 2, 3, 4, 5, 123456)),
        ("2024-01-02T03:04:05.5-02:00", dt.datetime(2024, 1, 2, 5, 4, 5, 500000)),
        ("2024-01-02T03:04:05-0130", dt.datetime(2024, 1, 2, 4, 34, 5)),
        ("2024-01-02T03:04:05", dt.datetime(2024, 1, 2, 3, 4, 5)),
        ("2024-01-02 03:04:05.000001", dt.datetime(2024, 1, 2, 3, 4, 5, 1)),
        ("2024-01-02t03:04:05z", dt.datetime(2024, 1, 2, 3, 4, 5)),
        ("2024-01-02T03:04Z", dt.datetime(2024, 1, 2, 3, 4)),
        ("2024-01-02", dt.datetime(2024, 1, 2)),
    ],
)
def test_timestamps_accept_rfc3339_and_iso8601_and_become_naive_utc(value: str, expected: dt.datetime) -> None:
    assert bound_value(single_condition(f"gt(created_at,{value})")) == expected


def test_positive_offsets_are_understood_when_a_filter_is_built_directly() -> None:
    filters = [Filter(None, "created_at", "gt", ("2024-01-02T03:04:05.5+02:00",))]
    conditions, _ = build_conditions(filters, TASK_SCOPE)
    assert bound_value(conditions[0]) == dt.datetime(2024, 1, 2, 1, 4, 5, 500000)


@pytest.mark.parametrize(
    "value",
    ["yesterday", "2024-13-01T00:00:00Z", "2024-01-02T25:00:00Z", "1704067200", "2024-01-02T03:04:05-2"],
)
def test_bad_timestamps_are_rejected(value: str) -> None:
    with invalid(f"Timestamp {value} must conform to RFC3339 Nano spec"):
        single_condition(f"gt(created_at,{value})")


def test_timestamp_filters_compare_in_the_database(session: Session) -> None:
    assert names_matching(session, "gt(created_at,2024-01-07T12:00:00Z)") == ["underXscore", "Alpha"]
    assert names_matching(session, "lt(created_at,2024-01-01T12:00:00.0006Z)") == ["alpha"]


@pytest.mark.parametrize(
    ("value", "nanoseconds"),
    [
        ("1h30m", 5_400 * 10**9),
        ("1.5s", 1_500_000_000),
        ("300ms", 300_000_000),
        ("2us", 2_000),
        ("2µs", 2_000),
        ("7ns", 7),
        ("-1m", -60 * 10**9),
        (".5s", 500_000_000),
        ("1h0m0.25s", 3_600_250_000_000),
        ("90", 90 * 10**9),
        ("1.5", 1_500_000_000),
        ("0", 0),
    ],
)
def test_durations_accept_go_durations_and_bare_seconds(value: str, nanoseconds: int) -> None:
    assert bound_value(single_condition(f"gt(duration,{value})")) == nanoseconds


@pytest.mark.parametrize("value", ["1d", "1h 30m", "abc", "h", ".s", "1.5.5s", "3000000h", "1e400"])
def test_bad_durations_are_rejected_with_flyteadmins_message(value: str) -> None:
    with invalid(f"Failed to parse duration [{value}]"):
        single_condition(f"gt(duration,{value})")


def test_duration_filters_compare_nanoseconds_in_the_database(session: Session) -> None:
    assert names_matching(session, "gte(duration,7s)") == ["underXscore", "Alpha"]
    assert names_matching(session, "lt(duration,1500ms)") == ["alpha"]


# --- sorting


def test_no_sort_or_an_empty_key_means_no_order() -> None:
    assert parse_sort(None, TASK) is None
    assert parse_sort(common_pb2.Sort(), TASK) is None


def test_a_sort_key_defaults_to_descending() -> None:
    order = parse_sort(common_pb2.Sort(key="created_at"), TASK)
    assert isinstance(order, SortOrder)
    assert (order.key, order.ascending) == ("created_at", False)
    assert order.column.compare(Task.__table__.c.created_at)


def test_ascending_is_honoured() -> None:
    order = parse_sort(common_pb2.Sort(key="name", direction=common_pb2.Sort.ASCENDING), TASK)
    assert order is not None and order.ascending


def test_an_unknown_sort_key_is_rejected() -> None:
    with invalid("invalid sort key 'closure'"):
        parse_sort(common_pb2.Sort(key="closure"), TASK)


def test_an_unknown_sort_direction_is_rejected() -> None:
    with invalid("invalid sort order specified: 5"):
        parse_sort(common_pb2.Sort(key="name", direction=5), TASK)
