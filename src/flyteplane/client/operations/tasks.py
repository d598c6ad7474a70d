"""Tasks: register a version, fetch one (cached), list names and versions (see `versioned`)."""

from __future__ import annotations

from flyteplane.client.calls import Call, operation, paged
from flyteplane.client.idl import IdlLike
from flyteplane.client.operations.versioned import TASK

__all__ = ["TaskOperations"]


class TaskOperations:
    @operation
    def create_task(self, task_identifer: IdlLike, task_spec: IdlLike) -> Call[None]:
        """Registers a task version; registering the identical spec again is accepted (ALREADY_EXISTS otherwise).

        The parameter names (typo included) are flytekit's, so keyword calls written for flytekit keep working.
        """
        return TASK.create(task_identifer, task_spec)

    get_task = operation.of(TASK.get)
    list_task_ids_paginated = operation.of(TASK.list_ids_paginated)
    list_tasks_paginated = operation.of(TASK.list_paginated)
    iter_task_ids = paged.of(TASK.iter_ids)
    iter_tasks = paged.of(TASK.iter)
