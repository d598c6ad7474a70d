"""Tasks: register a version, fetch one (cached), list names and versions."""

from __future__ import annotations

from typing import Any

from flyteidl.admin import common_pb2, task_pb2
from flyteidl.core import identifier_pb2

from flyteplane.client.calls import Call, Page, Pages, discard, operation, paged
from flyteplane.client.filters import FiltersLike, SortLike
from flyteplane.client.idl import IdlLike, to_idl
from flyteplane.client.operations.listing import named_entity_ids_request, page_reader, resource_list_request
from flyteplane.client.rpcs import ADMIN

__all__ = [
    "TaskOperations",
    "create_task",
    "get_task",
    "iter_task_ids",
    "iter_tasks",
    "list_task_ids_paginated",
    "list_tasks_paginated",
]


def create_task(task_identifer: IdlLike, task_spec: IdlLike) -> Call[None]:
    """Registers a task version; registering the identical spec again is accepted (ALREADY_EXISTS otherwise).

    The parameter names (typo included) are flytekit's, so keyword calls written for flytekit keep working.
    """
    request = task_pb2.TaskCreateRequest(
        id=to_idl(task_identifer, identifier_pb2.Identifier, "task_identifer"),
        spec=to_idl(task_spec, task_pb2.TaskSpec, "task_spec"),
    )
    return Call(ADMIN["CreateTask"], request, discard)


def get_task(id: IdlLike) -> Call[Any]:
    """The task version `id` names, with its compiled closure; served from the client's cache after the first."""
    request = common_pb2.ObjectGetRequest(id=to_idl(id, identifier_pb2.Identifier, "id"))
    return Call(ADMIN["GetTask"], request, cached=True)


def list_task_ids_paginated(
    project: str,
    domain: str,
    limit: int = 100,
    token: str | None = None,
    sort_by: SortLike = None,
    filters: FiltersLike = None,
) -> Call[Page[Any]]:
    """One page of task names (NamedEntityIdentifiers) in a project and domain."""
    request = named_entity_ids_request(project, domain, limit, token, sort_by, filters)
    return Call(ADMIN["ListTaskIds"], request, page_reader("entities"))


def list_tasks_paginated(
    identifier: IdlLike,
    limit: int = 100,
    token: str | None = None,
    filters: FiltersLike = None,
    sort_by: SortLike = None,
) -> Call[Page[Any]]:
    """One page of task versions in the project and domain of `identifier` (and of its name, when set)."""
    request = resource_list_request(identifier, limit, token, filters, sort_by)
    return Call(ADMIN["ListTasks"], request, page_reader("tasks", identifier_pb2.TASK))


def iter_task_ids(
    project: str, domain: str, sort_by: SortLike = None, filters: FiltersLike = None, page_size: int = 100
) -> Pages[Any]:
    """Every task name in a project and domain, page by page."""
    return Pages(lambda token: list_task_ids_paginated(project, domain, page_size, token, sort_by, filters))


def iter_tasks(
    identifier: IdlLike, filters: FiltersLike = None, sort_by: SortLike = None, page_size: int = 100
) -> Pages[Any]:
    """Every task version matching `identifier` (project, domain, optional name), page by page."""
    return Pages(lambda token: list_tasks_paginated(identifier, page_size, token, filters, sort_by))


class TaskOperations:
    create_task = operation(create_task)
    get_task = operation(get_task)
    list_task_ids_paginated = operation(list_task_ids_paginated)
    list_tasks_paginated = operation(list_tasks_paginated)
    iter_task_ids = paged(iter_task_ids)
    iter_tasks = paged(iter_tasks)
