"""Tables. Protobuf specs and closures are stored as bytes beside the indexed columns that queries use.

Column names follow flyteadmin's, because users write them in list filters and sort keys.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    """Naive UTC: the same on SQLite and PostgreSQL, and it sorts correctly as text on SQLite."""
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow, nullable=False)


class Project(Timestamped, Base):
    __tablename__ = "projects"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    identifier: Mapped[str] = mapped_column(String(63), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    labels: Mapped[bytes] = mapped_column(LargeBinary, nullable=False, default=b"")
    state: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class Task(Timestamped, Base):
    __tablename__ = "tasks"
    __table_args__ = (
        UniqueConstraint("project", "domain", "name", "version", name="uq_tasks_identity"),
        Index("ix_tasks_listing", "project", "domain", "created_at", "id"),
        Index("ix_tasks_by_id", "project", "domain", "id"),  # the default order of a listing
        Index("ix_tasks_by_name", "project", "domain", "name", "created_at", "id"),
    )
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    project: Mapped[str] = mapped_column(String(255), nullable=False)
    domain: Mapped[str] = mapped_column(String(255), nullable=False)
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    version: Mapped[str] = mapped_column(String(255), nullable=False)
    closure: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)  # TaskClosure (created_at from the row)
    digest: Mapped[str] = mapped_column(String(64), nullable=False)
    type: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    short_description: Mapped[str] = mapped_column(Text, nullable=False, default="")


class Workflow(Timestamped, Base):
    __tablename__ = "workflows"
    __table_args__ = (
        UniqueConstraint("project", "domain", "name", "version", name="uq_workflows_identity"),
        Index("ix_workflows_listing", "project", "domain", "created_at", "id"),
        Index("ix_workflows_by_id", "project", "domain", "id"),  # the default order of a listing
        Index("ix_workflows_by_name", "project", "domain", "name", "created_at", "id"),
    )
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    project: Mapped[str] = mapped_column(String(255), nullable=False)
    domain: Mapped[str] = mapped_column(String(255), nullable=False)
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    version: Mapped[str] = mapped_column(String(255), nullable=False)
    typed_interface: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)  # TypedInterface
    closure: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)  # CompiledWorkflowClosure
    digest: Mapped[str] = mapped_column(String(64), nullable=False)
    short_description: Mapped[str] = mapped_column(Text, nullable=False, default="")


class LaunchPlan(Timestamped, Base):
    __tablename__ = "launch_plans"
    __table_args__ = (
        UniqueConstraint("project", "domain", "name", "version", name="uq_launch_plans_identity"),
        Index("ix_launch_plans_listing", "project", "domain", "created_at", "id"),
        Index("ix_launch_plans_by_id", "project", "domain", "id"),  # the default order of a listing
        Index("ix_launch_plans_by_name", "project", "domain", "name", "created_at", "id"),
        # At most one active version per launch plan name, enforced by the database itself.
        Index(
            "uq_launch_plans_active",
            "project",
            "domain",
            "name",
            unique=True,
            sqlite_where=text("state = 1"),
            postgresql_where=text("state = 1"),
        ),
    )
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    project: Mapped[str] = mapped_column(String(255), nullable=False)
    domain: Mapped[str] = mapped_column(String(255), nullable=False)
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    version: Mapped[str] = mapped_column(String(255), nullable=False)
    workflow_id: Mapped[int] = mapped_column(ForeignKey("workflows.id"), nullable=False, index=True)
    spec: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)  # LaunchPlanSpec
    closure: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)  # LaunchPlanClosure (no state/timestamps)
    state: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    digest: Mapped[str] = mapped_column(String(64), nullable=False)
    schedule_type: Mapped[str] = mapped_column(String(16), nullable=False, default="NONE")
    launch_condition_type: Mapped[str] = mapped_column(String(32), nullable=False, default="")


class NamedEntityMetadata(Timestamped, Base):
    __tablename__ = "named_entity_metadata"
    resource_type: Mapped[int] = mapped_column(Integer, primary_key=True)
    project: Mapped[str] = mapped_column(String(255), primary_key=True)
    domain: Mapped[str] = mapped_column(String(255), primary_key=True)
    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    state: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class DescriptionEntity(Timestamped, Base):
    __tablename__ = "description_entities"
    __table_args__ = (
        UniqueConstraint(
            "resource_type", "project", "domain", "name", "version", name="uq_description_entities_identity"
        ),
    )
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    resource_type: Mapped[int] = mapped_column(Integer, nullable=False)
    project: Mapped[str] = mapped_column(String(255), nullable=False)
    domain: Mapped[str] = mapped_column(String(255), nullable=False)
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    version: Mapped[str] = mapped_column(String(255), nullable=False)
    short_description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    long_description: Mapped[bytes] = mapped_column(LargeBinary, nullable=False, default=b"")  # admin Description
    link: Mapped[str] = mapped_column(Text, nullable=False, default="")
    source_code: Mapped[bytes] = mapped_column(LargeBinary, nullable=False, default=b"")  # SourceCode


class MatchableAttribute(Timestamped, Base):
    """Matchable attributes (flyteadmin's `resources` table); an empty key part is a wildcard."""

    __tablename__ = "resources"
    __table_args__ = (
        UniqueConstraint("project", "domain", "workflow", "launch_plan", "resource_type", name="uq_resources_identity"),
        Index("ix_resources_type_priority", "resource_type", "priority"),
    )
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    project: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    domain: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    workflow: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    launch_plan: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    resource_type: Mapped[str] = mapped_column(String(64), nullable=False)
    priority: Mapped[int] = mapped_column(Integer, nullable=False)
    attributes: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)  # MatchingAttributes


