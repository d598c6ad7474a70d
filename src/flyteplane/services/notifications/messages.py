"""What a notification says: flyteadmin's email templates and parameters, and the webhook's JSON payload.

flyteadmin fills `{{ name }}`-style parameters (with or without the spaces) into a configured subject and body;
a notification's own `template` replaces the body. The parameters are the execution's project, domain and name,
its phase in lower case, the error (" The execution failed with error: [...]." or nothing), and the project,
domain, name and version of its workflow and launch plan. flyteplane adds `{{ console }}`, the console's URL.
The default subject and body (settings `notification_subject`, `notification_body`) are the ones flyteadmin's
documentation shows.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from dataclasses import dataclass

from flyteidl.admin import execution_pb2
from flyteidl.core import execution_pb2 as core_execution_pb2
from flyteidl.event import event_pb2

__all__ = [
    "Rendered",
    "parameters",
    "render",
    "substitute",
    "webhook_payload",
]

_ERROR = " The execution failed with error: [{}]."


def parameters(
    execution: execution_pb2.Execution, event: event_pb2.WorkflowExecutionEvent, console: str
) -> dict[str, str]:
    """flyteadmin's template parameters for this execution and phase event (plus `console`, the console's URL)."""
    workflow = execution.closure.workflow_id
    launch_plan = execution.spec.launch_plan
    phase = core_execution_pb2.WorkflowExecution.Phase.Name(event.phase).lower()
    return {
        "project": execution.id.project,
        "domain": execution.id.domain,
        "name": execution.id.name,
        "phase": phase,
        "error": _ERROR.format(event.error.message) if event.HasField("error") else "",
        "workflow.project": workflow.project,
        "workflow.domain": workflow.domain,
        "workflow.name": workflow.name,
        "workflow.version": workflow.version,
        "launch_plan.project": launch_plan.project,
        "launch_plan.domain": launch_plan.domain,
        "launch_plan.name": launch_plan.name,
        "launch_plan.version": launch_plan.version,
        "console": console,
    }


def substitute(template: str, values: Mapping[str, str], *, escape: bool = False) -> str:
    """Fills `{{ key }}` and `{{key}}`; `escape` HTML-escapes the values (for an HTML body)."""
    for key, value in values.items():
        shown = html.escape(value, quote=True) if escape and key != "console" else value
        template = template.replace("{{ " + key + " }}", shown).replace("{{" + key + "}}", shown)
    return template


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str  # HTML, as flyteadmin's emails


def render(subject: str, body: str, own_template: str, values: Mapping[str, str]) -> Rendered:
    """The email of one notification: the notification's own template, when it has one, is the body."""
    return Rendered(substitute(subject, values), substitute(own_template or body, values, escape=True))


def webhook_payload(kind: str, recipients: list[str], rendered: Rendered, values: Mapping[str, str], phase: str) -> str:
    """The JSON a webhook receives. `text` makes it a valid Slack incoming-webhook message as it stands; the rest
    says which execution, phase and notification it is about."""
    return json.dumps(
        {
            "text": f"{rendered.subject} {values['console']}/projects/{values['project']}/domains/"
            f"{values['domain']}/executions/{values['name']}",
            "kind": kind,
            "phase": phase,
            "execution": {key: values[key] for key in ("project", "domain", "name")},
            "workflow": {key: values[f"workflow.{key}"] for key in ("project", "domain", "name", "version")},
            "launch_plan": {key: values[f"launch_plan.{key}"] for key in ("project", "domain", "name", "version")},
            "error": values["error"].strip(),
            "recipients": recipients,
            "subject": rendered.subject,
            "body": rendered.body,
        },
        sort_keys=True,
    )
