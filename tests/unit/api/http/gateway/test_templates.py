"""Path templates follow the google.api.http grammar: literals, `*`, `**`, variables over nested fields, verbs."""

from __future__ import annotations

import re

import pytest

from flyteplane.api.http.gateway.templates import TemplateError, Variable, parse_template


def test_a_variable_is_one_segment_bound_to_a_nested_field() -> None:
    template = parse_template("/api/v1/tasks/{id.project}/{id.domain}")

    assert template.segments == ("api", "v1", "tasks", "*", "*")
    assert template.variables == (Variable("id.project", 3, 4), Variable("id.domain", 4, 5))
    assert template.field_paths == ("id.project", "id.domain")
    assert template.verb == ""


def test_a_variable_may_span_several_segments_and_end_with_the_rest_of_the_path() -> None:
    template = parse_template("/v1/{name=shelves/*/books/**}")

    assert template.segments == ("v1", "shelves", "*", "books", "**")
    assert template.variables == (Variable("name", 1, 5),)


def test_a_verb_follows_the_last_segment() -> None:
    template = parse_template("/v1/{name=*}:cancel")

    assert template.segments == ("v1", "*")
    assert template.verb == "cancel"


def test_anonymous_wildcards_bind_nothing() -> None:
    template = parse_template("/v1/*/items/**")

    assert template.segments == ("v1", "*", "items", "**")
    assert template.variables == ()


def test_bind_joins_the_components_each_variable_consumed() -> None:
    template = parse_template("/v1/{parent=projects/*}/files/{path=**}")

    params = template.bind([("v1",), ("projects",), ("p1",), ("files",), ("a", "b", "c.txt")])

    assert params == {"parent": "projects/p1", "path": "a/b/c.txt"}


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("api/v1", "does not start with '/'"),
        ("/v1/{a.b", "unclosed"),
        ("/v1/a}", "unbalanced"),
        ("/v1/{a={b}}", "nested"),
        ("/v1/{1abc}", "bad field path"),
        ("/v1/{a}/{a}", "binds 'a' twice"),
        ("/v1/**/tail", "'**' must be the last segment"),
        ("/v1/x:", "bad verb"),
        ("/v1/a*b", "bad segment"),
    ],
)
def test_malformed_templates_are_refused_with_the_reason(source: str, problem: str) -> None:
    with pytest.raises(TemplateError, match=re.escape(problem)):
        parse_template(source)
