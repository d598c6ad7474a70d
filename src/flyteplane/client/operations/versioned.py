"""Tasks, workflows and launch plans: named entities whose versions, once registered, never change.

All three are served alike: CreateTask / CreateWorkflow / CreateLaunchPlan register a version from a spec,
GetTask... fetch one (cached by the client, since a version is immutable), ListTaskIds... page through the names
and ListTasks... through the versions. One `VersionedEntity` row per kind gives every one of those operations;
the per-kind modules only name them as flytekit does.
"""

from __future__ import annotations

from typing import Any

from flyteidl.admin import common_pb2
from flyteidl.core import identifier_pb2
from google.protobuf import message_factory

from flyteplane.client.calls import Call, Page, Pages, discard
from flyteplane.client.filters import FiltersLike, SortLike
from flyteplane.client.idl import IdlLike, to_idl
from flyteplane.client.operations.listing import named_entity_ids_request, page_reader, resource_list_request
from flyteplane.client.rpcs import ADMIN, snake_case

__all__ = ["LAUNCH_PLAN", "TASK", "WORKFLOW", "VersionedEntity"]


class VersionedEntity:
    """One kind of versioned entity: its RPCs and messages, found by name (an unknown one fails at import).

    `kind` is spelt as in the RPC names ("Task", "LaunchPlan"); `create_parameters` are flytekit's names for the
    identifier and the spec that create takes, so a wrong argument is reported under the name the caller used.
    """

    def __init__(self, kind: str, resource_type: int, create_parameters: tuple[str, str]) -> None:
        self.kind = kind
        self.resource_type = resource_type
        self.create_parameters = create_parameters
        self.create_rpc = ADMIN[f"Create{kind}"]
        self.get_rpc = ADMIN[f"Get{kind}"]
        self.list_ids_rpc = ADMIN[f"List{kind}Ids"]
        self.list_rpc = ADMIN[f"List{kind}s"]
        spec = self.create_rpc.request_type.DESCRIPTOR.fields_by_name["spec"].message_type
        self.spec_type: Any = message_factory.GetMessageClass(spec)  # e.g. flyteidl.admin.TaskSpec
        self.list_field = f"{snake_case(kind)}s"  # of the list response: tasks, workflows, launch_plans

    def __repr__(self) -> str:
        return f"VersionedEntity({self.kind})"

    def create(self, identifier: IdlLike, spec: IdlLike) -> Call[None]:
        """Registers a version; registering the identical spec again is accepted (ALREADY_EXISTS otherwise)."""
        identifier_name, spec_name = self.create_parameters
        request = self.create_rpc.request_type(
            id=to_idl(identifier, identifier_pb2.Identifier, identifier_name),
            spec=to_idl(spec, self.spec_type, spec_name),
        )
        return Call(self.create_rpc, request, discard)

    def get(self, id: IdlLike) -> Call[Any]:
        """The version `id` names, with its closure; served from the client's cache after the first fetch."""
        request = common_pb2.ObjectGetRequest(id=to_idl(id, identifier_pb2.Identifier, "id"))
        return Call(self.get_rpc, request, cached=True)

    def list_ids_paginated(
        self,
        project: str,
        domain: str,
        limit: int = 100,
        token: str | None = None,
        sort_by: SortLike = None,
        filters: FiltersLike = None,
    ) -> Call[Page[Any]]:
        """One page of the names (NamedEntityIdentifiers) in a project and domain."""
        request = named_entity_ids_request(project, domain, limit, token, sort_by, filters)
        return Call(self.list_ids_rpc, request, page_reader("entities"))

    def list_paginated(
        self,
        identifier: IdlLike,
        limit: int = 100,
        token: str | None = None,
        filters: FiltersLike = None,
        sort_by: SortLike = None,
    ) -> Call[Page[Any]]:
        """One page of the versions in the project and domain of `identifier` (and of its name, when set)."""
        request = resource_list_request(identifier, limit, token, filters, sort_by)
        return Call(self.list_rpc, request, page_reader(self.list_field, self.resource_type))

    def iter_ids(
        self, project: str, domain: str, sort_by: SortLike = None, filters: FiltersLike = None, page_size: int = 100
    ) -> Pages[Any]:
        """Every name in a project and domain, page by page."""
        return Pages(lambda token: self.list_ids_paginated(project, domain, page_size, token, sort_by, filters))

    def iter(
        self, identifier: IdlLike, filters: FiltersLike = None, sort_by: SortLike = None, page_size: int = 100
    ) -> Pages[Any]:
        """Every version matching `identifier` (project, domain, optional name), page by page."""
        return Pages(lambda token: self.list_paginated(identifier, page_size, token, filters, sort_by))


TASK = VersionedEntity("Task", identifier_pb2.TASK, ("task_identifer", "task_spec"))
WORKFLOW = VersionedEntity("Workflow", identifier_pb2.WORKFLOW, ("workflow_identifier", "workflow_spec"))
LAUNCH_PLAN = VersionedEntity("LaunchPlan", identifier_pb2.LAUNCH_PLAN, ("launch_plan_identifer", "launch_plan_spec"))
