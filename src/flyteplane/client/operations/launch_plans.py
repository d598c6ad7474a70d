"""Launch plans: register, fetch (cached), list (see `versioned`); find the active version, activate, deactivate."""

from __future__ import annotations

from typing import Any

from flyteidl.admin import common_pb2, launch_plan_pb2
from flyteidl.core import identifier_pb2

from flyteplane.client.calls import Call, Page, Pages, discard, operation, paged
from flyteplane.client.filters import SortLike, to_sort
from flyteplane.client.idl import IdlLike, enum_number, to_idl
from flyteplane.client.operations.listing import page_reader
from flyteplane.client.operations.versioned import LAUNCH_PLAN
from flyteplane.client.rpcs import ADMIN

__all__ = ["LaunchPlanOperations"]


class LaunchPlanOperations:
    @operation
    def create_launch_plan(self, launch_plan_identifer: IdlLike, launch_plan_spec: IdlLike) -> Call[None]:
        """Registers a launch plan version (inactive until activated). Parameter names are flytekit's."""
        return LAUNCH_PLAN.create(launch_plan_identifer, launch_plan_spec)

    get_launch_plan = operation.of(LAUNCH_PLAN.get)
    list_launch_plan_ids_paginated = operation.of(LAUNCH_PLAN.list_ids_paginated)
    list_launch_plans_paginated = operation.of(LAUNCH_PLAN.list_paginated)
    iter_launch_plan_ids = paged.of(LAUNCH_PLAN.iter_ids)
    iter_launch_plans = paged.of(LAUNCH_PLAN.iter)

    @operation
    def get_active_launch_plan(self, identifier: IdlLike) -> Call[Any]:
        """The active version of the launch plan named by `identifier` (project, domain, name); NOT_FOUND if none."""
        request = launch_plan_pb2.ActiveLaunchPlanRequest(
            id=to_idl(identifier, common_pb2.NamedEntityIdentifier, "identifier")
        )
        return Call(ADMIN["GetActiveLaunchPlan"], request)

    @operation
    def list_active_launch_plans_paginated(
        self, project: str, domain: str, limit: int = 100, token: str | None = None, sort_by: SortLike = None
    ) -> Call[Page[Any]]:
        """One page of the active launch plans of a project and domain (one version per name at most)."""
        request = launch_plan_pb2.ActiveLaunchPlanListRequest(
            project=project, domain=domain, limit=limit, token=token or "", sort_by=to_sort(sort_by)
        )
        return Call(ADMIN["ListActiveLaunchPlans"], request, page_reader("launch_plans", identifier_pb2.LAUNCH_PLAN))

    @paged
    def iter_active_launch_plans(
        self, project: str, domain: str, sort_by: SortLike = None, page_size: int = 100
    ) -> Pages[Any]:
        return Pages(
            lambda token: self.list_active_launch_plans_paginated.call(project, domain, page_size, token, sort_by)
        )

    @operation
    def update_launch_plan(self, id: IdlLike, state: int | str) -> Call[None]:
        """Sets a version ACTIVE (deactivating the name's other active version) or INACTIVE.

        Cached launch plans are dropped, since their `closure.state` may now be stale.
        """
        request = launch_plan_pb2.LaunchPlanUpdateRequest(
            id=to_idl(id, identifier_pb2.Identifier, "id"), state=enum_number(state)
        )
        return Call(ADMIN["UpdateLaunchPlan"], request, discard, evicts=(LAUNCH_PLAN.get_rpc,))
