"""Turns an execution's new phase into outbox messages, in the transaction that records the phase.

The execution's notifications were settled at its creation (its closure holds them: the request's own, else its
launch plan's unless `disable_all`, as flyteadmin decides). Each notification that names the phase becomes one
email (email, Slack and PagerDuty alike: flyteadmin sends all three as emails to their recipients) when SMTP is
configured, and one webhook call when a webhook URL is configured for its kind.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from flyteidl.admin import execution_pb2
from flyteidl.core import execution_pb2 as core_execution_pb2
from flyteidl.event import event_pb2
from sqlalchemy.orm import Session

from flyteplane.config import Settings
from flyteplane.services.notifications.messages import parameters, render, webhook_payload
from flyteplane.store.repositories import notifications
from flyteplane.store.repositories.executions import ExecutionRow
from flyteplane.store.repositories.notifications import NotificationMessage

__all__ = ["NotificationOutbox"]


@dataclass(frozen=True)
class NotificationOutbox:
    email: bool  # SMTP is configured
    webhooks: Mapping[str, str] = field(default_factory=dict)  # kind -> URL
    subject: str = ""
    body: str = ""
    console: str = ""  # the console's base URL, for links

    @classmethod
    def from_settings(cls, settings: Settings) -> NotificationOutbox:
        return cls(
            email=bool(settings.smtp_host),
            webhooks=dict(settings.notification_webhooks),
            subject=settings.notification_subject,
            body=settings.notification_body,
            console=f"{settings.advertised_url}/console",
        )

    @property
    def enabled(self) -> bool:
        return self.email or bool(self.webhooks)

    def record(self, session: Session, row: ExecutionRow, event: event_pb2.WorkflowExecutionEvent) -> int:
        """Adds the messages the execution's notifications want for `event`'s phase; returns how many."""
        if not self.enabled:
            return 0
        closure = execution_pb2.ExecutionClosure.FromString(row.closure)
        wanted = [n for n in closure.notifications if event.phase in n.phases]
        if not wanted:
            return 0
        execution = execution_pb2.Execution(
            id={"project": row.execution_project, "domain": row.execution_domain, "name": row.execution_name},
            spec=execution_pb2.ExecutionSpec.FromString(row.spec),
            closure=closure,
        )
        values = parameters(execution, event, self.console)
        phase = core_execution_pb2.WorkflowExecution.Phase.Name(event.phase)
        messages: list[NotificationMessage] = []
        for notification in wanted:
            kind = notification.WhichOneof("type")
            if kind is None:
                continue
            target = getattr(notification, kind)
            recipients = list(target.recipients_email)
            rendered = render(self.subject, self.body, target.template, values)
            common = {
                "execution_project": row.execution_project,
                "execution_domain": row.execution_domain,
                "execution_name": row.execution_name,
                "phase": phase,
                "kind": kind,
                "recipients": ",".join(recipients),
                "subject": rendered.subject,
            }
            if self.email:
                messages.append(NotificationMessage(channel="email", target="", body=rendered.body, **common))
            url = self.webhooks.get(kind)
            if url:
                payload = webhook_payload(kind, recipients, rendered, values, phase)
                messages.append(NotificationMessage(channel="webhook", target=url, body=payload, **common))
        notifications.add(session, messages)
        return len(messages)
