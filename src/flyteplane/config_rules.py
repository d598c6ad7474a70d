"""What each setting allows: checked before anything starts, so a bad value is one clear line, not a traceback or a
silently different server (`--port 99999` once served on 34463).

A rule returns None for a good value, or a short reason; the message names the setting, where the value came from
(flag, environment variable, config file) and what is allowed. Every field of Settings has a rule (a test pins it).
"""

from __future__ import annotations

import math
import re
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flyteplane.errors import InvalidArgument

__all__ = ["RULES", "Rule", "check_setting", "invalid_setting"]

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")  # Flyte's rule for project ids
DOMAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "WARN", "ERROR", "CRITICAL")
MODULE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
REGION = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
DB_SCHEMES = ("sqlite:", "postgresql:", "postgres:", "postgresql+psycopg:")


@dataclass(frozen=True)
class Rule:
    allowed: str  # for the message: what a good value looks like
    problem: Callable[[Any], str | None]  # None when the value is good, else a short reason


def invalid_setting(name: str, value: Any, source: str, reason: str | None, allowed: str) -> InvalidArgument:
    where = f" ({source})" if source else ""
    because = f" ({reason})" if reason else ""
    return InvalidArgument(f"invalid value for setting '{name}'{where}: {value!r}{because}; allowed: {allowed}")


def check_setting(name: str, value: Any, source: str = "") -> None:
    """Raises InvalidArgument naming the setting, its source and what is allowed, when `value` breaks its rule."""
    rule = RULES.get(name)
    if rule is None:
        return
    reason = rule.problem(value)
    if reason is not None:
        raise invalid_setting(name, value, source, reason or None, rule.allowed)


def _integer(low: int, high: int) -> Rule:
    def problem(value: Any) -> str | None:
        return None if low <= value <= high else ""

    return Rule(f"an integer from {low} to {high}", problem)


def _positive_number(high: float, unit: str) -> Rule:
    def problem(value: Any) -> str | None:
        if not math.isfinite(value) or value <= 0:
            return "it must be positive"
        return None if value <= high else ""

    return Rule(f"a positive number of {unit}, at most {high:g}", problem)


def _number_between(low: float, high: float, unit: str) -> Rule:
    def problem(value: Any) -> str | None:
        return None if math.isfinite(value) and low <= value <= high else ""

    return Rule(f"a number of {unit} from {low:g} to {high:g}", problem)


def _non_negative_number(high: float, unit: str, zero: str) -> Rule:
    def problem(value: Any) -> str | None:
        if not math.isfinite(value) or value < 0:
            return "it must not be negative"
        return None if value <= high else ""

    return Rule(f"a number of {unit} from 0 ({zero}) to {high:g}", problem)


def _choice(*options: str, case_insensitive: bool = False) -> Rule:
    def problem(value: Any) -> str | None:
        return None if (value.upper() if case_insensitive else value) in options else ""

    return Rule(", ".join(options[:-1]) + f" or {options[-1]}", problem)


def _no_control_characters(text: str) -> bool:
    return not any(ord(c) < 0x20 or ord(c) == 0x7F for c in text)


def _host(value: str) -> str | None:
    return None if value and _no_control_characters(value) and " " not in value else ""


def _home(value: Path) -> str | None:
    if not str(value) or str(value) == ".":
        return "empty"
    if value.exists() and not value.is_dir():
        return "exists and is not a folder"
    return None


def _db(value: str) -> str | None:
    if value == "" or (value.startswith(DB_SCHEMES) and _no_control_characters(value)):
        return None
    return ""


def _text(value: str) -> str | None:
    return None if _no_control_characters(value) else "control characters"


def _blob_store(value: str) -> str | None:
    if not _no_control_characters(value):
        return "control characters"
    if "://" not in value:
        return None
    scheme, _, rest = value.partition("://")
    if scheme not in ("s3", "s3a", "file", "local"):
        return f"the scheme {scheme}:// is not supported"
    if scheme.startswith("s3") and not rest.split("/", 1)[0]:
        return "no bucket"
    return None


def _public_url(value: str) -> str | None:
    if value == "":
        return None
    parts = urlsplit(value)
    return None if parts.scheme in ("http", "https") and parts.netloc and _no_control_characters(value) else ""


def _url(value: str) -> str | None:
    parts = urlsplit(value)
    return None if parts.scheme in ("http", "https") and parts.netloc and _no_control_characters(value) else ""


def _region(value: str) -> str | None:
    return None if value == "" or REGION.match(value) else ""


def _tls(value: str) -> str | None:
    return None if value in ("", "off", "self-signed", "files") else ""


def _domains(value: tuple[str, ...]) -> str | None:
    bad = [domain for domain in value if not DOMAIN.match(domain)]
    if bad:
        return f"{bad[0]!r} is no domain name"
    return "a domain is listed twice" if len(set(value)) != len(value) else None


def _project(value: str) -> str | None:
    return None if DNS_LABEL.match(value) and len(value) <= 63 else ""


def _python_envs(value: Mapping[str, str]) -> str | None:
    return None if all(image and env for image, env in value.items()) else "an empty image pattern or environment"


def _warm_imports(value: Mapping[str, str]) -> str | None:
    for environment, modules in value.items():
        if not environment:
            return "an empty environment name"
        bad = [name for name in modules.split() if not MODULE.match(name)]
        if bad:
            return f"{bad[0]!r} is no module name"
    return None


def _url_prefixes(value: tuple[str, ...]) -> str | None:
    bad = [prefix for prefix in value if "://" not in prefix or not _no_control_characters(prefix)]
    return f"{bad[0]!r} is no URL prefix" if bad else None