def _big_id() -> Mapped[int]:
    return mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)


class Execution(Timestamped, Base):
    """A workflow execution: admin's record (spec, closure) plus the columns lists filter on."""

    __tablename__ = "executions"
    __table_args__ = (
        UniqueConstraint("execution_project", "execution_domain", "execution_name", name="uq_executions_identity"),
        Index("ix_executions_listing", "execution_project", "execution_domain", "created_at", "id"),
        Index("ix_executions_phase", "phase"),
        Index("ix_executions_launch_plan", "launch_plan_id", "phase"),
        Index("ix_executions_parent", "parent_node_execution_id"),
    )
    id: Mapped[int] = _big_id()
    execution_project: Mapped[str] = mapped_column(String(255), nullable=False)
    execution_domain: Mapped[str] = mapped_column(String(255), nullable=False)
    execution_name: Mapped[str] = mapped_column(String(255), nullable=False)
    launch_plan_id: Mapped[int | None] = mapped_column(ForeignKey("launch_plans.id"), nullable=True)
    workflow_id: Mapped[int] = mapped_column(ForeignKey("workflows.id"), nullable=False)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id"), nullable=True)
    phase: Mapped[str] = mapped_column(String(32), nullable=False, default="UNDEFINED")
    spec: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)  # admin ExecutionSpec (inputs cleared)
    closure: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)  # admin ExecutionClosure
    started_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    execution_created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    execution_updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    duration: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)  # nanoseconds
    abort_cause: Mapped[str] = mapped_column(Text, nullable=False, default="")
    mode: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    source_execution_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    parent_node_execution_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    cluster: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    inputs_uri: Mapped[str] = mapped_column(Text, nullable=False, default="")
    user_inputs_uri: Mapped[str] = mapped_column(Text, nullable=False, default="")
    error_kind: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    error_code: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    user: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    state: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    launch_entity: Mapped[str] = mapped_column(String(32), nullable=False, default="launch_plan")
    scheduled_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    # The effective admin WorkflowExecutionConfig (request, launch plan, matchable attributes and platform defaults
    # merged) the engine runs with; flyteadmin hands it to propeller in the workflow CRD. NULL before 0003.
    execution_config: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)


