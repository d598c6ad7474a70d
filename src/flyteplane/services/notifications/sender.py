"""Delivers the outbox: a background thread sends due messages over SMTP or to webhooks, retrying with backoff.

Nothing here runs on an engine or API thread: recording a phase only adds rows. A failed delivery is tried again
after 1, 2, 4 ... seconds (at most BACKOFF_CAP apart), MAX_ATTEMPTS times in all, then left as `failed` with its
last error. A message is claimed before it is sent (see store/models.py), so several processes on one database
may run senders; one that dies while sending leaves the message to be sent again after CLAIM seconds (delivery is
at least once).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from typing import Protocol

from flyteplane.config import Settings
from flyteplane.store.db import Database
from flyteplane.store.repositories import notifications
from flyteplane.store.repositories.notifications import NotificationMessage

__all__ = ["BACKOFF_CAP", "MAX_ATTEMPTS", "NotificationSender", "Outgoing", "smtp_session"]

log = logging.getLogger(__name__)

POLL = 0.5  # seconds between looks at the outbox
SEND_TIMEOUT = 15.0  # seconds a connection to an SMTP server or a webhook may take per step
CLAIM = timedelta(seconds=4 * SEND_TIMEOUT)  # a claimed message is due again after this (its sender died)
BACKOFF_BASE = 1.0
BACKOFF_CAP = 300.0
MAX_ATTEMPTS = 10
BATCH = 32
STOP_WAIT = 2.0  # seconds a stopping process waits for a delivery in progress
# Headers unfolded up to RFC 5322's line limit: the default 78 folds a typical subject right after "Subject:",
# which some readers show with a leading space.
EMAIL_POLICY = SMTP_POLICY.clone(max_line_length=998)


class DeliveryCounters(Protocol):
    """The process's metrics: deliveries and failures by channel and kind."""

    def delivered(self, channel: str, kind: str) -> None: ...

    def delivery_failed(self, channel: str, kind: str) -> None: ...


@dataclass(frozen=True)
class Outgoing:
    """A claimed message, detached from its session."""

    id: int
    kind: str
    channel: str
    target: str
    recipients: tuple[str, ...]
    subject: str
    body: str
    attempts: int

    @classmethod
    def of(cls, row: NotificationMessage) -> Outgoing:
        recipients = tuple(address for address in row.recipients.split(",") if address)
        return cls(row.id, row.kind, row.channel, row.target, recipients, row.subject, row.body, row.attempts)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def backoff(attempts: int) -> float:
    """Seconds before the next try after `attempts` failed ones."""
    return float(min(BACKOFF_CAP, BACKOFF_BASE * 2 ** max(0, attempts - 1)))


def smtp_session(settings: Settings, timeout: float = SEND_TIMEOUT) -> smtplib.SMTP:
    """A connection to the configured SMTP server, TLS and login done (a context manager that quits)."""
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if settings.smtp_tls == "ssl":
        smtp = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout)
    try:
        if settings.smtp_tls == "starttls":
            smtp.starttls(context=context)
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
    except BaseException:
        smtp.close()
        raise
    return smtp


class NotificationSender:
    def __init__(self, db: Database, settings: Settings, counters: DeliveryCounters | None = None) -> None:
        self.db = db
        self.settings = settings
        self.counters = counters
        self.channels = (["email"] if settings.smtp_host else []) + ["webhook"]
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="notifications", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            # Not the whole send timeout: a message being sent to a stalled server is sent again later by whichever
            # process next finds it due (its claim lapses), so shutting down need not wait for it.
            self._thread.join(timeout=STOP_WAIT)

    def wake(self) -> None:
        """Look at the outbox now (a phase with notifications was just recorded in this process)."""
        self._wake.set()

    def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                self.drain()
            except Exception:
                log.exception("sending notifications failed; trying again shortly")
            self._wake.wait(POLL)
            self._wake.clear()

    def drain(self) -> int:
        """Sends what is due now; returns how many messages were attempted."""
        with self.db.read() as session:
            due = notifications.due_ids(session, _now(), self.channels, BATCH)
        attempted = 0
        for message_id in due:
            if self._stopping.is_set():
                break
            now = _now()
            with self.db.transaction() as session:
                row = notifications.claim(session, message_id, now, now + CLAIM)
                outgoing = Outgoing.of(row) if row is not None else None
            if outgoing is None:
                continue  # another sender has it
            attempted += 1
            self._attempt(outgoing)
        return attempted

    def _attempt(self, message: Outgoing) -> None:
        try:
            if message.channel == "email":
                self._send_email(message)
            else:
                self._call_webhook(message)
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"[:2000]
            retry = message.attempts < MAX_ATTEMPTS
            retry_at = _now() + timedelta(seconds=backoff(message.attempts)) if retry else None
            log.warning(
                "notification %d (%s by %s) failed on attempt %d: %s%s",
                message.id,
                message.kind,
                message.channel,
                message.attempts,
                error,
                f"; next try in {backoff(message.attempts):.0f}s" if retry else "; giving up",
            )
            if self.counters is not None:
                self.counters.delivery_failed(message.channel, message.kind)
            with self.db.transaction() as session:
                notifications.settle(session, message.id, error=error, retry_at=retry_at, now=_now())
            return
        if self.counters is not None:
            self.counters.delivered(message.channel, message.kind)
        with self.db.transaction() as session:
            notifications.settle(session, message.id, error="", retry_at=None, now=_now())

    def _send_email(self, message: Outgoing) -> None:
        settings = self.settings
        email = EmailMessage(policy=EMAIL_POLICY)
        email["From"] = settings.smtp_sender
        email["To"] = ", ".join(message.recipients)
        email["Subject"] = message.subject
        email.set_content(message.body, subtype="html")
        with smtp_session(settings) as smtp:
            smtp.send_message(email)

    def _call_webhook(self, message: Outgoing) -> None:
        request = urllib.request.Request(
            message.target,
            data=message.body.encode(),
            headers={"Content-Type": "application/json", "User-Agent": "flyteplane-notifications"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=SEND_TIMEOUT) as response:
            response.read()
