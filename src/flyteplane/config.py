"""Settings: one typed object, filled from a YAML file, FLYTEPLANE_* variables and CLI flags (flags win)."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from flyteplane.config_rules import RULES, check_setting, invalid_setting
from flyteplane.errors import InvalidArgument

DEFAULT_DOMAINS = ("development", "staging", "production")
NOTIFICATION_SUBJECT = 'Notice: Execution "{{ workflow.name }}" has {{ phase }} in "{{ domain }}".'
NOTIFICATION_BODY = (
    'Execution "{{ workflow.name }} [{{ name }}]" has {{ phase }} in "{{ domain }}". View details at '
    '<a href="{{ console }}/projects/{{ project }}/domains/{{ domain }}/executions/{{ name }}">'
    "{{ console }}/projects/{{ project }}/domains/{{ domain }}/executions/{{ name }}</a>.{{ error }}"
)
ENV_PREFIX = "FLYTEPLANE_"


@dataclass(frozen=True)
class Settings:
    """Everything `flyteplane serve` can be told; defaults give the embedded single-machine control plane."""

    host: str = "127.0.0.1"
    port: int = 30080
    home: Path = field(default_factory=lambda: Path("~/.flyteplane").expanduser())
    db: str = ""  # empty: SQLite under home
    blob_store: str = ""  # empty: a folder under home; or s3://bucket/prefix
    # the S3-compatible server of an s3:// blob store (empty: AWS itself); credentials come from AWS_ACCESS_KEY_ID,
    # AWS_SECRET_ACCESS_KEY (or the usual AWS chain); region from here, else AWS_REGION
    s3_endpoint: str = ""
    s3_region: str = ""
    # `flytectl demo start`'s stand-in: also run an S3 server (SeaweedFS) on 127.0.0.1:sandbox_s3_port with the
    # sandbox's bucket and credentials (my-s3-bucket, minio / miniostorage), the blob store pointed at it
    sandbox: bool = False
    sandbox_s3_port: int = 30002
    public_url: str = ""  # empty: http://<host>:<port> as the client reached it (https:// with TLS)
    # TLS on the port: off, self-signed (made once under home/tls) or files (tls_cert and tls_key); empty: files
    # when tls_cert and tls_key are set, else off
    tls: str = ""
    tls_cert: str = ""  # PEM certificate (chain) file, reread on SIGHUP
    tls_key: str = ""  # PEM private key file (unencrypted), reread on SIGHUP
    # with TLS on and the port bound to a loopback address, plaintext connections are served on it too
    plaintext_on_loopback: bool = True
    domains: tuple[str, ...] = DEFAULT_DOMAINS
    default_project: str = "flytesnacks"
    grpc_workers: int = 32
    max_connections: int = 4096  # connections served at once on the port; lowered to fit the open files limit
    connection_idle_timeout: float = 10.0  # seconds a new connection may stay silent before its first bytes
    max_workflow_nodes: int = 100
    # the largest spec CreateTask / CreateWorkflow / CreateLaunchPlan take, and the largest spec or inputs of
    # CreateExecution (serialized protobuf bytes); 4 MiB is what a gRPC client receives by default
    max_spec_bytes: int = 4 * 1024 * 1024
    log_level: str = "INFO"
    log_format: str = "text"  # text: one readable line per record; json: one JSON object per line
    engine_enabled: bool = True  # run the engine in `flyteplane serve` (off: a `flyteplane engine` process runs it)
    engine_workers: int = 4  # threads evaluating executions
    # seconds an engine that stopped beating (killed, its machine gone) keeps its executions before another engine
    # on the same database (a replica) takes them over
    engine_lease: float = 20.0
    max_concurrency: int = field(default_factory=lambda: default_max_concurrency())  # task processes at once
    executor: str = "local"  # where task attempts run: local processes, or jobs on a Ray cluster
    ray_address: str = "http://127.0.0.1:8265"  # the Ray cluster's Jobs API (its dashboard), for executor: ray
    ray_max_jobs: int = 64  # Ray jobs submitted and unfinished at once; more attempts wait in the server
    # image (glob) -> local Python environment (a venv folder or an interpreter) that runs tasks of that image;
    # unmatched images run with the server's own interpreter.
    python_envs: dict[str, str] = field(default_factory=dict)
    warm_pool: bool = True  # flytekit tasks start as forks of warm interpreters instead of new processes
    warm_pool_size: int = 1  # warm interpreters per Python environment
    # environment (a python_envs location, or "default" for the server's own Python) -> modules imported before
    # the first fork, space-separated ("pandas numpy"; a YAML list works too)
    warm_imports: dict[str, str] = field(default_factory=dict)
    warm_idle_timeout: float = 600.0  # seconds without work before a warm interpreter exits (0: never)
    # fast-registered code bundles: fetched from the blob store or these URL prefixes only, once each
    bundle_sources: tuple[str, ...] = ()
    bundle_fetch_timeout: float = 60.0  # seconds a bundle's download may take
    bundle_max_bytes: int = 512 * 1024 * 1024  # largest bundle download
    bundle_cache_bytes: int = 2 * 1024 * 1024 * 1024  # the unpacked bundles kept under home (least recently used go)
    # GetExecution (gRPC) of a running execution younger than this many seconds, asked for a second time, is
    # answered when it ends or its first seconds are over (0: never waits); flytekit's wait then needs no sleep
    get_execution_wait: float = 10.0
    # CreateWorkflowEvent / CreateNodeEvent / CreateTaskEvent from callers over gRPC or HTTP: refused unless true
    # (the engine's own events never travel the wire); an external propeller-like producer needs it
    accept_external_events: bool = False
    scheduler_enabled: bool = True  # run launch-plan schedules in the process that runs the engine
    scheduler_catchup: str = "all"  # missed firings after downtime: all, latest or none
    scheduler_catchup_rate: float = 100.0  # firings per second at most while catching up
    scheduler_timezone: str = "UTC"  # cron schedules without a `flyteplane.io/timezone` label use this zone
    # Testing aid: the scheduler's clock starts at this ISO 8601 time and runs `speed` times faster than real time.
    scheduler_clock_start: str = ""
    scheduler_clock_speed: float = 1.0

    # Notifications (email, Slack, PagerDuty) that launch plans and executions declare, sent on the phases they name:
    # by email through this SMTP server (empty host: no emails), and to a webhook per kind where one is configured.
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_tls: str = "none"  # none, starttls (upgrade a plain connection) or ssl (TLS from the first byte)
    smtp_user: str = ""  # empty: no login
    smtp_password: str = ""
    smtp_sender: str = "flyteplane@localhost"  # the From of notification emails
    notification_webhooks: dict[str, str] = field(default_factory=dict)  # email | slack | pager_duty -> URL
    notification_subject: str = NOTIFICATION_SUBJECT  # flyteadmin's template parameters: {{ workflow.name }} ...
    notification_body: str = NOTIFICATION_BODY  # HTML; a notification's own template replaces it

    def __post_init__(self) -> None:
        """Every setting is checked here too, so a Settings built in code obeys the same rules as `serve`."""
        for name in _FIELD_NAMES:
            check_setting(name, getattr(self, name))
        _check_tls(self)

    @property
    def tls_mode(self) -> str:
        """off, self-signed or files: the `tls` setting, or files when it is empty and a certificate is given."""
        if self.tls:
            return self.tls
        return "files" if self.tls_cert or self.tls_key else "off"

    @property
    def database_url(self) -> str:
        """The SQLAlchemy URL: `postgresql://` is mapped to the psycopg 3 driver."""
        url = self.db or f"sqlite:///{self.home / 'flyteplane.db'}"
        for prefix in ("postgresql://", "postgres://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url

    @property
    def blob_base(self) -> str:
        return self.blob_store or str(self.home / "blobs")

    @property
    def advertised_url(self) -> str:
        """The URL clients use to reach HTTP routes (signed upload URLs, logs, console)."""
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        scheme = "http" if self.tls_mode == "off" else "https"
        return f"{scheme}://{host}:{self.port}"


def _check_tls(settings: Settings) -> None:
    """The TLS settings that only make sense together: a certificate needs its key, and files need both."""
    mode = settings.tls_mode
    if mode == "files" and not (settings.tls_cert and settings.tls_key):
        missing = "tls_key" if settings.tls_cert else "tls_cert"
        raise InvalidArgument(f"TLS needs both tls_cert and tls_key (--tls-cert, --tls-key): {missing} is empty")
    if mode == "self-signed" and (settings.tls_cert or settings.tls_key):
        raise InvalidArgument("tls: self-signed makes its own certificate; leave tls_cert and tls_key empty")


def default_max_concurrency() -> int:
    """Task processes at once: twice the CPUs (at least 4). A warm task spends much of its short life waiting on
    files and its supervisor; twice the cores keeps them busy without piling up processes."""
    return max(4, 2 * (os.cpu_count() or 2))


_FIELDS = {f.name: f for f in dataclasses.fields(Settings)}
_FIELD_NAMES = tuple(_FIELDS)


def _coerce(name: str, value: Any, source: str) -> Any:
    """Turn a value from YAML, the environment or a flag into the field's type and check it, naming the setting,
    its source and what is allowed on error."""
    try:
        coerced = _as_type(_FIELDS[name].type, value)
    except (TypeError, ValueError) as exc:
        raise invalid_setting(name, value, source, str(exc), RULES[name].allowed) from exc
    check_setting(name, coerced, source)
    return coerced


def _as_type(kind: Any, value: Any) -> Any:
    if kind == "int":
        return _as_int(value)
    if kind == "bool":
        return _as_bool(value)
    if kind == "float":
        return _as_float(value)
    if kind == "dict[str, str]":
        if isinstance(value, str):  # FLYTEPLANE_PYTHON_ENVS="image=env,other*=env2"
            pairs = [item.split("=", 1) for item in value.split(",") if item.strip()]
            if any(len(pair) != 2 for pair in pairs):
                raise ValueError("expected key=value pairs separated by commas")
            return {image.strip(): env.strip() for image, env in pairs}
        if not isinstance(value, dict):
            raise ValueError("expected a mapping")
        return {
            str(image): " ".join(map(str, env)) if isinstance(env, list) else str(env) for image, env in value.items()
        }
    if kind == "tuple[str, ...]":
        items = value.split(",") if isinstance(value, str) else list(value)
        result = tuple(str(item).strip() for item in items if str(item).strip())
        if not result:
            raise ValueError("needs at least one entry")
        return result
    if isinstance(value, (dict, list)):
        raise ValueError("expected a single value")
    if kind == "Path":
        return Path(str(value)).expanduser()
    return str(value)


def _as_int(value: Any) -> int:
    """Whole numbers only: YAML's `yes` or `2.5` is no port or worker count."""
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise ValueError("not a whole number")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValueError("not a whole number") from None