class ExecutionTag(Base):
    """Labels (key, value) and tags (tag, "") of an execution, for `execution_tag.` / `admin_tag.` filters."""

    __tablename__ = "execution_tags"
    __table_args__ = (Index("ix_execution_tags_key_value", "key", "value"),)
    execution_id: Mapped[int] = mapped_column(ForeignKey("executions.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[str] = mapped_column(String(255), nullable=False, default="")


class NodeExecution(Timestamped, Base):
    __tablename__ = "node_executions"
    __table_args__ = (
        UniqueConstraint(
            "execution_project", "execution_domain", "execution_name", "node_id", name="uq_node_executions_identity"
        ),
        Index("ix_node_executions_parent", "parent_id"),
        Index("ix_node_executions_parent_task", "parent_task_execution_id"),
    )
    id: Mapped[int] = _big_id()
    execution_project: Mapped[str] = mapped_column(String(255), nullable=False)
    execution_domain: Mapped[str] = mapped_column(String(255), nullable=False)
    execution_name: Mapped[str] = mapped_column(String(255), nullable=False)
    node_id: Mapped[str] = mapped_column(String(255), nullable=False)  # the unique id, e.g. n0-0-n1
    phase: Mapped[str] = mapped_column(String(32), nullable=False, default="UNDEFINED")
    input_uri: Mapped[str] = mapped_column(Text, nullable=False, default="")
    closure: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)  # admin NodeExecutionClosure
    started_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    node_execution_created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    node_execution_updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    duration: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    node_execution_metadata: Mapped[bytes] = mapped_column(
        LargeBinary, nullable=False, default=b""
    )  # NodeExecutionMetaData
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("node_executions.id"), nullable=True)
    parent_task_execution_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    error_kind: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    error_code: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    cache_status: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    dynamic_workflow_remote_closure_reference: Mapped[str] = mapped_column(Text, nullable=False, default="")
    internal_data: Mapped[bytes] = mapped_column(LargeBinary, nullable=False, default=b"")
    is_parent: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    is_dynamic: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    is_array: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class TaskExecution(Timestamped, Base):
    __tablename__ = "task_executions"
    __table_args__ = (
        UniqueConstraint(
            "execution_project",
            "execution_domain",
            "execution_name",
            "node_id",
            "project",
            "domain",
            "name",
            "version",
            "retry_attempt",
            name="uq_task_executions_identity",
        ),
    )
    id: Mapped[int] = _big_id()
    project: Mapped[str] = mapped_column(String(255), nullable=False)
    domain: Mapped[str] = mapped_column(String(255), nullable=False)
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    version: Mapped[str] = mapped_column(String(255), nullable=False)
    execution_project: Mapped[str] = mapped_column(String(255), nullable=False)
    execution_domain: Mapped[str] = mapped_column(String(255), nullable=False)
    execution_name: Mapped[str] = mapped_column(String(255), nullable=False)
    node_id: Mapped[str] = mapped_column(String(255), nullable=False)
    retry_attempt: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    phase: Mapped[str] = mapped_column(String(32), nullable=False, default="UNDEFINED")
    phase_version: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    input_uri: Mapped[str] = mapped_column(Text, nullable=False, default="")
    closure: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)  # admin TaskExecutionClosure
    started_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    task_execution_created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    task_execution_updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    duration: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)


class Signal(Timestamped, Base):
    __tablename__ = "signals"
    __table_args__ = (
        UniqueConstraint(
            "execution_project", "execution_domain", "execution_name", "signal_id", name="uq_signals_identity"
        ),
    )
    id: Mapped[int] = _big_id()
    execution_project: Mapped[str] = mapped_column(String(255), nullable=False)
    execution_domain: Mapped[str] = mapped_column(String(255), nullable=False)
    execution_name: Mapped[str] = mapped_column(String(255), nullable=False)
    signal_id: Mapped[str] = mapped_column(String(255), nullable=False)
    type: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)  # core LiteralType
    value: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)  # core Literal once set


