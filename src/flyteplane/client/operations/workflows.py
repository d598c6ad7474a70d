"""Workflows: register a version (the server compiles it), fetch one (cached), list names and versions."""

from __future__ import annotations

from flyteplane.client.calls import Call, operation, paged
from flyteplane.client.idl import IdlLike
from flyteplane.client.operations.versioned import WORKFLOW

__all__ = ["WorkflowOperations"]


class WorkflowOperations:
    @operation
    def create_workflow(self, workflow_identifier: IdlLike, workflow_spec: IdlLike) -> Call[None]:
        """Registers a workflow version; the server compiles it against the tasks and subworkflows it references."""
        return WORKFLOW.create(workflow_identifier, workflow_spec)

    get_workflow = operation.of(WORKFLOW.get)
    list_workflow_ids_paginated = operation.of(WORKFLOW.list_ids_paginated)
    list_workflows_paginated = operation.of(WORKFLOW.list_paginated)
    iter_workflow_ids = paged.of(WORKFLOW.iter_ids)
    iter_workflows = paged.of(WORKFLOW.iter)
