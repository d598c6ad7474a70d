"""Filter and Sort render flyteadmin's grammar, refuse values that would change a filter's meaning, and the
list methods accept them, strings, or flytekit's models."""

from __future__ import annotations

import datetime
import enum

import pytest
from flyteidl.admin import common_pb2

from flyteplane.client import Filter, Sort
from flyteplane.client.filters import render_filters, to_sort


class Phase(enum.Enum):
    SUCCEEDED = 4


def test_comparisons_render_as_flyteadmin_parses_them() -> None:
    assert str(Filter.eq("name", "my_task")) == "eq(name,my_task)"
    assert str(Filter.ne("version", "v1")) == "ne(version,v1)"
    assert str(Filter.gt("duration", 10)) == "gt(duration,10)"
    assert str(Filter.gte("duration", 1.5)) == "gte(duration,1.5)"
    assert str(Filter.lt("created_at", datetime.date(2024, 1, 2))) == "lt(created_at,2024-01-02)"
    assert str(Filter.lte("state", 0)) == "lte(state,0)"
    assert str(Filter.contains("name", "add")) == "contains(name,add)"


def test_set_filters_join_their_values_with_semicolons() -> None:
    assert str(Filter.value_in("phase", ["SUCCEEDED", "FAILED"])) == "value_in(phase,SUCCEEDED;FAILED)"
    assert str(Filter.value_not_in("phase", [Phase.SUCCEEDED])) == "value_not_in(phase,SUCCEEDED)"


def test_values_render_booleans_enums_and_times_as_the_server_reads_them() -> None:
    assert str(Filter.eq("archived", True)) == "eq(archived,true)"
    assert str(Filter.eq("phase", Phase.SUCCEEDED)) == "eq(phase,SUCCEEDED)"
    naive = datetime.datetime(2024, 1, 2, 3, 4, 5)
    assert str(Filter.gt("created_at", naive)) == "gt(created_at,2024-01-02T03:04:05Z)"
    aware = datetime.datetime(2024, 1, 2, 4, 4, 5, 120000, tzinfo=datetime.timezone(datetime.timedelta(hours=1)))
    assert str(Filter.gt("created_at", aware)) == "gt(created_at,2024-01-02T03:04:05.120000Z)"


def test_keys_may_name_a_joined_entity() -> None:
    assert str(Filter.eq("workflow.name", "wf")) == "eq(workflow.name,wf)"


@pytest.mark.parametrize("value", ["a+b", "a,b", "a\nb"])
def test_values_that_would_change_the_expression_are_refused(value: str) -> None:
    with pytest.raises(ValueError, match="must not contain"):
        Filter.eq("name", value)


def test_a_semicolon_is_refused_only_where_it_separates_values() -> None:
    assert str(Filter.eq("description", "a;b")) == "eq(description,a;b)"
    with pytest.raises(ValueError, match="must not contain"):
        Filter.value_in("name", ["a;b"])


@pytest.mark.parametrize("key", ["", "na me", "a,b", "f(x)"])
def test_bad_keys_are_refused(key: str) -> None:
    with pytest.raises(ValueError):
        Filter.eq(key, "x")


def test_set_filters_need_a_value_and_comparisons_exactly_one() -> None:
    with pytest.raises(ValueError, match="at least one value"):
        Filter.value_in("phase", [])
    with pytest.raises(ValueError, match="exactly one value"):
        Filter("eq", "name", ("a", "b"))


def test_filters_of_every_accepted_shape_render_to_one_string() -> None:
    from flytekit.models.filters import Equal, FilterList, ValueIn

    assert render_filters(None) == ""
    assert render_filters("eq(name,x)") == "eq(name,x)"
    assert render_filters(Filter.eq("name", "x")) == "eq(name,x)"
    assert render_filters([Filter.eq("name", "x"), "gt(version,a)"]) == "eq(name,x)+gt(version,a)"
    assert render_filters([Equal("name", "x"), ValueIn("phase", ["A", "B"])]) == "eq(name,x)+value_in(phase,A;B)"
    assert render_filters(FilterList([Equal("name", "x")])) == "eq(name,x)"


def test_other_filter_objects_are_refused() -> None:
    with pytest.raises(TypeError):
        render_filters(42)


def test_sorts_parse_from_strings_and_render_to_flyteidl() -> None:
    asc, desc = common_pb2.Sort.ASCENDING, common_pb2.Sort.DESCENDING
    assert Sort.asc("name").to_flyte_idl() == common_pb2.Sort(key="name", direction=asc)
    assert Sort.desc("created_at").to_flyte_idl() == common_pb2.Sort(key="created_at", direction=desc)
    assert to_sort("name") == common_pb2.Sort(key="name", direction=asc)
    assert to_sort("+name") == common_pb2.Sort(key="name", direction=asc)
    assert to_sort("-created_at") == common_pb2.Sort(key="created_at", direction=desc)
    assert to_sort(None) is None


def test_flyteidl_and_flytekit_sorts_pass_through() -> None:
    from flytekit.models.admin.common import Sort as FlytekitSort

    proto = common_pb2.Sort(key="name", direction=common_pb2.Sort.ASCENDING)
    assert to_sort(proto) is proto
    assert to_sort(FlytekitSort("name", FlytekitSort.Direction.ASCENDING)) == proto


def test_a_sort_without_key_or_of_another_type_is_refused() -> None:
    with pytest.raises(ValueError):
        Sort.parse("-")
    with pytest.raises(TypeError):
        to_sort(1)
