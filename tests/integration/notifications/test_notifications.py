"""Notifications are sent: a real SMTP server (aiosmtpd) and a real webhook receiver on 127.0.0.1, started here,
receive what launch plans and executions declare, on the phases they name, as flyteadmin words them. Delivery
never holds up the execution: it ends while the SMTP server is stalled, and the emails arrive once it answers,
after failed attempts that are retried."""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import socket
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import grpc
import pytest
from aiosmtpd.controller import Controller
from flyteidl.admin import common_pb2, execution_pb2
from flyteidl.core import execution_pb2 as core_execution_pb2
from flyteidl.core import literals_pb2
from flyteidl.service import admin_pb2_grpc
from flytekit import Email, LaunchPlan, PagerDuty, Slack, WorkflowExecutionPhase
from flytekit.tools.translator import Options
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine, text
from tests.integration.engine.support import (
    DOMAIN,
    VERSION,
    QuickRemote,
    finish,
    phase_name,
    register,
    use_engine_apps,
)
from tests.integration.server import RunningServer, start_server
from tests.integration.support import new_project
from tests.postgres import temporary_database

use_engine_apps()

WAIT = 120.0  # seconds for a delivery that is due to arrive (retries back off 1, 2, 4 ... s)


@dataclass
class Mail:
    recipients: list[str]
    message: email.message.EmailMessage


@dataclass
class MailHandler:
    """aiosmtpd's handler: holds each DATA until `gate` opens, refuses the first `refuse` with 451, keeps the rest."""

    refuse: int = 0
    gate: threading.Event = field(default_factory=threading.Event)
    received: list[Mail] = field(default_factory=list)
    refused: int = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.get_running_loop().run_in_executor(None, self.gate.wait)
        if self.refused < self.refuse:
            self.refused += 1
            return "451 4.3.0 try again later"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append(Mail(list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 OK"


class Hooks(BaseHTTPRequestHandler):
    calls: list[tuple[str, dict[str, Any]]]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.calls.append((self.path, json.loads(body)))  # type: ignore[attr-defined]
        self.send_response(204)
        self.end_headers()

    def log_message(self, *_args: Any) -> None:
        pass


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest) -> Iterator[str]:
    """The server's database URL ("" for SQLite under its home); the mail and webhook servers are per backend."""
    if request.param == "sqlite":
        yield ""
        return
    with temporary_database() as url:
        yield url


@pytest.fixture(scope="module")
def smtp(database: str) -> Iterator[tuple[MailHandler, int]]:
    handler = MailHandler(refuse=2)
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    assert controller.server.sockets[0].getsockname()[0] == "127.0.0.1"
    yield handler, port
    handler.gate.set()
    controller.stop()


@pytest.fixture(scope="module")
def hooks(database: str) -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hooks)
    server.calls = []  # type: ignore[attr-defined]
    assert server.server_address[0] == "127.0.0.1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, database: str, smtp: tuple[MailHandler, int], hooks: ThreadingHTTPServer
) -> Iterator[RunningServer]:
    home: Path = tmp_path_factory.mktemp("notifications")
    config = home / "settings.yaml"
    hook_url = f"http://127.0.0.1:{hooks.server_address[1]}"
    config.write_text(
        f"smtp_host: 127.0.0.1\nsmtp_port: {smtp[1]}\nsmtp_tls: none\nsmtp_sender: flyte@example.com\n"
        f"notification_webhooks:\n  slack: {hook_url}/slack\n  pager_duty: {hook_url}/pagerduty\n"
    )
    running = start_server(home, database, "--config", str(config))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def flyte(server: RunningServer) -> Any:
    return QuickRemote.for_endpoint(
        server.endpoint, insecure=True, default_project="flytesnacks", default_domain=DOMAIN
    )


@pytest.fixture(scope="module")
def project(flyte: Any) -> str:
    from flows import basics, failures

    project = new_project(flyte, "notify")
    register(flyte, project, basics.arithmetic)
    register(flyte, project, failures.hopeless)
    return project


