"""Tables. Protobuf specs and closures are stored as bytes beside the indexed columns that queries use.

Column names follow flyteadmin's, because users write them in list filters and sort keys.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

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


def _big_id() -> Mapped[int]:
    return mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)


_VERSION_IDENTITY = ("project", "domain", "name", "version")
_EXECUTION_KEY = ("execution_project", "execution_domain", "execution_name")


class VersionIdentity:
    """The identity of a task, workflow or launch plan version (or of the task version an attempt runs)."""

    project: Mapped[str] = mapped_column(String(255), nullable=False)
    domain: Mapped[str] = mapped_column(String(255), nullable=False)
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    version: Mapped[str] = mapped_column(String(255), nullable=False)


class Versioned(VersionIdentity, Timestamped):
    """What tasks, workflows and launch plans share: an id, their identity and the digest of their content."""

    id: Mapped[int] = _big_id()
    digest: Mapped[str] = mapped_column(String(64), nullable=False)


class InExecution:
    """Rows of one execution, or the execution itself: keyed by the execution's project, domain and name."""

    execution_project: Mapped[str] = mapped_column(String(255), nullable=False)
    execution_domain: Mapped[str] = mapped_column(String(255), nullable=False)
    execution_name: Mapped[str] = mapped_column(String(255), nullable=False)


def _versioned_table_args(table: str) -> tuple[Any, ...]:
    """The identity of a versioned table and the indexes its listings walk (the default order is by id)."""
    return (
        UniqueConstraint(*_VERSION_IDENTITY, name=f"uq_{table}_identity"),
        Index(f"ix_{table}_listing", "project", "domain", "created_at", "id"),
        Index(f"ix_{table}_by_id", "project", "domain", "id"),
        Index(f"ix_{table}_by_name", "project", "domain", "name", "created_at", "id"),
    )


class Project(Timestamped, Base):
    __tablename__ = "projects"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    identifier: Mapped[str] = mapped_column(String(63), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    labels: Mapped[bytes] = mapped_column(LargeBinary, nullable=False, default=b"")
    state: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class Task(Versioned, Base):
    __tablename__ = "tasks"
    __table_args__ = _versioned_table_args("tasks")
    closure: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)  # TaskClosure (created_at from the row)
    type: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    short_description: Mapped[str] = mapped_column(Text, nullable=False, default="")


class Workflow(Versioned, Base):
    __tablename__ = "workflows"
    __table_args__ = _versioned_table_args("workflows")
    typed_interface: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)  # TypedInterface
    closure: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)  # CompiledWorkflowClosure
    short_description: Mapped[str] = mapped_column(Text, nullable=False, default="")


class LaunchPlan(Versioned, Base):
    __tablename__ = "launch_plans"
    __table_args__ = (
        *_versioned_table_args("launch_plans"),
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
    workflow_id: Mapped[int] = mapped_column(ForeignKey("workflows.id"), nullable=False, index=True)
    spec: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)  # LaunchPlanSpec
    closure: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)  # LaunchPlanClosure (no state/timestamps)
    state: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
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


class Execution(InExecution, Timestamped, Base):
    """A workflow execution: admin's record (spec, closure) plus the columns lists filter on."""

    __tablename__ = "executions"
    __table_args__ = (
        UniqueConstraint(*_EXECUTION_KEY, name="uq_executions_identity"),
        Index("ix_executions_listing", "execution_project", "execution_domain", "created_at", "id"),
        Index("ix_executions_phase", "phase"),
        Index("ix_executions_launch_plan", "launch_plan_id", "phase"),
        Index("ix_executions_parent", "parent_node_execution_id"),
    )
    id: Mapped[int] = _big_id()
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


class Attempted:
    """What node executions and task attempts record as they run: phase, inputs, closure, start and duration."""

    phase: Mapped[str] = mapped_column(String(32), nullable=False, default="UNDEFINED")
    input_uri: Mapped[str] = mapped_column(Text, nullable=False, default="")
    closure: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)  # admin Node/TaskExecutionClosure
    started_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    duration: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)  # nanoseconds


class NodeExecution(Attempted, InExecution, Timestamped, Base):
    __tablename__ = "node_executions"
    __table_args__ = (
        UniqueConstraint(*_EXECUTION_KEY, "node_id", name="uq_node_executions_identity"),
        Index("ix_node_executions_parent", "parent_id"),
        Index("ix_node_executions_parent_task", "parent_task_execution_id"),
    )
    id: Mapped[int] = _big_id()
    node_id: Mapped[str] = mapped_column(String(255), nullable=False)  # the unique id, e.g. n0-0-n1
    node_execution_created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    node_execution_updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
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