def _as_float(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError("not a number")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError("not a number") from None


def _as_bool(value: Any) -> bool:
    """YAML gives booleans; the environment and flags give words."""
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in ("1", "true", "yes", "on"):
        return True
    if word in ("0", "false", "no", "off"):
        return False
    raise ValueError("expected true or false")


def _from_mapping(values: Mapping[str, Any], origin: str, source_of: Callable[[str], str]) -> dict[str, Any]:
    """`origin` names where the values came from; `source_of(key)` where one value came from, for messages."""
    result: dict[str, Any] = {}
    for key, value in values.items():
        name = key.replace("-", "_").lower()
        if name not in _FIELDS:
            raise InvalidArgument(f"unknown setting '{key}' in {origin}; known: {', '.join(sorted(_FIELDS))}")
        if value is not None:
            result[name] = _coerce(name, value, source_of(key))
    return result


def load_settings(
    config_file: Path | None = None,
    env: Mapping[str, str] | None = None,
    flags: Mapping[str, Any] | None = None,
) -> Settings:
    """Merge file < environment < flags into Settings; unknown keys and bad values are clear errors."""
    env = os.environ if env is None else env
    merged: dict[str, Any] = {}
    config_file = config_file or (Path(env[ENV_PREFIX + "CONFIG"]) if env.get(ENV_PREFIX + "CONFIG") else None)
    if config_file is not None:
        try:
            loaded = yaml.safe_load(config_file.expanduser().read_text()) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise InvalidArgument(f"cannot read config file {config_file}: {exc}") from exc
        if not isinstance(loaded, dict):
            raise InvalidArgument(f"config file {config_file} must hold a mapping of settings")
        merged.update(_from_mapping(loaded, str(config_file), lambda key: f"config file {config_file}, key '{key}'"))
    env_values = {
        key[len(ENV_PREFIX) :].lower(): value
        for key, value in env.items()
        if key.startswith(ENV_PREFIX) and key[len(ENV_PREFIX) :].lower() in _FIELDS
    }
    merged.update(
        _from_mapping(env_values, "the environment", lambda key: f"environment variable {ENV_PREFIX}{key.upper()}")
    )
    given = {k: v for k, v in (flags or {}).items() if v is not None}
    merged.update(_from_mapping(given, "the command line", lambda key: f"flag --{key.replace('_', '-')}"))
    return Settings(**merged)