def outbox(server: RunningServer, execution: str) -> list[tuple[str, str, str, int]]:
    """(kind, channel, state, attempts) of the execution's outbox rows, read from the server's database."""
    url = server.db.replace("postgresql://", "postgresql+psycopg://", 1) or f"sqlite:///{server.home / 'flyteplane.db'}"
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT kind, channel, state, attempts FROM notification_outbox WHERE execution_name = :name"
                    " ORDER BY id"
                ),
                {"name": execution},
            ).all()
    finally:
        engine.dispose()
    return [(kind, channel, state, attempts) for kind, channel, state, attempts in rows]


def scrape(server: RunningServer) -> dict[tuple[str, str, str], float]:
    """(sample, channel, kind) -> value of the notification metrics on the server's /metrics."""
    with urllib.request.urlopen(f"{server.url}/metrics", timeout=10) as response:
        text = response.read().decode()
    return {
        (sample.name, sample.labels["channel"], sample.labels["kind"]): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name in ("flyteplane_notifications_sent_total", "flyteplane_notification_failures_total")
    }


def integer(value: int) -> literals_pb2.Literal:
    return literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(integer=value)))


def wait_for(condition: Any, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, f"no {what} after {WAIT:.0f}s"
        time.sleep(0.1)


def test_launch_plan_notifications_are_sent_on_their_phases_without_holding_up_the_execution(
    flyte: Any, project: str, server: RunningServer, smtp: tuple[MailHandler, int], hooks: ThreadingHTTPServer
) -> None:
    from flows import basics

    mail, _port = smtp
    plan = LaunchPlan.get_or_create(
        basics.arithmetic,
        name="notify_arithmetic",
        default_inputs={"a": 1},
        notifications=[
            Email(phases=[WorkflowExecutionPhase.SUCCEEDED], recipients_email=["owner@example.com"]),
            Slack(phases=[WorkflowExecutionPhase.SUCCEEDED], recipients_email=["team@example.slack.com"]),
            PagerDuty(phases=[WorkflowExecutionPhase.FAILED], recipients_email=["oncall@example.pagerduty.com"]),
        ],
    )
    flyte.register_launch_plan(plan, version=VERSION, project=project, domain=DOMAIN)
    execution = finish(flyte, flyte.execute(plan, inputs={"a": 1}, project=project, domain=DOMAIN, version=VERSION))
    assert phase_name(execution.closure.phase) == "SUCCEEDED"
    name = execution.id.name
    # The execution ended while the SMTP server holds the first email: delivery is off the engine's path.
    assert mail.received == []
    assert sorted((kind, channel, state) for kind, channel, state, _attempts in outbox(server, name)) == [
        ("email", "email", "pending"),
        ("slack", "email", "pending"),
        ("slack", "webhook", "pending"),
    ], "written with the phase, none delivered yet"
    mail.gate.set()

    wait_for(lambda: len(mail.received) == 2, "two emails")
    assert mail.refused == 2, "the first two deliveries were refused and retried"
    by_recipient = {tuple(m.recipients): m.message for m in mail.received}
    assert set(by_recipient) == {("owner@example.com",), ("team@example.slack.com",)}
    owner = by_recipient[("owner@example.com",)]
    assert owner["From"] == "flyte@example.com"
    assert owner["To"] == "owner@example.com"
    assert owner["Subject"] == 'Notice: Execution "flows.basics.arithmetic" has succeeded in "development".'
    body = owner.get_content()
    assert owner.get_content_type() == "text/html"
    assert f'Execution "flows.basics.arithmetic [{name}]" has succeeded in "development".' in body
    assert f"{server.url}/console/projects/{project}/domains/development/executions/{name}" in body

    wait_for(lambda: len(hooks.calls) == 1, "webhook call")  # type: ignore[attr-defined]
    path, payload = hooks.calls[0]  # type: ignore[attr-defined]
    assert path == "/slack"
    assert payload["kind"] == "slack" and payload["phase"] == "SUCCEEDED"
    assert payload["execution"] == {"project": project, "domain": DOMAIN, "name": name}
    assert payload["launch_plan"]["name"] == "notify_arithmetic"
    assert payload["recipients"] == ["team@example.slack.com"]
    assert payload["text"].startswith('Notice: Execution "flows.basics.arithmetic" has succeeded')
    wait_for(lambda: all(state == "sent" for _k, _c, state, _a in outbox(server, name)), "sent states")
    metrics = scrape(server)
    assert metrics[("flyteplane_notifications_sent_total", "email", "email")] == 1
    assert metrics[("flyteplane_notifications_sent_total", "email", "slack")] == 1
    assert metrics[("flyteplane_notifications_sent_total", "webhook", "slack")] == 1
    assert (
        sum(v for (n, channel, _k), v in metrics.items() if n.startswith("flyteplane_notification_failures_total")) == 2
    )


def test_an_executions_own_notifications_replace_the_launch_plans_and_disable_all_silences_them(
    flyte: Any, project: str, server: RunningServer, smtp: tuple[MailHandler, int]
) -> None:
    mail, _port = smtp
    mail.gate.set()
    plan = flyte.fetch_launch_plan(project=project, domain=DOMAIN, name="notify_arithmetic", version=VERSION)
    # flytekit drops an execution's own notifications on the way (ExecutionSpec.to_flyte_idl tests a
    # NotificationList's truth, which is always false), so this request is made with flyteidl itself.
    own = execution_pb2.ExecutionCreateRequest(
        project=project,
        domain=DOMAIN,
        name=f"own-{uuid.uuid4().hex[:12]}",
        spec=execution_pb2.ExecutionSpec(
            launch_plan=plan.id.to_flyte_idl(),
            notifications=execution_pb2.NotificationList(
                notifications=[
                    common_pb2.Notification(
                        phases=[core_execution_pb2.WorkflowExecution.SUCCEEDED],
                        email=common_pb2.EmailNotification(recipients_email=["me@example.com"]),
                    )
                ]
            ),
        ),
        inputs=literals_pb2.LiteralMap(
            literals={
                "a": literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(integer=2)))
            }
        ),
    )
    with grpc.insecure_channel(server.endpoint) as channel:
        admin_pb2_grpc.AdminServiceStub(channel).CreateExecution(own)
    overridden = finish(flyte, flyte.fetch_execution(project=project, domain=DOMAIN, name=own.name))
    assert phase_name(overridden.closure.phase) == "SUCCEEDED"
    silenced = finish(
        flyte,
        flyte.execute(
            plan, inputs={"a": 3}, project=project, domain=DOMAIN, options=Options(disable_notifications=True)
        ),
    )
    assert outbox(server, silenced.id.name) == []
    assert [(kind, channel) for kind, channel, *_ in outbox(server, overridden.id.name)] == [("email", "email")]
    wait_for(lambda: any(m.recipients == ["me@example.com"] for m in mail.received), "the execution's own email")


