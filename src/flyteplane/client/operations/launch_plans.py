"""Launch plans: register, fetch (cached), find the active version, activate or deactivate, list."""

from __future__ import annotations

from typing import Any

from flyteidl.admin import common_pb2, launch_plan_pb2
from flyteidl.core import identifier_pb2

from flyteplane.client.calls import Call, Page, Pages, discard, operation, paged
from flyteplane.client.filters import FiltersLike, SortLike, to_sort
from flyteplane.client.idl import IdlLike, to_idl
from flyteplane.client.operations.listing import named_entity_ids_request, page_reader, resource_list_request
from flyteplane.client.rpcs import ADMIN

__all__ = [
    "LaunchPlanOperations",
    "create_launch_plan",
    "get_active_launch_plan",
    "get_launch_plan",
    "iter_active_launch_plans",
    "iter_launch_plan_ids",
    "iter_launch_plans",
    "list_active_launch_plans_paginated",
    "list_launch_plan_ids_paginated",
    "list_launch_plans_paginated",
    "update_launch_plan",
]


def create_launch_plan(launch_plan_identifer: IdlLike, launch_plan_spec: IdlLike) -> Call[None]:
    """Registers a launch plan version (inactive until activated). Parameter names are flytekit's."""
    request = launch_plan_pb2.LaunchPlanCreateRequest(
        id=to_idl(launch_plan_identifer, identifier_pb2.Identifier, "launch_plan_identifer"),
        spec=to_idl(launch_plan_spec, launch_plan_pb2.LaunchPlanSpec, "launch_plan_spec"),
    )
    return Call(ADMIN["CreateLaunchPlan"], request, discard)


def get_launch_plan(id: IdlLike) -> Call[Any]:
    """The launch plan version `id` names; cached until `update_launch_plan` changes some plan's state."""
    request = common_pb2.ObjectGetRequest(id=to_idl(id, identifier_pb2.Identifier, "id"))
    return Call(ADMIN["GetLaunchPlan"], request, cached=True)


def get_active_launch_plan(identifier: IdlLike) -> Call[Any]:
    """The active version of the launch plan named by `identifier` (project, domain, name); NOT_FOUND if none."""
    request = launch_plan_pb2.ActiveLaunchPlanRequest(
        id=to_idl(identifier, common_pb2.NamedEntityIdentifier, "identifier")
    )
    return Call(ADMIN["GetActiveLaunchPlan"], request)


def list_launch_plan_ids_paginated(
    project: str,
    domain: str,
    limit: int = 100,
    token: str | None = None,
    sort_by: SortLike = None,
    filters: FiltersLike = None,
) -> Call[Page[Any]]:
    """One page of launch plan names in a project and domain."""
    request = named_entity_ids_request(project, domain, limit, token, sort_by, filters)
    return Call(ADMIN["ListLaunchPlanIds"], request, page_reader("entities"))


def list_launch_plans_paginated(
    identifier: IdlLike,
    limit: int = 100,
    token: str | None = None,
    filters: FiltersLike = None,
    sort_by: SortLike = None,
) -> Call[Page[Any]]:
    """One page of launch plan versions in the project and domain of `identifier` (and of its name, when set)."""
    request = resource_list_request(identifier, limit, token, filters, sort_by)
    return Call(ADMIN["ListLaunchPlans"], request, page_reader("launch_plans", identifier_pb2.LAUNCH_PLAN))


def list_active_launch_plans_paginated(
    project: str, domain: str, limit: int = 100, token: str | None = None, sort_by: SortLike = None
) -> Call[Page[Any]]:
    """One page of the active launch plans of a project and domain (one version per name at most)."""
    request = launch_plan_pb2.ActiveLaunchPlanListRequest(
        project=project, domain=domain, limit=limit, token=token or "", sort_by=to_sort(sort_by)
    )
    return Call(ADMIN["ListActiveLaunchPlans"], request, page_reader("launch_plans", identifier_pb2.LAUNCH_PLAN))


def update_launch_plan(id: IdlLike, state: int | str) -> Call[None]:
    """Sets a version ACTIVE (deactivating the name's other active version) or INACTIVE.

    Cached launch plans are dropped, since their `closure.state` may now be stale.
    """
    request = launch_plan_pb2.LaunchPlanUpdateRequest(id=to_idl(id, identifier_pb2.Identifier, "id"), state=state)
    return Call(ADMIN["UpdateLaunchPlan"], request, discard, evicts=(ADMIN["GetLaunchPlan"],))


def iter_launch_plan_ids(
    project: str, domain: str, sort_by: SortLike = None, filters: FiltersLike = None, page_size: int = 100
) -> Pages[Any]:
    return Pages(lambda token: list_launch_plan_ids_paginated(project, domain, page_size, token, sort_by, filters))


def iter_launch_plans(
    identifier: IdlLike, filters: FiltersLike = None, sort_by: SortLike = None, page_size: int = 100
) -> Pages[Any]:
    return Pages(lambda token: list_launch_plans_paginated(identifier, page_size, token, filters, sort_by))


def iter_active_launch_plans(project: str, domain: str, sort_by: SortLike = None, page_size: int = 100) -> Pages[Any]:
    return Pages(lambda token: list_active_launch_plans_paginated(project, domain, page_size, token, sort_by))


class LaunchPlanOperations:
    create_launch_plan = operation(create_launch_plan)
    get_launch_plan = operation(get_launch_plan)
    get_active_launch_plan = operation(get_active_launch_plan)
    list_launch_plan_ids_paginated = operation(list_launch_plan_ids_paginated)
    list_launch_plans_paginated = operation(list_launch_plans_paginated)
    list_active_launch_plans_paginated = operation(list_active_launch_plans_paginated)
    update_launch_plan = operation(update_launch_plan)
    iter_launch_plan_ids = paged(iter_launch_plan_ids)
    iter_launch_plans = paged(iter_launch_plans)
    iter_active_launch_plans = paged(iter_active_launch_plans)