class TaskExecution(Attempted, VersionIdentity, InExecution, Timestamped, Base):
    __tablename__ = "task_executions"
    __table_args__ = (
        UniqueConstraint(
            *_EXECUTION_KEY, "node_id", *_VERSION_IDENTITY, "retry_attempt", name="uq_task_executions_identity"
        ),
    )
    id: Mapped[int] = _big_id()
    node_id: Mapped[str] = mapped_column(String(255), nullable=False)
    retry_attempt: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    phase_version: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    task_execution_created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    task_execution_updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)


class Signal(InExecution, Timestamped, Base):
    __tablename__ = "signals"
    __table_args__ = (UniqueConstraint(*_EXECUTION_KEY, "signal_id", name="uq_signals_identity"),)
    id: Mapped[int] = _big_id()
    signal_id: Mapped[str] = mapped_column(String(255), nullable=False)
    type: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)  # core LiteralType
    value: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)  # core Literal once set


class EngineWorkflow(InExecution, Base):
    """The engine's queue and durable state of one execution (what propeller keeps in the FlyteWorkflow CRD).

    Only `engine/queue.py` reads or writes this table. `state` is the engine's own serialized document;
    `lease_owner` names the engine that holds the execution (for as long as that engine's heartbeat in `engines`
    is fresh), and `next_evaluation_at` says when the execution next needs a look.
    """

    __tablename__ = "engine_workflows"
    __table_args__ = (
        Index("ix_engine_workflows_due", "done", "next_evaluation_at"),
        UniqueConstraint(*_EXECUTION_KEY, name="uq_engine_workflows_identity"),
    )
    execution_id: Mapped[int] = mapped_column(ForeignKey("executions.id", ondelete="CASCADE"), primary_key=True)
    # What to run, decided once by CreateExecution: the execution's identity (InExecution), its effective spec
    # (request, launch plan and matchable attributes resolved), the workflow it runs and where its inputs are.
    spec: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    workflow: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    inputs_uri: Mapped[str] = mapped_column(Text, nullable=False, default="")
    state: Mapped[bytes] = mapped_column(LargeBinary, nullable=False, default=b"")
    revision: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    done: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    abort_requested: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    next_evaluation_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    lease_owner: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow, nullable=False)


class EngineHeartbeat(Base):
    """An engine running on this database and when it last said so. An engine whose heartbeat is older than the
    lease has died or stalled: the executions it held are anyone's (only `engine/queue.py` uses this table)."""

    __tablename__ = "engines"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    host: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    pid: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    heartbeat_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)


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


class NotificationMessage(Base):
    """The notification outbox: one message to deliver (an email, or a webhook call) for one execution's phase.

    Written in the transaction that records the execution's phase, so a message exists exactly when the phase
    does; `services/notifications/` renders it then and a sender thread delivers it later, with retries. A sender
    claims a message by moving `next_attempt_at` past its send timeout (compare-and-set), so two processes on one
    database never send it at once; one that dies mid-send leaves it to be retried after that timeout.
    """

    __tablename__ = "notification_outbox"
    __table_args__ = (Index("ix_notification_outbox_due", "state", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    execution_project: Mapped[str] = mapped_column(String(255), nullable=False)
    execution_domain: Mapped[str] = mapped_column(String(255), nullable=False)
    execution_name: Mapped[str] = mapped_column(String(255), nullable=False)
    phase: Mapped[str] = mapped_column(String(32), nullable=False)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)  # email, slack or pager_duty (the notification's)
    channel: Mapped[str] = mapped_column(String(32), nullable=False)  # email (SMTP) or webhook
    target: Mapped[str] = mapped_column(Text, nullable=False, default="")  # the webhook's URL; "" for email
    recipients: Mapped[str] = mapped_column(Text, nullable=False, default="")  # comma-separated addresses
    subject: Mapped[str] = mapped_column(Text, nullable=False, default="")
    body: Mapped[str] = mapped_column(Text, nullable=False, default="")  # email: HTML; webhook: the JSON payload
    state: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")  # pending, sent or failed
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    last_error: Mapped[str] = mapped_column(Text, nullable=False, default="")
    sent_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)


# A launch plan's scheduled executions in the order of their scheduled times.
Index("ix_executions_launch_plan_scheduled", Execution.launch_plan_id, Execution.scheduled_at)
# The few launch plans the scheduler polls for twice a second: active ones with a schedule.
_SCHEDULED = "state = 1 AND schedule_type <> 'NONE'"
Index("ix_launch_plans_scheduled", LaunchPlan.id, sqlite_where=text(_SCHEDULED), postgresql_where=text(_SCHEDULED))
