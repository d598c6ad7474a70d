"""Listing through flytekit's client: pages of 50 over 125 task versions, ListTaskIds, sorting and filters."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import grpc
import pytest
from flyteidl.admin import common_pb2, task_pb2
from flyteidl.core import identifier_pb2
from flytekit.exceptions.user import FlyteInvalidInputException
from flytekit.models.admin.common import Sort
from flytekit.models.common import NamedEntityIdentifier
from flytekit.models.filters import Contains, Equal, Filter
from flytekit.tools.translator import get_serializable
from tests.integration.support import DOMAIN, details, settings, status, use_apps

use_apps()
from pipelines import tasks, workflows  # noqa: E402

COUNT = 120
EXTRA_VERSIONS = 5  # the first five names get a second version: 125 tasks, 120 names
PAGE = 50
ASCENDING = Sort.Direction.ASCENDING
DESCENDING = Sort.Direction.DESCENDING


def task_name(i: int) -> str:
    return f"listing.task-{i:03d}"


def spec_template(project: str) -> task_pb2.TaskSpec:
    """A real flytekit TaskSpec, serialized once and copied under generated names."""
    collected: OrderedDict[Any, Any] = OrderedDict()
    spec = get_serializable(collected, settings(project, "v1"), tasks.add)
    return spec.to_flyte_idl()  # type: ignore[no-any-return]


def create_request(template: task_pb2.TaskSpec, project: str, name: str, version: str) -> task_pb2.TaskCreateRequest:
    ident = identifier_pb2.Identifier(
        resource_type=identifier_pb2.TASK, project=project, domain=DOMAIN, name=name, version=version
    )
    spec = task_pb2.TaskSpec()
    spec.CopyFrom(template)
    spec.template.id.CopyFrom(ident)
    return task_pb2.TaskCreateRequest(id=ident, spec=spec)


@pytest.fixture(scope="module")
def listed_project(remote: Any, project: str) -> str:
    template = spec_template(project)
    raw = remote.client.raw
    for i in range(COUNT):
        raw.create_task(create_request(template, project, task_name(i), "v1"))
    for i in range(EXTRA_VERSIONS):
        raw.create_task(create_request(template, project, task_name(i), "v2"))
    return project


def all_pages(fetch: Any, limit: int = PAGE, **kwargs: Any) -> tuple[list[Any], list[int]]:
    """Follows tokens until the server returns an empty one; returns the items and each page's size."""
    items: list[Any] = []
    sizes: list[int] = []
    token = ""
    for _ in range(50):
        page, token = fetch(limit=limit, token=token, **kwargs)
        items.extend(page)
        sizes.append(len(page))
        if not token:
            return items, sizes
    raise AssertionError("the listing never returned an empty token")


def list_tasks(remote: Any, project: str, **kwargs: Any) -> tuple[list[Any], list[int]]:
    return all_pages(
        lambda **kw: remote.client.list_tasks_paginated(NamedEntityIdentifier(project, DOMAIN), **kw), **kwargs
    )


def keys(found: list[Any]) -> list[tuple[str, str]]:
    return [(t.id.name, t.id.version) for t in found]


def every_task() -> set[tuple[str, str]]:
    return {(task_name(i), "v1") for i in range(COUNT)} | {(task_name(i), "v2") for i in range(EXTRA_VERSIONS)}


def test_tasks_in_pages_of_50_have_no_duplicate_and_no_gap(remote: Any, listed_project: str) -> None:
    found, sizes = list_tasks(remote, listed_project)
    assert sizes == [50, 50, 25]
    assert len(keys(found)) == len(set(keys(found))) == COUNT + EXTRA_VERSIONS
    assert set(keys(found)) == every_task()


def test_pages_of_the_exact_size_end_with_an_empty_token(remote: Any, listed_project: str) -> None:
    found, sizes = list_tasks(remote, listed_project, limit=25)
    assert sizes[:5] == [25] * 5 and sum(sizes) == COUNT + EXTRA_VERSIONS and sizes[-1] in (0, 25)
    assert set(keys(found)) == every_task()


def test_listed_tasks_carry_their_compiled_template_and_id(remote: Any, listed_project: str) -> None:
    page, _ = remote.client.list_tasks_paginated(NamedEntityIdentifier(listed_project, DOMAIN, task_name(7)), limit=10)
    assert sorted(t.id.version for t in page) == ["v1"]
    template = page[0].closure.compiled_task.template
    assert template.id.name == task_name(7)
    assert set(template.interface.inputs) == {"a", "b"}


def test_list_task_ids_pages_through_distinct_names(remote: Any, listed_project: str) -> None:
    found, sizes = all_pages(
        lambda **kw: remote.client.list_task_ids_paginated(listed_project, DOMAIN, **kw),
    )
    names = [e.name for e in found]
    assert sizes == [50, 50, 20]
    assert names == sorted(names) == [task_name(i) for i in range(COUNT)]


