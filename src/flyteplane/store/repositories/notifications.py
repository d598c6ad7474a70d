"""The notification outbox: messages written with an execution's phase, claimed and settled by senders."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from flyteplane.store.models import NotificationMessage

__all__ = ["PENDING", "NotificationMessage", "add", "claim", "due_ids", "sent", "settle"]

PENDING, SENT, FAILED = "pending", "sent", "failed"


def add(session: Session, messages: Sequence[NotificationMessage]) -> None:
    """Joins the caller's transaction (the one recording the phase)."""
    session.add_all(messages)


def due_ids(session: Session, now: datetime, channels: Sequence[str], limit: int) -> list[int]:
    """Pending messages of these channels whose next attempt is due, oldest first (on the due index)."""
    return list(
        session.scalars(
            select(NotificationMessage.id)
            .where(
                NotificationMessage.state == PENDING,
                NotificationMessage.next_attempt_at <= now,
                NotificationMessage.channel.in_(channels),
            )
            .order_by(NotificationMessage.next_attempt_at, NotificationMessage.id)
            .limit(limit)
        )
    )


def claim(session: Session, message_id: int, now: datetime, until: datetime) -> NotificationMessage | None:
    """Takes a due message for one attempt (no other sender sees it due before `until`); None if another got
    it first."""
    result = session.execute(
        update(NotificationMessage)
        .where(
            NotificationMessage.id == message_id,
            NotificationMessage.state == PENDING,
            NotificationMessage.next_attempt_at <= now,
        )
        .values(next_attempt_at=until, attempts=NotificationMessage.attempts + 1)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return None
    return session.get(NotificationMessage, message_id, populate_existing=True)


def settle(session: Session, message_id: int, *, error: str, retry_at: datetime | None, now: datetime) -> None:
    """Records an attempt's end: delivered (`error` empty), to be retried at `retry_at`, or given up (None)."""
    if not error:
        values: dict[str, object] = {"state": SENT, "sent_at": now, "last_error": ""}
    elif retry_at is not None:
        values = {"next_attempt_at": retry_at, "last_error": error}
    else:
        values = {"state": FAILED, "last_error": error}
    session.execute(update(NotificationMessage).where(NotificationMessage.id == message_id).values(**values))


def sent(session: Session, message_id: int) -> bool:
    return session.scalar(select(NotificationMessage.state).where(NotificationMessage.id == message_id)) == SENT
