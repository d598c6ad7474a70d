"""What the execution-side List RPCs let filters and sort keys name (flyteadmin §4.3), and how they join.

ListExecutions may also filter on the launch plan, workflow and task an execution runs, and on its tags;
ListNodeExecutions on the execution; ListTaskExecutions on the task, the execution and the node execution.
Only columns are filterable, never the serialized specs and closures.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import and_, exists
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from flyteplane.store.filters import (
    Filter,
    FilterableEntity,
    FilterScope,
    build_conditions,
    parse_filters,
)
from flyteplane.store.models import (
    Execution,
    ExecutionTag,
    LaunchPlan,
    NodeExecution,
    Signal,
    Task,
    TaskExecution,
    Workflow,
)
from flyteplane.store.pagination import AnySelect

__all__ = [
    "EXECUTION_ENTITY",
    "NODE_EXECUTION_ENTITY",
    "SIGNAL_ENTITY",
    "TASK_EXECUTION_ENTITY",
    "Listing",
    "apply_filters",
    "execution_listing",
    "node_execution_listing",
    "signal_listing",
    "task_execution_listing",
    "trim_error_message",
]

TRIMMED_ERROR_BYTES = 100


def trim_error_message(message: str) -> str:
    """List results carry the first 100 bytes of an error message, cut back to valid UTF-8."""
    encoded = message.encode()
    if len(encoded) <= TRIMMED_ERROR_BYTES:
        return message
    return encoded[:TRIMMED_ERROR_BYTES].decode(errors="ignore")


def _columns(model: Any, names: Sequence[str]) -> dict[str, Any]:
    return {name: getattr(model, name) for name in names}


_EXECUTION_KEY = ("execution_project", "execution_domain", "execution_name")

EXECUTION_ENTITY = FilterableEntity(
    code="e",
    columns=_columns(
        Execution,
        (
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
        ),
    ),
)

NODE_EXECUTION_ENTITY = FilterableEntity(
    code="ne",
    columns=_columns(
        NodeExecution,
        (
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
        ),
    ),
)

TASK_EXECUTION_ENTITY = FilterableEntity(
    code="te",
    columns=_columns(
        TaskExecution,
        (
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
        ),
    ),
)

SIGNAL_ENTITY = FilterableEntity(
    code="s",
    columns=_columns(Signal, ("id", "created_at", "updated_at", *_EXECUTION_KEY, "signal_id")),
)

_TAG_ENTITY = FilterableEntity(code="et", columns=_columns(ExecutionTag, ("key", "value")))


def _aliased_entity(model: Any, alias_name: str, code: str, names: Sequence[str]) -> tuple[Any, FilterableEntity]:
    alias = aliased(model, name=alias_name)
    return alias, FilterableEntity(code=code, columns=_columns(alias, names))


_VERSIONED = ("id", "created_at", "updated_at", "project", "domain", "name", "version", "digest")
_JOINED_LAUNCH_PLAN, _LAUNCH_PLAN_ENTITY = _aliased_entity(
    LaunchPlan,
    "launch_plan",
    "l",
    (*_VERSIONED, "workflow_id", "state", "schedule_type", "launch_condition_type"),
)
_JOINED_WORKFLOW, _WORKFLOW_ENTITY = _aliased_entity(Workflow, "workflow", "w", (*_VERSIONED, "short_description"))
_JOINED_TASK, _TASK_ENTITY = _aliased_entity(Task, "task", "t", (*_VERSIONED, "type", "short_description"))
_JOINED_EXECUTION, _JOINED_EXECUTION_ENTITY = _aliased_entity(
    Execution, "execution", "e", tuple(EXECUTION_ENTITY.columns)
)
_JOINED_NODE_EXECUTION, _JOINED_NODE_EXECUTION_ENTITY = _aliased_entity(
    NodeExecution, "node_execution", "ne", tuple(NODE_EXECUTION_ENTITY.columns)
)

Join = Callable[[AnySelect], AnySelect]


class Listing:
    """One List RPC's filter scope, the joins its prefixes need, and the entities searched through EXISTS."""

    def __init__(
        self,
        scope: FilterScope,
        joins: Mapping[str, Join],
        existence: Mapping[str, tuple[FilterableEntity, Callable[[], ColumnElement[bool]]]] | None = None,
    ) -> None:
        self.scope = scope
        self.joins = joins
        self.existence = existence or {}

    @property
    def entity(self) -> FilterableEntity:
        return self.scope.entities[self.scope.default]


