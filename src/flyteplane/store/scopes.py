"""What each List RPC lets filters and sort keys name (flyteadmin §4.3), and how the named tables join.

Columns are named as flyteadmin's, because users write them in filters. ListLaunchPlans may also filter on the
workflow; ListExecutions on the launch plan, workflow and task an execution runs, and on its tags;
ListNodeExecutions on the execution; ListTaskExecutions on the task, the execution and the node execution.
Only columns are filterable, never the serialized specs and closures. Named entities build their scope with the
query it filters (`repositories/named_entities.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flyteidl.admin import execution_pb2, project_pb2
from sqlalchemy import and_
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from flyteplane.store.filters import FILTER_ENTITY_CODES, Filter, FilterableEntity, FilterScope
from flyteplane.store.listing import ASCENDING, Listing, SortBy
from flyteplane.store.models import (
    DescriptionEntity,
    Execution,
    ExecutionTag,
    LaunchPlan,
    NodeExecution,
    Project,
    Signal,
    Task,
    TaskExecution,
    Workflow,
)

__all__ = [
    "ACTIVE_LAUNCH_PLANS",
    "EXECUTIONS",
    "LAUNCH_PLANS",
    "NODE_EXECUTIONS",
    "PROJECTS",
    "SIGNALS",
    "TASKS",
    "TASK_EXECUTIONS",
    "WORKFLOWS",
    "description_entities",
]

_VERSIONED = ("id", "created_at", "updated_at", "project", "domain", "name", "version", "digest")
_TASK = (*_VERSIONED, "type", "short_description")
_WORKFLOW = (*_VERSIONED, "short_description")
_LAUNCH_PLAN = (*_VERSIONED, "workflow_id", "state", "schedule_type", "launch_condition_type")
_PROJECT = ("id", "created_at", "updated_at", "identifier", "name", "description", "state")
_DESCRIPTION = (
    "id",
    "created_at",
    "updated_at",
    "resource_type",
    "project",
    "domain",
    "name",
    "version",
    "short_description",
    "link",
)
_EXECUTION_KEY = ("execution_project", "execution_domain", "execution_name")
_EXECUTION = (
    "id",
    "created_at",
    "updated_at",
    *_EXECUTION_KEY,
    "launch_plan_id",
    "workflow_id",
    "task_id",
    "phase",
    "started_at",
    "execution_created_at",
    "execution_updated_at",
    "duration",
    "abort_cause",
    "mode",
    "source_execution_id",
    "parent_node_execution_id",
    "cluster",
    "inputs_uri",
    "user_inputs_uri",
    "error_kind",
    "error_code",
    "user",
    "state",
    "launch_entity",
    "scheduled_at",
)
_NODE_EXECUTION = (
    "id",
    "created_at",
    "updated_at",
    *_EXECUTION_KEY,
    "node_id",
    "phase",
    "input_uri",
    "started_at",
    "node_execution_created_at",
    "node_execution_updated_at",
    "duration",
    "parent_id",
    "parent_task_execution_id",
    "error_kind",
    "error_code",
    "cache_status",
    "dynamic_workflow_remote_closure_reference",
)
_TASK_EXECUTION = (
    "id",
    "created_at",
    "updated_at",
    "project",
    "domain",
    "name",
    "version",
    *_EXECUTION_KEY,
    "node_id",
    "retry_attempt",
    "phase",
    "phase_version",
    "input_uri",
    "started_at",
    "task_execution_created_at",
    "task_execution_updated_at",
    "duration",
)
_SIGNAL = ("id", "created_at", "updated_at", *_EXECUTION_KEY, "signal_id")


def _entity(model: Any, prefix: str, names: Sequence[str]) -> FilterableEntity:
    return FilterableEntity(code=FILTER_ENTITY_CODES[prefix], columns={name: getattr(model, name) for name in names})


def _joined(model: Any, prefix: str, names: Sequence[str]) -> tuple[Any, FilterableEntity]:
    """Another table under an alias named as its filter prefix, and its filterable columns there."""
    alias = aliased(model, name=prefix)
    return alias, _entity(alias, prefix, names)


def _only(prefix: str, entity: FilterableEntity) -> FilterScope:
    return FilterScope(default=prefix, entities={prefix: entity})


_TASK_ENTITY = _entity(Task, "task", _TASK)
_WORKFLOW_ENTITY = _entity(Workflow, "workflow", _WORKFLOW)
_LAUNCH_PLAN_ENTITY = _entity(LaunchPlan, "launch_plan", _LAUNCH_PLAN)
_EXECUTION_ENTITY = _entity(Execution, "execution", _EXECUTION)
_NODE_EXECUTION_ENTITY = _entity(NodeExecution, "node_execution", _NODE_EXECUTION)

_JOINED_TASK, _JOINED_TASK_ENTITY = _joined(Task, "task", _TASK)
_JOINED_WORKFLOW, _JOINED_WORKFLOW_ENTITY = _joined(Workflow, "workflow", _WORKFLOW)
_JOINED_LAUNCH_PLAN, _JOINED_LAUNCH_PLAN_ENTITY = _joined(LaunchPlan, "launch_plan", _LAUNCH_PLAN)
_JOINED_EXECUTION, _JOINED_EXECUTION_ENTITY = _joined(Execution, "execution", _EXECUTION)
_JOINED_NODE_EXECUTION, _JOINED_NODE_EXECUTION_ENTITY = _joined(NodeExecution, "node_execution", _NODE_EXECUTION)

# -- the registry ---------------------------------------------------------------------------------------------

TASKS = Listing(scope=_only("task", _TASK_ENTITY))
WORKFLOWS = Listing(scope=_only("workflow", _WORKFLOW_ENTITY))
LAUNCH_PLANS = Listing(
    scope=FilterScope(
        default="launch_plan", entities={"launch_plan": _LAUNCH_PLAN_ENTITY, "workflow": _JOINED_WORKFLOW_ENTITY}
    ),
    joins={"workflow": lambda s: s.join(_JOINED_WORKFLOW, _JOINED_WORKFLOW.id == LaunchPlan.workflow_id)},
)
ACTIVE_LAUNCH_PLANS = Listing(scope=_only("launch_plan", _LAUNCH_PLAN_ENTITY))
"""ListActiveLaunchPlans takes no filters and no sort: its pages go in id order."""


def _unarchived_projects(filters: Sequence[Filter]) -> list[ColumnElement[bool]]:
    """Archived projects are listed only when the request has filters (flyteadmin's rule)."""
    return [] if filters else [Project.state != project_pb2.Project.ARCHIVED]


PROJECTS = Listing(
    scope=_only("project", _entity(Project, "project", _PROJECT)),
    hidden=_unarchived_projects,
    default_sort=SortBy("identifier", ASCENDING),
)


def description_entities(prefix: str) -> Listing:
    """flyteadmin parses these filters as fields of the described entity (`t.name`, `w.link`) on this table."""
    return Listing(scope=_only(prefix, _entity(DescriptionEntity, prefix, _DESCRIPTION)))


# -- the execution side ---------------------------------------------------------------------------------------


def _unarchived_executions(filters: Sequence[Filter]) -> list[ColumnElement[bool]]:
    """Archived executions are hidden unless a filter names `state` (any entity's), as in flyteadmin."""
    if any(item.field == "state" for item in filters):
        return []
    return [Execution.state == execution_pb2.EXECUTION_ACTIVE]


def _same_execution(model: Any, other: Any) -> ColumnElement[bool]:
    return and_(*(getattr(model, name) == getattr(other, name) for name in _EXECUTION_KEY))


EXECUTIONS = Listing(
    scope=FilterScope(
        default="execution",
        entities={
            "execution": _EXECUTION_ENTITY,
            "launch_plan": _JOINED_LAUNCH_PLAN_ENTITY,
            "workflow": _JOINED_WORKFLOW_ENTITY,
            "task": _JOINED_TASK_ENTITY,
        },
    ),
    joins={
        "launch_plan": lambda s: s.join(_JOINED_LAUNCH_PLAN, _JOINED_LAUNCH_PLAN.id == Execution.launch_plan_id),
        "workflow": lambda s: s.join(_JOINED_WORKFLOW, _JOINED_WORKFLOW.id == Execution.workflow_id),
        "task": lambda s: s.join(_JOINED_TASK, _JOINED_TASK.id == Execution.task_id),
    },
    # Tags are matched through EXISTS on the execution's own tag rows, so no execution is listed twice
    # (flyteadmin joins tags on the execution name alone, duplicating rows and mixing projects). `admin_tag` (a
    # legacy table flyteadmin cannot actually join) is not offered.
    existence={
        "execution_tag": (
            _entity(ExecutionTag, "execution_tag", ("key", "value")),
            lambda: ExecutionTag.execution_id == Execution.id,
        )
    },
    hidden=_unarchived_executions,
)

NODE_EXECUTIONS = Listing(
    scope=FilterScope(
        default="node_execution",
        entities={"node_execution": _NODE_EXECUTION_ENTITY, "execution": _JOINED_EXECUTION_ENTITY},
    ),
    joins={"execution": lambda s: s.join(_JOINED_EXECUTION, _same_execution(NodeExecution, _JOINED_EXECUTION))},
)

TASK_EXECUTIONS = Listing(
    # `project`, `domain` and `name` are the task's (flyteadmin rewrites them to the execution's after checking
    # them against the task's columns, a quirk; `execution_project` etc. name the execution here).
    scope=FilterScope(
        default="task_execution",
        entities={
            "task_execution": _entity(TaskExecution, "task_execution", _TASK_EXECUTION),
            "task": _JOINED_TASK_ENTITY,
            "execution": _JOINED_EXECUTION_ENTITY,
            "node_execution": _JOINED_NODE_EXECUTION_ENTITY,
        },
    ),
    joins={
        "task": lambda s: s.join(
            _JOINED_TASK,
            and_(
                _JOINED_TASK.project == TaskExecution.project,
                _JOINED_TASK.domain == TaskExecution.domain,
                _JOINED_TASK.name == TaskExecution.name,
                _JOINED_TASK.version == TaskExecution.version,
            ),
        ),
        "execution": lambda s: s.join(_JOINED_EXECUTION, _same_execution(TaskExecution, _JOINED_EXECUTION)),
        "node_execution": lambda s: s.join(
            _JOINED_NODE_EXECUTION,
            and_(
                _same_execution(TaskExecution, _JOINED_NODE_EXECUTION),
                _JOINED_NODE_EXECUTION.node_id == TaskExecution.node_id,
            ),
        ),
    },
)

SIGNALS = Listing(scope=_only("signal", _entity(Signal, "signal", _SIGNAL)))
