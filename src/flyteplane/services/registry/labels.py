"""Kubernetes label rules, which flyteadmin applies to project and launch-plan labels."""

from __future__ import annotations

import re
from collections.abc import Mapping

from flyteplane.errors import InvalidArgument

MAX_LABELS = 16
_NAME = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$")
_PREFIX = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def _key_problem(key: str) -> str | None:
    prefix, _, name = key.rpartition("/")
    if prefix and (len(prefix) > 253 or not _PREFIX.match(prefix)):
        return "prefix part must be a lowercase RFC 1123 subdomain"
    if not name or len(name) > 63 or not _NAME.match(name):
        return (
            "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
            "alphanumeric character, at most 63 characters"
        )
    return None


def validate_labels(labels: Mapping[str, str]) -> None:
    if len(labels) > MAX_LABELS:
        raise InvalidArgument(f"labels map cannot exceed {MAX_LABELS} entries")
    for key, value in labels.items():
        problem = _key_problem(key)
        if problem:
            raise InvalidArgument(f"invalid label key [{key}]: [{problem}]")
        if value and (len(value) > 63 or not _NAME.match(value)):
            raise InvalidArgument(
                f"invalid label value [{value}]: [a valid label must be an empty string or consist of alphanumeric "
                "characters, '-', '_' or '.', and must start and end with an alphanumeric character]"
            )