@pytest.mark.parametrize("direction", [ASCENDING, DESCENDING])
def test_sorting_by_name_orders_every_page(remote: Any, listed_project: str, direction: int) -> None:
    found, _ = list_tasks(remote, listed_project, sort_by=Sort("name", direction))
    names = [t.id.name for t in found]
    assert names == sorted(names, reverse=direction == DESCENDING)
    assert set(keys(found)) == every_task()


def test_sorting_by_created_at_follows_registration_order(remote: Any, listed_project: str) -> None:
    found, _ = list_tasks(remote, listed_project, sort_by=Sort("created_at", ASCENDING))
    assert keys(found)[:3] == [(task_name(0), "v1"), (task_name(1), "v1"), (task_name(2), "v1")]
    assert keys(found)[-1] == (task_name(EXTRA_VERSIONS - 1), "v2")
    newest, _ = remote.client.list_tasks_paginated(
        NamedEntityIdentifier(listed_project, DOMAIN), limit=1, sort_by=Sort("created_at", DESCENDING)
    )
    assert keys(newest) == [(task_name(EXTRA_VERSIONS - 1), "v2")]


def test_eq_filter_on_name(remote: Any, listed_project: str) -> None:
    found, _ = list_tasks(remote, listed_project, filters=[Equal("name", task_name(3))])
    assert sorted(keys(found)) == [(task_name(3), "v1"), (task_name(3), "v2")]


def test_contains_filter_on_name(remote: Any, listed_project: str) -> None:
    found, _ = list_tasks(remote, listed_project, filters=[Contains("name", ["11"])])
    expected = {(task_name(i), "v1") for i in range(COUNT) if "11" in task_name(i)}
    assert set(keys(found)) == expected and len(found) == len(expected) == 11


def test_filters_combine_with_and(remote: Any, listed_project: str) -> None:
    found, _ = list_tasks(remote, listed_project, filters=[Contains("name", ["00"]), Equal("version", "v2")])
    assert set(keys(found)) == {(task_name(i), "v2") for i in range(EXTRA_VERSIONS) if "00" in task_name(i)}


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ([Filter.from_python_std("eq(no_such_column,1)")], "'t.no_such_column' is invalid filter"),
        ([Equal("execution.phase", "RUNNING")], "'e' entity is not allowed in filters"),
    ],
)
def test_a_bad_filter_is_invalid_input(remote: Any, listed_project: str, filters: list[Any], message: str) -> None:
    with pytest.raises(FlyteInvalidInputException) as caught:
        remote.client.list_tasks_paginated(NamedEntityIdentifier(listed_project, DOMAIN), filters=filters)
    assert message in details(caught.value)


def test_an_unparseable_filter_is_invalid_input(admin: Any, listed_project: str) -> None:
    request = common_pb2.ResourceListRequest(
        id=common_pb2.NamedEntityIdentifier(project=listed_project, domain=DOMAIN), limit=10, filters="nope(name"
    )
    with pytest.raises(grpc.RpcError) as caught:
        admin.ListTasks(request)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_an_unknown_sort_key_is_invalid_input(remote: Any, listed_project: str) -> None:
    with pytest.raises(FlyteInvalidInputException) as caught:
        remote.client.list_tasks_paginated(
            NamedEntityIdentifier(listed_project, DOMAIN), sort_by=Sort("bogus", ASCENDING)
        )
    assert status(caught.value) == grpc.StatusCode.INVALID_ARGUMENT
    assert "bogus" in details(caught.value)


@pytest.mark.parametrize("token", ["not-a-token", "-5", "%%%"])
def test_a_bad_page_token_is_invalid_input(remote: Any, listed_project: str, token: str) -> None:
    with pytest.raises(FlyteInvalidInputException):
        remote.client.list_tasks_paginated(NamedEntityIdentifier(listed_project, DOMAIN), limit=10, token=token)
    with pytest.raises(FlyteInvalidInputException):
        remote.client.list_task_ids_paginated(listed_project, DOMAIN, limit=10, token=token)


def test_a_zero_limit_is_invalid_input(remote: Any, listed_project: str) -> None:
    with pytest.raises(FlyteInvalidInputException) as caught:
        remote.client.list_tasks_paginated(NamedEntityIdentifier(listed_project, DOMAIN), limit=0)
    assert details(caught.value) == "invalid value for limit"


def test_workflow_and_launch_plan_ids_page_the_same_way(remote: Any, project: str) -> None:
    """ListWorkflowIds and ListLaunchPlanIds: distinct names in pages, whatever the number of versions."""
    for version in ("v1", "v2"):
        for entity in (workflows.arithmetic, workflows.sign, workflows.outer):
            remote.register_workflow(entity, settings(project, version), version=version)
    expected = [f"pipelines.workflows.{name}" for name in ("arithmetic", "inner", "outer", "sign")]
    for fetch in (remote.client.list_workflow_ids_paginated, remote.client.list_launch_plan_ids_paginated):
        found, sizes = all_pages(lambda fetch=fetch, **kw: fetch(project, DOMAIN, **kw), limit=3)
        assert [e.name for e in found] == expected
        assert sizes == [3, 1]