def _any_bool(_value: bool) -> str | None:
    return None  # the type conversion already allowed only true or false


def _time_zone(value: str) -> str | None:
    try:
        zoneinfo.ZoneInfo(value)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        return "no IANA time zone"
    return None


def _iso_time(value: str) -> str | None:
    if not value:
        return None
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return "no ISO 8601 time"
    return None


NOTIFICATION_KINDS = ("email", "slack", "pager_duty")


def _optional_host(value: str) -> str | None:
    return None if value == "" else _host(value)


def _sender(value: str) -> str | None:
    return None if "@" in value and _no_control_characters(value) else ""


def _webhooks(value: Mapping[str, str]) -> str | None:
    for kind, url in value.items():
        if kind not in NOTIFICATION_KINDS:
            return f"{kind!r} is no notification kind"
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc or not _no_control_characters(url):
            return f"{url!r} is no http:// or https:// URL"
    return None


def _template(value: str) -> str | None:
    return None if value.strip() and _no_control_characters(value.replace("\n", "").replace("\t", "")) else ""


RULES: dict[str, Rule] = {
    "host": Rule("an address or host name to listen on, e.g. 127.0.0.1 or 0.0.0.0", _host),
    "port": _integer(0, 65535),
    "home": Rule("a folder path (created if missing)", _home),
    "db": Rule("empty (SQLite under home), sqlite:///PATH or postgresql://USER@HOST:PORT/DATABASE", _db),
    "blob_store": Rule("empty (a folder under home), a folder path or s3://BUCKET[/PREFIX]", _blob_store),
    "s3_endpoint": Rule("empty (AWS S3 itself) or the http(s):// URL of an S3-compatible server", _public_url),
    "s3_region": Rule("empty (AWS_REGION, else us-east-1) or a region name such as us-east-1", _region),
    "sandbox": Rule("true or false", _any_bool),
    "sandbox_s3_port": _integer(1, 65535),
    "public_url": Rule("empty, or an http:// or https:// URL", _public_url),
    "tls": Rule("empty (files when tls_cert and tls_key are set, else off), off, self-signed or files", _tls),
    "tls_cert": Rule("empty or the path of a PEM certificate file", _text),
    "tls_key": Rule("empty or the path of a PEM private key file", _text),
    "plaintext_on_loopback": Rule("true or false", _any_bool),
    "domains": Rule("one or more distinct names of letters, digits, '-', '_' and '.'", _domains),
    "default_project": Rule("a project id: lowercase letters, digits and '-', at most 63 characters", _project),
    "grpc_workers": _integer(1, 4096),
    "max_connections": _integer(1, 1_000_000),
    "connection_idle_timeout": _positive_number(3600, "seconds"),
    "max_workflow_nodes": _integer(1, 1_000_000),
    "max_spec_bytes": _integer(1024, 64 * 1024 * 1024 - 64 * 1024),  # below the server's gRPC message limit
    "log_level": _choice(*LOG_LEVELS, case_insensitive=True),
    "log_format": _choice("text", "json"),
    "engine_workers": _integer(1, 1024),
    "engine_lease": _number_between(2, 3600, "seconds"),
    "max_concurrency": _integer(1, 4096),
    "executor": _choice("local", "ray"),
    "ray_max_jobs": _integer(1, 100_000),
    "ray_address": Rule("the http:// or https:// URL of a Ray cluster's Jobs API, e.g. http://127.0.0.1:8265", _url),
    "python_envs": Rule("image pattern = environment pairs, neither empty", _python_envs),
    "warm_pool": Rule("true or false", _any_bool),
    "warm_pool_size": _integer(1, 64),
    "warm_imports": Rule("environment = space-separated module names", _warm_imports),
    "warm_idle_timeout": _non_negative_number(86_400, "seconds", "never"),
    "bundle_sources": Rule("URL prefixes such as https://artifacts.example.com/bundles/", _url_prefixes),
    "bundle_fetch_timeout": _positive_number(86_400, "seconds"),
    "bundle_max_bytes": _integer(1, 2**40),
    "bundle_cache_bytes": _integer(1, 2**50),
    "get_execution_wait": _non_negative_number(300, "seconds", "never waits"),
    "accept_external_events": Rule("true or false", _any_bool),
    "scheduler_enabled": Rule("true or false", _any_bool),
    "engine_enabled": Rule("true or false", _any_bool),
    "scheduler_catchup": _choice("all", "latest", "none"),
    "scheduler_catchup_rate": _positive_number(1_000_000, "firings per second"),
    "scheduler_timezone": Rule("an IANA time zone name such as UTC or Europe/Paris", _time_zone),
    "scheduler_clock_start": Rule("empty or an ISO 8601 time such as 2024-01-01T00:00:00Z", _iso_time),
    "scheduler_clock_speed": _positive_number(1_000_000, "times real time"),
    "smtp_host": Rule("empty (no emails) or the SMTP server's host name or address", _optional_host),
    "smtp_port": _integer(1, 65535),
    "smtp_tls": _choice("none", "starttls", "ssl"),
    "smtp_user": Rule("empty (no login) or a user name", _text),
    "smtp_password": Rule("a password without control characters", _text),
    "smtp_sender": Rule("an email address such as flyte@example.com or Flyte <flyte@example.com>", _sender),
    "notification_webhooks": Rule("kind = URL pairs; kinds are email, slack and pager_duty", _webhooks),
    "notification_subject": Rule("a non-empty line; {{ name }}, {{ phase }} ... are filled in", _template),
    "notification_body": Rule("non-empty text (HTML); {{ name }}, {{ phase }} ... are filled in", _template),
}