class EngineWorkflow(Base):
    """The engine's queue and durable state of one execution (what propeller keeps in the FlyteWorkflow CRD).

    Only `engine/queue.py` reads or writes this table. `state` is the engine's own serialized document;
    `lease_owner`/`lease_expires_at` let several engine workers share executions, and `next_evaluation_at` says
    when the execution next needs a look.
    """

    __tablename__ = "engine_workflows"
    __table_args__ = (
        Index("ix_engine_workflows_due", "done", "next_evaluation_at"),
        UniqueConstraint(
            "execution_project", "execution_domain", "execution_name", name="uq_engine_workflows_identity"
        ),
    )
    execution_id: Mapped[int] = mapped_column(ForeignKey("executions.id", ondelete="CASCADE"), primary_key=True)
    # What to run, decided once by CreateExecution: the execution's identity, its effective spec (request, launch
    # plan and matchable attributes resolved), the workflow it runs and where its inputs are.
    execution_project: Mapped[str] = mapped_column(String(255), nullable=False)
    execution_domain: Mapped[str] = mapped_column(String(255), nullable=False)
    execution_name: Mapped[str] = mapped_column(String(255), nullable=False)
    spec: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    workflow: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    inputs_uri: Mapped[str] = mapped_column(Text, nullable=False, default="")
    state: Mapped[bytes] = mapped_column(LargeBinary, nullable=False, default=b"")
    revision: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    done: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    abort_requested: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    next_evaluation_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    lease_owner: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow, nullable=False)


class CachedOutput(Base):
    """Task cache (what datacatalog keeps): outputs of a cacheable task by dataset and input tag.

    `reservation_owner` / `reservation_expires_at` serialize concurrent runs of the same cache key
    (cache_serializable tasks): one runs, the others wait and then hit the cache.
    """

    __tablename__ = "cached_outputs"
    __table_args__ = (
        UniqueConstraint(
            "dataset_project", "dataset_domain", "dataset_name", "dataset_version", "tag", name="uq_cache_key"
        ),
    )
    id: Mapped[int] = _big_id()
    dataset_project: Mapped[str] = mapped_column(String(255), nullable=False)
    dataset_domain: Mapped[str] = mapped_column(String(255), nullable=False)
    dataset_name: Mapped[str] = mapped_column(String(255), nullable=False)
    dataset_version: Mapped[str] = mapped_column(String(255), nullable=False)
    tag: Mapped[str] = mapped_column(String(128), nullable=False)
    outputs: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)  # core LiteralMap; None: reserved only
    task_version: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    source_execution: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    source_node: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    reservation_owner: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    reservation_expires_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow, nullable=False)


class ScheduleProgress(Base):
    """How far the schedule of one active launch-plan version has got, shared by every scheduler on the database.

    `activation` is the launch plan's `updated_at` when this progress began: a different value means the version
    was deactivated and activated again since, so its schedule starts afresh. `anchor` is when a scheduler first
    saw that activation (fixed rates count their intervals from it); `last_execution_time` is the latest scheduled
    time already handled — fired, or passed over by the catch-up policy. All three are naive UTC.
    """

    __tablename__ = "schedule_progress"
    launch_plan_id: Mapped[int] = mapped_column(
        ForeignKey("launch_plans.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    activation: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    anchor: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    last_execution_time: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow, nullable=False)


# A launch plan's scheduled executions in the order of their scheduled times.
Index("ix_executions_launch_plan_scheduled", Execution.launch_plan_id, Execution.scheduled_at)
# The few launch plans the scheduler polls for twice a second: active ones with a schedule.
_SCHEDULED = "state = 1 AND schedule_type <> 'NONE'"
Index("ix_launch_plans_scheduled", LaunchPlan.id, sqlite_where=text(_SCHEDULED), postgresql_where=text(_SCHEDULED))
# --- end scheduler ---