def apply_filters(stmt: AnySelect, listing: Listing, filters: str | Sequence[Filter]) -> AnySelect:
    """Adds a request's `filters` to a select of the listed entity, joining what the filters name."""
    parsed = parse_filters(filters) if isinstance(filters, str) else list(filters)
    direct = [item for item in parsed if item.entity not in listing.existence]
    conditions, used = build_conditions(direct, listing.scope)
    for prefix in sorted(used):
        stmt = listing.joins[prefix](stmt)
    for prefix, (entity, correlation) in listing.existence.items():
        wanted = [item for item in parsed if item.entity == prefix]
        if wanted:
            scoped, _ = build_conditions(wanted, FilterScope(default=prefix, entities={prefix: entity}))
            # Every condition must hold for one and the same row, as with flyteadmin's join.
            conditions.append(exists().where(correlation(), and_(*scoped)))
    return stmt.where(*conditions)


def _same_execution(model: Any) -> ColumnElement[bool]:
    return and_(*(getattr(model, name) == getattr(_JOINED_EXECUTION, name) for name in _EXECUTION_KEY))


def execution_listing() -> Listing:
    """Tags are matched through EXISTS on the execution's own tag rows, so no execution is listed twice
    (flyteadmin joins tags on the execution name alone, duplicating rows and mixing projects). `admin_tag` (a
    legacy table flyteadmin cannot actually join) is not offered."""
    return Listing(
        scope=FilterScope(
            default="execution",
            entities={
                "execution": EXECUTION_ENTITY,
                "launch_plan": _LAUNCH_PLAN_ENTITY,
                "workflow": _WORKFLOW_ENTITY,
                "task": _TASK_ENTITY,
            },
        ),
        joins={
            "launch_plan": lambda s: s.join(_JOINED_LAUNCH_PLAN, _JOINED_LAUNCH_PLAN.id == Execution.launch_plan_id),
            "workflow": lambda s: s.join(_JOINED_WORKFLOW, _JOINED_WORKFLOW.id == Execution.workflow_id),
            "task": lambda s: s.join(_JOINED_TASK, _JOINED_TASK.id == Execution.task_id),
        },
        existence={"execution_tag": (_TAG_ENTITY, lambda: ExecutionTag.execution_id == Execution.id)},
    )


def node_execution_listing() -> Listing:
    return Listing(
        scope=FilterScope(
            default="node_execution",
            entities={"node_execution": NODE_EXECUTION_ENTITY, "execution": _JOINED_EXECUTION_ENTITY},
        ),
        joins={"execution": lambda s: s.join(_JOINED_EXECUTION, _same_execution(NodeExecution))},
    )


def task_execution_listing() -> Listing:
    """`project`, `domain` and `name` are the task's (flyteadmin rewrites them to the execution's after
    checking them against the task's columns, a quirk; `execution_project` etc. name the execution here)."""
    node_key = and_(
        _same_node(TaskExecution),
        _JOINED_NODE_EXECUTION.node_id == TaskExecution.node_id,
    )
    return Listing(
        scope=FilterScope(
            default="task_execution",
            entities={
                "task_execution": TASK_EXECUTION_ENTITY,
                "task": _TASK_ENTITY,
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
            "execution": lambda s: s.join(_JOINED_EXECUTION, _same_execution(TaskExecution)),
            "node_execution": lambda s: s.join(_JOINED_NODE_EXECUTION, node_key),
        },
    )


def _same_node(model: Any) -> ColumnElement[bool]:
    return and_(*(getattr(model, name) == getattr(_JOINED_NODE_EXECUTION, name) for name in _EXECUTION_KEY))


def signal_listing() -> Listing:
    return Listing(scope=FilterScope(default="signal", entities={"signal": SIGNAL_ENTITY}), joins={})
