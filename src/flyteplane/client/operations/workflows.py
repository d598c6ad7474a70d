"""Workflows: register a version, fetch one (cached), list names and versions."""

from __future__ import annotations

from typing import Any

from flyteidl.admin import common_pb2, workflow_pb2
from flyteidl.core import identifier_pb2

from flyteplane.client.calls import Call, Page, Pages, discard, operation, paged
from flyteplane.client.filters import FiltersLike, SortLike
from flyteplane.client.idl import IdlLike, to_idl
from flyteplane.client.operations.listing import named_entity_ids_request, page_reader, resource_list_request
from flyteplane.client.rpcs import ADMIN

__all__ = [
    "WorkflowOperations",
    "create_workflow",
    "get_workflow",
    "iter_workflow_ids",
    "iter_workflows",
    "list_workflow_ids_paginated",
    "list_workflows_paginated",
]


def create_workflow(workflow_identifier: IdlLike, workflow_spec: IdlLike) -> Call[None]:
    """Registers a workflow version; the server compiles it against the tasks and subworkflows it references."""
    request = workflow_pb2.WorkflowCreateRequest(
        id=to_idl(workflow_identifier, identifier_pb2.Identifier, "workflow_identifier"),
        spec=to_idl(workflow_spec, workflow_pb2.WorkflowSpec, "workflow_spec"),
    )
    return Call(ADMIN["CreateWorkflow"], request, discard)


def get_workflow(id: IdlLike) -> Call[Any]:
    """The workflow version `id` names, with its compiled closure; cached after the first fetch."""
    request = common_pb2.ObjectGetRequest(id=to_idl(id, identifier_pb2.Identifier, "id"))
    return Call(ADMIN["GetWorkflow"], request, cached=True)


def list_workflow_ids_paginated(
    project: str,
    domain: str,
    limit: int = 100,
    token: str | None = None,
    sort_by: SortLike = None,
    filters: FiltersLike = None,
) -> Call[Page[Any]]:
    """One page of workflow names in a project and domain."""
    request = named_entity_ids_request(project, domain, limit, token, sort_by, filters)
    return Call(ADMIN["ListWorkflowIds"], request, page_reader("entities"))


def list_workflows_paginated(
    identifier: IdlLike,
    limit: int = 100,
    token: str | None = None,
    filters: FiltersLike = None,
    sort_by: SortLike = None,
) -> Call[Page[Any]]:
    """One page of workflow versions in the project and domain of `identifier` (and of its name, when set)."""
    request = resource_list_request(identifier, limit, token, filters, sort_by)
    return Call(ADMIN["ListWorkflows"], request, page_reader("workflows", identifier_pb2.WORKFLOW))


def iter_workflow_ids(
    project: str, domain: str, sort_by: SortLike = None, filters: FiltersLike = None, page_size: int = 100
) -> Pages[Any]:
    """Every workflow name in a project and domain, page by page."""
    return Pages(lambda token: list_workflow_ids_paginated(project, domain, page_size, token, sort_by, filters))


def iter_workflows(
    identifier: IdlLike, filters: FiltersLike = None, sort_by: SortLike = None, page_size: int = 100
) -> Pages[Any]:
    """Every workflow version matching `identifier`, page by page."""
    return Pages(lambda token: list_workflows_paginated(identifier, page_size, token, filters, sort_by))


class WorkflowOperations:
    create_workflow = operation(create_workflow)
    get_workflow = operation(get_workflow)
    list_workflow_ids_paginated = operation(list_workflow_ids_paginated)
    list_workflows_paginated = operation(list_workflows_paginated)
    iter_workflow_ids = paged(iter_workflow_ids)
    iter_workflows = paged(iter_workflows)
