"""Notifications launch plans and executions declare (email, Slack, PagerDuty): rendered into the outbox with the
phase they name, delivered by a sender thread over SMTP (flyteadmin delivers all three kinds as emails) and to an
optional webhook per kind."""