def test_a_failure_sends_the_error_to_pagerduty_by_email_and_webhook(
    flyte: Any, project: str, server: RunningServer, smtp: tuple[MailHandler, int], hooks: ThreadingHTTPServer
) -> None:
    from flows import failures

    mail, _port = smtp
    mail.gate.set()
    plan = LaunchPlan.get_or_create(
        failures.hopeless,
        name="notify_hopeless",
        notifications=[
            PagerDuty(phases=[WorkflowExecutionPhase.FAILED], recipients_email=["oncall@example.pagerduty.com"]),
            Email(phases=[WorkflowExecutionPhase.SUCCEEDED], recipients_email=["owner@example.com"]),
        ],
    )
    flyte.register_launch_plan(plan, version=VERSION, project=project, domain=DOMAIN)
    execution = finish(flyte, flyte.execute(plan, inputs={"x": 1}, project=project, domain=DOMAIN, version=VERSION))
    assert phase_name(execution.closure.phase) == "FAILED"
    assert [(kind, channel) for kind, channel, *_ in outbox(server, execution.id.name)] == [
        ("pager_duty", "email"),
        ("pager_duty", "webhook"),
    ]
    wait_for(
        lambda: any(m.recipients == ["oncall@example.pagerduty.com"] for m in mail.received), "the PagerDuty email"
    )
    (paged,) = [m.message for m in mail.received if m.recipients == ["oncall@example.pagerduty.com"]]
    assert paged["Subject"] == 'Notice: Execution "flows.failures.hopeless" has failed in "development".'
    assert "The execution failed with error: [" in paged.get_content()
    assert "fails for good on 1" in paged.get_content()
    wait_for(lambda: any(path == "/pagerduty" for path, _ in hooks.calls), "the PagerDuty webhook")  # type: ignore[attr-defined]
