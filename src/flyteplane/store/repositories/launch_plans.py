"""What only launch plans have: one active version per name, and the schedules of active versions."""

from __future__ import annotations

from datetime import datetime

from flyteidl.admin import launch_plan_pb2
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from flyteplane.store import scopes
from flyteplane.store.listing import PageRequest, fetch_page
from flyteplane.store.models import LaunchPlan
from flyteplane.store.pagination import Page

__all__ = ["activate", "find_active", "list_active_page", "scheduled"]

INACTIVE = launch_plan_pb2.INACTIVE
ACTIVE = launch_plan_pb2.ACTIVE


def find_active(session: Session, project: str, domain: str, name: str) -> LaunchPlan | None:
    return session.scalar(
        select(LaunchPlan).where(
            LaunchPlan.project == project,
            LaunchPlan.domain == domain,
            LaunchPlan.name == name,
            LaunchPlan.state == ACTIVE,
        )
    )


def activate(session: Session, row: LaunchPlan) -> None:
    """Makes `row` the only active version of its name. The partial unique index on active versions makes a
    racing activation of another version fail this transaction with a Conflict."""
    session.execute(
        update(LaunchPlan)
        .where(
            LaunchPlan.project == row.project,
            LaunchPlan.domain == row.domain,
            LaunchPlan.name == row.name,
            LaunchPlan.state == ACTIVE,
        )
        .values(state=INACTIVE)
    )
    session.flush()
    row.state = ACTIVE


def list_active_page(session: Session, project: str, domain: str, limit: int, token: str) -> Page[LaunchPlan]:
    """ListActiveLaunchPlans: the active versions in a project and domain, in id order (no filters, no sort)."""
    stmt = select(LaunchPlan).where(
        LaunchPlan.project == project, LaunchPlan.domain == domain, LaunchPlan.state == ACTIVE
    )
    request = PageRequest(limit=limit, token=token)
    return fetch_page(
        session, stmt, scopes.ACTIVE_LAUNCH_PLANS, request, keys=[LaunchPlan.id], what="ListActiveLaunchPlans"
    )


def scheduled(session: Session) -> list[tuple[int, str, str, str, str, datetime]]:
    """(row id, project, domain, name, version, activated at) of every active version with a schedule, in id
    order; the partial index on them serves it."""
    stmt = (
        select(
            LaunchPlan.id,
            LaunchPlan.project,
            LaunchPlan.domain,
            LaunchPlan.name,
            LaunchPlan.version,
            LaunchPlan.updated_at,
        )
        .where(LaunchPlan.state == ACTIVE, LaunchPlan.schedule_type != "NONE")
        .order_by(LaunchPlan.id)
    )
    return [tuple(row) for row in session.execute(stmt)]  # type: ignore[misc]
