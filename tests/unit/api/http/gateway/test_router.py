"""The router prefers literal segments to variables, then matches the HTTP method, as flyteadmin's routes need."""

from __future__ import annotations

import pytest

from flyteplane.api.http.gateway.router import Found, Miss, Router
from flyteplane.api.http.gateway.templates import parse_template


def router(*routes: tuple[str, str]) -> Router[str]:
    built: Router[str] = Router()
    for method, source in routes:
        built.add(method, parse_template(source), f"{method} {source}")
    return built


def test_literal_segments_win_over_variables_whatever_the_order_routes_were_added() -> None:
    for routes in [
        [("POST", "/api/v1/executions/{id.project}"), ("POST", "/api/v1/executions/relaunch")],
        [("POST", "/api/v1/executions/relaunch"), ("POST", "/api/v1/executions/{id.project}")],
    ]:
        assert router(*routes).match("POST", "/api/v1/executions/relaunch") == Found(
            "POST /api/v1/executions/relaunch", {}
        )
        assert router(*routes).match("POST", "/api/v1/executions/p") == Found(
            "POST /api/v1/executions/{id.project}", {"id.project": "p"}
        )


def test_a_literal_that_leads_nowhere_falls_back_to_the_variable() -> None:
    routes = router(("GET", "/a/b/c"), ("GET", "/a/{x}/d"))

    assert routes.match("GET", "/a/b/d") == Found("GET /a/{x}/d", {"x": "b"})


def test_path_variables_are_bound_by_field_path() -> None:
    routes = router(("GET", "/api/v1/tasks/{id.project}/{id.domain}/{id.name}/{id.version}"))

    found = routes.match("GET", "/api/v1/tasks/p/d/my.task/v1")

    assert found == Found(
        "GET /api/v1/tasks/{id.project}/{id.domain}/{id.name}/{id.version}",
        {"id.project": "p", "id.domain": "d", "id.name": "my.task", "id.version": "v1"},
    )


def test_segment_counts_tell_a_listing_from_a_get() -> None:
    routes = router(
        ("GET", "/api/v1/tasks/{id.project}/{id.domain}"),
        ("GET", "/api/v1/tasks/{id.project}/{id.domain}/{id.name}"),
        ("GET", "/api/v1/tasks/{id.project}/{id.domain}/{id.name}/{id.version}"),
    )

    assert routes.match("GET", "/api/v1/tasks/p/d").route.endswith("{id.domain}")  # type: ignore[union-attr]
    assert routes.match("GET", "/api/v1/tasks/p/d/n").route.endswith("{id.name}")  # type: ignore[union-attr]
    assert routes.match("GET", "/api/v1/tasks/p/d/n/v").route.endswith("{id.version}")  # type: ignore[union-attr]


def test_a_path_of_another_method_is_method_not_allowed_and_an_unknown_path_not_found() -> None:
    routes = router(("GET", "/api/v1/projects"), ("PUT", "/api/v1/projects/{id}"))

    assert routes.match("DELETE", "/api/v1/projects/p") is Miss.METHOD_NOT_ALLOWED
    assert routes.match("HEAD", "/api/v1/projects") is Miss.METHOD_NOT_ALLOWED
    assert routes.match("GET", "/api/v1/projects/p/q") is Miss.NOT_FOUND
    assert routes.match("GET", "/api/v2/projects") is Miss.NOT_FOUND


def test_methods_are_matched_case_insensitively() -> None:
    assert isinstance(router(("get", "/api/v1/version")).match("GET", "/api/v1/version"), Found)


def test_the_method_that_matches_is_preferred_to_a_more_literal_route_of_another_method() -> None:
    routes = router(("PUT", "/api/v1/executions/relaunch"), ("GET", "/api/v1/executions/{id.project}"))

    assert routes.match("GET", "/api/v1/executions/relaunch") == Found(
        "GET /api/v1/executions/{id.project}", {"id.project": "relaunch"}
    )


def test_double_star_takes_the_rest_of_the_path_even_none_of_it() -> None:
    routes = router(("GET", "/files/{path=**}"))

    assert routes.match("GET", "/files/a/b/c.txt") == Found("GET /files/{path=**}", {"path": "a/b/c.txt"})
    assert routes.match("GET", "/files") == Found("GET /files/{path=**}", {"path": ""})


def test_a_decoded_slash_separates_segments_as_in_grpc_gateway() -> None:
    """The path arrives percent-decoded, so `a%2Fb` is two segments (grpc-gateway's default unescaping)."""
    routes = router(("GET", "/api/v1/projects/{id}"))

    assert routes.match("GET", "/api/v1/projects/a/b") is Miss.NOT_FOUND


def test_a_verb_is_cut_off_the_last_segment() -> None:
    routes = router(("POST", "/v1/{name=things/*}:cancel"), ("POST", "/v1/{name=things/*}"))

    assert routes.match("POST", "/v1/things/t1:cancel") == Found(
        "POST /v1/{name=things/*}:cancel", {"name": "things/t1"}
    )
    assert routes.match("POST", "/v1/things/t1") == Found("POST /v1/{name=things/*}", {"name": "things/t1"})
    assert routes.match("POST", "/v1/things/t1:other") == Found("POST /v1/{name=things/*}", {"name": "things/t1:other"})


def test_two_routes_for_one_method_and_path_are_refused() -> None:
    built = router(("GET", "/a/{x}"))

    with pytest.raises(ValueError, match="clashes"):
        built.add("GET", parse_template("/a/{y}"), "second")
