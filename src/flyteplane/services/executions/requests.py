"""CreateExecution's request checks (flyteadmin's execution validator) and generated execution names."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence

from flyteidl.admin import execution_pb2
from flyteidl.core import identifier_pb2
from sqlalchemy.orm import Session

from flyteplane.errors import InvalidArgument
from flyteplane.services.common.validation import require, validate_project_domain
from flyteplane.services.executions.inputs import validate_literal_map
from flyteplane.services.registry.labels import validate_labels
from flyteplane.services.registry.notifications import validate_notification

__all__ = [
    "EXECUTION_NAME_ALPHABET",
    "MAX_EXECUTION_NAME_LENGTH",
    "generate_execution_name",
    "validate_create_request",
    "validate_execution_name",
]

MAX_EXECUTION_NAME_LENGTH = 63  # a Kubernetes label value
EXECUTION_NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
_GENERATED_LENGTH = 20
_NAME = re.compile(r"^[a-z][a-z\-0-9]*$")
_LAUNCHABLE = (identifier_pb2.LAUNCH_PLAN, identifier_pb2.TASK)


def generate_execution_name() -> str:
    """flyteadmin's form: "a" and 19 random characters, a valid DNS label that sorts nowhere in particular."""
    return "a" + "".join(secrets.choice(EXECUTION_NAME_ALPHABET) for _ in range(_GENERATED_LENGTH - 1))


def validate_execution_name(name: str) -> None:
    """The lower-cased name must be a DNS-label-like id; the name is kept as given (upper case too)."""
    lowered = name.lower()
    if len(lowered) > MAX_EXECUTION_NAME_LENGTH:
        raise InvalidArgument(f"size of name exceeded length {MAX_EXECUTION_NAME_LENGTH} : {lowered}")
    if not _NAME.match(lowered):
        raise InvalidArgument(f"invalid name format: {lowered}, does not match regex '{_NAME.pattern}'")


def validate_create_request(
    session: Session, request: execution_pb2.ExecutionCreateRequest, domains: Sequence[str]
) -> None:
    """Everything CreateExecution checks before it looks at the launch plan or task, in flyteadmin's order."""
    require(request.project, "missing project")
    require(request.domain, "missing domain")
    if request.name:
        validate_execution_name(request.name)
    validate_project_domain(session, request.project, request.domain, domains)
    if not request.HasField("spec"):
        raise InvalidArgument("missing spec")
    launched = request.spec.launch_plan
    if not request.spec.HasField("launch_plan"):
        raise InvalidArgument("missing id")
    require(launched.project, "missing project")
    require(launched.domain, "missing domain")
    require(launched.name, "missing name")
    require(launched.version, "missing version")
    if launched.resource_type not in _LAUNCHABLE:
        raise InvalidArgument(
            f"Invalid reference entity resource type [{_resource_type_name(launched.resource_type)}], "
            "only [map[LAUNCH_PLAN:<nil> TASK:<nil>]] allowed"
        )
    validate_literal_map(request.inputs, "inputs")
    if request.spec.HasField("notifications"):
        for notification in request.spec.notifications.notifications:
            validate_notification(notification)
    validate_labels(request.spec.labels.values)


def _resource_type_name(value: int) -> str:
    try:
        return str(identifier_pb2.ResourceType.Name(value))
    except ValueError:
        return str(value)
