"""Response headers flyteadmin's gateway adds to particular answers (its forward-response option)."""

from __future__ import annotations

import json

from google.protobuf.message import Message

from flyteplane.api.http.gateway.protojson import to_json_value

__all__ = ["forwarded_headers", "header_safe"]

USER_INFO = "flyteidl.service.UserInfoResponse"


def forwarded_headers(answer: Message) -> dict[str, str]:
    """`/me` also says who the caller is in headers: `X-User-Subject` and `X-User-Claim-<claim>` (JSON)."""
    if answer.DESCRIPTOR.full_name != USER_INFO:
        return {}
    headers: dict[str, str] = {}
    claims = answer.additional_claims.fields  # type: ignore[attr-defined]
    for name in sorted(claims):
        value = json.dumps(to_json_value(claims[name], proto_names=False), separators=(",", ":"))
        headers[f"X-User-Claim-{name.replace('_', '-')}"] = value
    headers["X-User-Subject"] = header_safe(answer.subject)  # type: ignore[attr-defined]
    return headers


def header_safe(text: str) -> str:
    """Header values are Latin-1 lines: anything else (a newline, non-Latin-1) becomes `?`."""
    return "".join(c if " " <= c <= "~" or "\xa0" <= c <= "\xff" else "?" for c in text)
