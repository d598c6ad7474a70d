"""Notification checks shared by launch plans and executions."""

from __future__ import annotations

from typing import Any

from flyteplane.errors import InvalidArgument


def validate_notification(notification: Any) -> None:
    """Each notification needs a known type, at least one non-empty recipient and only terminal phases (§6.10)."""
    kind = notification.WhichOneof("type")
    if kind is None:
        raise InvalidArgument("invalid value for notification type")
    recipients = getattr(notification, kind).recipients_email
    if not recipients:
        raise InvalidArgument("missing recipients")
    if any(not recipient for recipient in recipients):
        raise InvalidArgument("missing recipient")
    terminal = {4, 6, 7, 8}  # SUCCEEDED, FAILED, ABORTED, TIMED_OUT
    for phase in notification.phases:
        if phase not in terminal:
            raise InvalidArgument("invalid value for phase")
