"""The sender: a refused delivery is retried later and later, then given up with its last error; a message is
claimed by one sender only; a delivered one is never sent again. Against a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import socket
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from flyteplane.config import Settings
from flyteplane.services.notifications.sender import MAX_ATTEMPTS, NotificationSender, backoff
from flyteplane.store.db import Database
from flyteplane.store.models import NotificationMessage
from flyteplane.store.repositories import notifications


class Refusing:
    """Refuses the first `refuse` messages with 451, then keeps them."""

    def __init__(self, refuse: int) -> None:
        self.refuse = refuse
        self.kept: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse > 0:
            self.refuse -= 1
            return "451 4.3.0 try again later"
        self.kept.append(envelope)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest) -> Database:
    """The services' migrated test database (tests/unit/databases.py), on SQLite and on PostgreSQL."""
    found: Database = request.getfixturevalue("db" if request.param == "sqlite" else "postgres_db")
    return found


def smtp(handler: Any) -> tuple[Controller, int]:
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, port


def add_message(db: Database) -> int:
    with db.transaction() as session:
        message = NotificationMessage(
            execution_project="p",
            execution_domain="d",
            execution_name="e",
            phase="SUCCEEDED",
            kind="email",
            channel="email",
            target="",
            recipients="a@example.com,b@example.com",
            subject="s",
            body="<b>b</b>",
        )
        notifications.add(session, [message])
        session.flush()
        return message.id


def row(db: Database, message_id: int) -> NotificationMessage:
    with db.read() as session:
        found = session.scalar(select(NotificationMessage).where(NotificationMessage.id == message_id))
        assert found is not None
        return found


def make_due(db: Database, message_id: int) -> None:
    with db.transaction() as session:
        session.execute(
            update(NotificationMessage)
            .where(NotificationMessage.id == message_id)
            .values(next_attempt_at=datetime(2000, 1, 1))
        )


def test_backoff_doubles_up_to_its_cap() -> None:
    assert [backoff(n) for n in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, 8.0]
    assert backoff(30) == 300.0


def test_a_refused_email_is_retried_later_and_later_then_given_up(database: Database, tmp_path: Path) -> None:
    handler = Refusing(refuse=MAX_ATTEMPTS)
    controller, port = smtp(handler)
    try:
        sender = NotificationSender(database, Settings(home=tmp_path, smtp_host="127.0.0.1", smtp_port=port))
        message = add_message(database)
        for attempt in range(1, MAX_ATTEMPTS + 1):
            before = datetime.utcnow()
            assert sender.drain() == 1
            found = row(database, message)
            assert found.attempts == attempt
            assert "451" in found.last_error and "try again later" in found.last_error
            if attempt < MAX_ATTEMPTS:
                assert found.state == "pending"
                assert found.next_attempt_at >= before + timedelta(seconds=backoff(attempt))
                assert sender.drain() == 0, "not due before its backoff is over"
                make_due(database, message)
        assert row(database, message).state == "failed"
        make_due(database, message)
        assert sender.drain() == 0, "given up for good"
        assert handler.kept == []
    finally:
        controller.stop()


def test_a_message_is_claimed_by_one_sender_and_sent_once(database: Database, tmp_path: Path) -> None:
    handler = Refusing(refuse=0)
    controller, port = smtp(handler)
    try:
        settings = Settings(home=tmp_path, smtp_host="127.0.0.1", smtp_port=port)
        message = add_message(database)
        now = datetime.utcnow()
        with database.transaction() as session:
            assert notifications.claim(session, message, now, now + timedelta(minutes=1)) is not None
        with database.transaction() as session:
            assert notifications.claim(session, message, now, now + timedelta(minutes=1)) is None, "claimed"
        assert NotificationSender(database, settings).drain() == 0, "another sender holds it"
        make_due(database, message)  # as if that sender died mid-send: the claim lapses
        assert NotificationSender(database, settings).drain() == 1
        found = row(database, message)
        assert (found.state, found.attempts, found.last_error) == ("sent", 2, "")
        make_due(database, message)
        assert NotificationSender(database, settings).drain() == 0, "sent messages are never sent again"
        (kept,) = handler.kept
        assert kept.rcpt_tos == ["a@example.com", "b@example.com"]
        assert b"Subject: s" in kept.content
    finally:
        controller.stop()


def test_a_sender_without_smtp_leaves_emails_to_a_process_that_has_it(database: Database, tmp_path: Path) -> None:
    message = add_message(database)
    assert NotificationSender(database, Settings(home=tmp_path)).drain() == 0
    assert row(database, message).attempts == 0
