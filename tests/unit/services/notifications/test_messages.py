"""What a notification says: flyteadmin's parameters in the subject and body, the notification's own template,
HTML-escaped values in the body, and the webhook payload a Slack incoming webhook also accepts."""

from __future__ import annotations

import json

from flyteidl.admin import execution_pb2
from flyteidl.core import execution_pb2 as core_execution_pb2
from flyteidl.core import identifier_pb2
from flyteidl.event import event_pb2

from flyteplane.config import NOTIFICATION_BODY, NOTIFICATION_SUBJECT
from flyteplane.services.notifications.messages import parameters, render, substitute, webhook_payload

Phase = core_execution_pb2.WorkflowExecution


def execution() -> execution_pb2.Execution:
    return execution_pb2.Execution(
        id=identifier_pb2.WorkflowExecutionIdentifier(project="p", domain="development", name="abc"),
        spec=execution_pb2.ExecutionSpec(
            launch_plan=identifier_pb2.Identifier(project="p", domain="development", name="lp", version="v2")
        ),
        closure=execution_pb2.ExecutionClosure(
            workflow_id=identifier_pb2.Identifier(project="p", domain="development", name="wf", version="v1")
        ),
    )


def failed(message: str) -> event_pb2.WorkflowExecutionEvent:
    return event_pb2.WorkflowExecutionEvent(
        phase=Phase.FAILED, error=core_execution_pb2.ExecutionError(code="E", message=message)
    )


def test_flyteadmins_parameters_with_and_without_spaces() -> None:
    values = parameters(execution(), event_pb2.WorkflowExecutionEvent(phase=Phase.SUCCEEDED), "http://h/console")
    text = "{{ project }}/{{domain}}/{{ name }} {{ phase }} {{ workflow.name }}@{{workflow.version}} "
    text += "{{ launch_plan.name }}"
    assert substitute(text + "{{ error }}", values) == "p/development/abc succeeded wf@v1 lp"
    assert parameters(execution(), failed("boom"), "")["error"] == " The execution failed with error: [boom]."


def test_the_default_email_and_a_notifications_own_template() -> None:
    values = parameters(execution(), failed("x < y & z"), "http://h:1/console")
    rendered = render(NOTIFICATION_SUBJECT, NOTIFICATION_BODY, "", values)
    assert rendered.subject == 'Notice: Execution "wf" has failed in "development".'
    assert rendered.body == (
        'Execution "wf [abc]" has failed in "development". View details at '
        '<a href="http://h:1/console/projects/p/domains/development/executions/abc">'
        "http://h:1/console/projects/p/domains/development/executions/abc</a>. The execution failed with error: "
        "[x &lt; y &amp; z]."
    )
    own = render(NOTIFICATION_SUBJECT, NOTIFICATION_BODY, "{{ name }} is {{ phase }}", values)
    assert own.body == "abc is failed"


def test_the_webhook_payload_says_what_happened_and_carries_a_slack_text() -> None:
    values = parameters(execution(), failed("boom"), "http://h/console")
    rendered = render(NOTIFICATION_SUBJECT, NOTIFICATION_BODY, "", values)
    payload = json.loads(webhook_payload("slack", ["a@b.c"], rendered, values, "FAILED"))
    assert payload["text"] == (
        'Notice: Execution "wf" has failed in "development". '
        "http://h/console/projects/p/domains/development/executions/abc"
    )
    assert payload["execution"] == {"project": "p", "domain": "development", "name": "abc"}
    assert payload["workflow"] == {"project": "p", "domain": "development", "name": "wf", "version": "v1"}
    assert payload["launch_plan"]["version"] == "v2"
    assert (payload["kind"], payload["phase"], payload["recipients"]) == ("slack", "FAILED", ["a@b.c"])
    assert payload["error"] == "The execution failed with error: [boom]."
