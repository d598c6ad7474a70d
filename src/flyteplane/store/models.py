"""Tables. Protobuf specs and closures are stored as bytes beside the indexed columns that queries use.

Column names follow flyteadmin's, because users write them in list filters and sort keys.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
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
        Index("ix_tasks_by_name", "project", "domain", "name", "created_at", "id"),
    )
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    project: Mapped[str] = mapped_column(String(255), nullable=False)
    domain: Mapped[str] = mapped_column(String(255), nullable=False)
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    version: Mapped[str] = mapped_column(String(255), nullable=False)
    closure: Mapped[bytes] = mapped_column(
        LargeBinary, nullable=False
    )  # TaskClosure (created_at from the row)
    digest: Mapped[str] = mapped_column(String(64), nullable=False)
    type: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    short_description: Mapped[str] = mapped_column(Text, nullable=False, default="")


class Workflow(Timestamped, Base):
    __tablename__ = "workflows"
    __table_args__ = (
        UniqueConstraint("project", "domain", "name", "version", name="uq_workflows_identity"),
        Index("ix_workflows_listing", "project", "domain", "created_at", "id"),
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
    closure: Mapped[bytes] = mapped_column(
        LargeBinary, nullable=False
    )  # LaunchPlanClosure (no state/timestamps)
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
    long_description: Mapped[bytes] = mapped_column(
        LargeBinary, nullable=False, default=b""
    )  # admin Description
    link: Mapped[str] = mapped_column(Text, nullable=False, default="")
    source_code: Mapped[bytes] = mapped_column(LargeBinary, nullable=False, default=b"")  # SourceCode


class MatchableAttribute(Timestamped, Base):
    """Matchable attributes (flyteadmin's `resources` table); an empty key part is a wildcard."""

    __tablename__ = "resources"
    __table_args__ = (
        UniqueConstraint(
            "project", "domain", "workflow", "launch_plan", "resource_type", name="uq_resources_identity"
        ),
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
