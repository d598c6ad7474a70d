"""Settings merge a YAML file, FLYTEPLANE_* variables and flags, flags winning."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from flyteplane.config import Settings, load_settings
from flyteplane.config_rules import RULES
from flyteplane.errors import InvalidArgument


def test_defaults_are_the_sandbox_port_and_sqlite_under_home(tmp_path: Path) -> None:
    settings = load_settings(env={}, flags={"home": tmp_path})
    assert settings.port == 30080
    assert settings.host == "127.0.0.1"
    assert settings.database_url == f"sqlite:///{tmp_path / 'flyteplane.db'}"
    assert settings.domains == ("development", "staging", "production")


def test_flags_win_over_environment_over_file(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("port: 1111\nhost: 0.0.0.0\ndomains: [dev, prod]\nlog-level: DEBUG\n")
    env = {"FLYTEPLANE_PORT": "2222", "FLYTEPLANE_DOMAINS": "a,b", "UNRELATED": "x"}
    settings = load_settings(config_file=config, env=env, flags={"port": 3333, "host": None})
    assert settings.port == 3333
    assert settings.host == "0.0.0.0"
    assert settings.domains == ("a", "b")
    assert settings.log_level == "DEBUG"
    assert settings.advertised_url == "http://127.0.0.1:3333"


def test_config_file_can_come_from_the_environment(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("port: 4444\n")
    assert load_settings(env={"FLYTEPLANE_CONFIG": str(config)}).port == 4444


def test_postgres_urls_use_the_psycopg_driver() -> None:
    assert Settings(db="postgresql://u@h/d").database_url == "postgresql+psycopg://u@h/d"
    assert Settings(db="postgres://u@h/d").database_url == "postgresql+psycopg://u@h/d"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("colour: blue\n", "unknown setting 'colour'"),
        ("port: many\n", "invalid value for setting 'port'"),
        ("- a\n- b\n", "must hold a mapping"),
        ("domains: []\n", "invalid value for setting 'domains'"),
    ],
)
def test_bad_files_are_clear_errors(tmp_path: Path, text: str, message: str) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(text)
    with pytest.raises(InvalidArgument, match=message):
        load_settings(config_file=config, env={})


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgument, match="cannot read config file"):
        load_settings(config_file=tmp_path / "absent.yaml", env={})


def test_every_setting_has_a_rule_and_the_defaults_obey_them() -> None:
    assert set(RULES) == {f.name for f in dataclasses.fields(Settings)}
    Settings()  # checked in __post_init__ too


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (
            {"port": "99999"},
            "invalid value for setting 'port' (flag --port): 99999; allowed: an integer from 0 to 65535",
        ),
        ({"port": "-1"}, "invalid value for setting 'port' (flag --port): -1; allowed: an integer from 0 to 65535"),
        (
            {"max_connections": "0"},
            "invalid value for setting 'max_connections' (flag --max-connections): 0; allowed: an integer from 1 to "
            "1000000",
        ),
        (
            {"connection_idle_timeout": "nan"},
            "invalid value for setting 'connection_idle_timeout' (flag --connection-idle-timeout): nan (it must be "
            "positive); allowed: a positive number of seconds, at most 3600",
        ),
        (
            {"log_level": "LOUD"},
            "invalid value for setting 'log_level' (flag --log-level): 'LOUD'; allowed: DEBUG, INFO, WARNING, WARN, "
            "ERROR or CRITICAL",
        ),
        (
            {"db": "mysql://u@h/d"},
            "invalid value for setting 'db' (flag --db): 'mysql://u@h/d'; allowed: empty (SQLite under home), "
            "sqlite:///PATH or postgresql://USER@HOST:PORT/DATABASE",
        ),
    ],
)
def test_a_bad_flag_is_one_line_naming_the_flag_and_what_is_allowed(flags: dict[str, str], message: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        load_settings(env={}, flags=flags)
    assert caught.value.message == message


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"FLYTEPLANE_ENGINE_WORKERS": "abc"},
            "invalid value for setting 'engine_workers' (environment variable FLYTEPLANE_ENGINE_WORKERS): 'abc' (not "
            "a whole number); allowed: an integer from 1 to 1024",
        ),
        (
            {"FLYTEPLANE_DOMAINS": "dev,dev"},
            "invalid value for setting 'domains' (environment variable FLYTEPLANE_DOMAINS): ('dev', 'dev') (a domain "
            "is listed twice); allowed: one or more distinct names of letters, digits, '-', '_' and '.'",
        ),
        (
            {"FLYTEPLANE_PUBLIC_URL": "ftp://files"},
            "invalid value for setting 'public_url' (environment variable FLYTEPLANE_PUBLIC_URL): 'ftp://files'; "
            "allowed: empty, or an http:// or https:// URL",
        ),
        (
            {"FLYTEPLANE_DEFAULT_PROJECT": "My_Project"},
            "invalid value for setting 'default_project' (environment variable FLYTEPLANE_DEFAULT_PROJECT): "
            "'My_Project'; allowed: a project id: lowercase letters, digits and '-', at most 63 characters",
        ),
    ],
)
def test_a_bad_environment_variable_is_one_line_naming_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        load_settings(env=env)
    assert caught.value.message == message


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("max_concurrency: -3\n", "-3; allowed: an integer from 1 to 4096"),
        ("max_concurrency: 2.5\n", "2.5 (not a whole number); allowed: an integer from 1 to 4096"),
        ("grpc_workers: yes\n", "True (not a whole number); allowed: an integer from 1 to 4096"),
        ("grpc_workers: [1, 2]\n", "[1, 2] (not a whole number); allowed: an integer from 1 to 4096"),
        ("host: [a, b]\n", "['a', 'b'] (expected a single value); allowed: an address or host name"),
    ],
)
def test_a_bad_file_value_is_one_line_naming_the_file_and_key(tmp_path: Path, text: str, shown: str) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(text)
    key = text.split(":")[0]
    with pytest.raises(InvalidArgument) as caught:
        load_settings(config_file=config, env={})
    assert caught.value.message.startswith(f"invalid value for setting '{key}' (config file {config}, key '{key}'): ")
    assert shown in caught.value.message


def test_a_home_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(InvalidArgument, match=r"'home' .*exists and is not a folder"):
        load_settings(env={}, flags={"home": tmp_path / "file"})


def test_the_warm_pool_is_on_by_default_and_the_environment_turns_it_off() -> None:
    assert load_settings(env={}).warm_pool is True
    assert load_settings(env={"FLYTEPLANE_WARM_POOL": "false"}).warm_pool is False


def test_warm_imports_are_named_per_environment_in_yaml_or_the_environment(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("warm_imports:\n  default: [pandas, numpy]\n  /opt/venvs/ml: torch\nwarm_pool_size: 2\n")
    settings = load_settings(config_file=config, env={})
    assert settings.warm_imports == {"default": "pandas numpy", "/opt/venvs/ml": "torch"}
    assert settings.warm_pool_size == 2
    env = {"FLYTEPLANE_WARM_IMPORTS": "default=pandas numpy,/opt/ml=torch", "FLYTEPLANE_WARM_IDLE_TIMEOUT": "30"}
    from_env = load_settings(env=env)
    assert from_env.warm_imports == {"default": "pandas numpy", "/opt/ml": "torch"}
    assert from_env.warm_idle_timeout == 30.0


def test_bundle_sources_and_limits(tmp_path: Path) -> None:
    env = {
        "FLYTEPLANE_BUNDLE_SOURCES": "s3://code/flyte,https://artifacts.example/code",
        "FLYTEPLANE_BUNDLE_MAX_BYTES": "1024",
    }
    settings = load_settings(env=env)
    assert settings.bundle_sources == ("s3://code/flyte", "https://artifacts.example/code")
    assert settings.bundle_max_bytes == 1024


@pytest.mark.parametrize(
    ("name", "value"),
    [("warm_pool_size", "0"), ("warm_idle_timeout", "-1"), ("bundle_fetch_timeout", "0"), ("bundle_cache_bytes", "0")],
)
def test_warm_pool_and_bundle_settings_are_range_checked(name: str, value: str) -> None:
    with pytest.raises(InvalidArgument, match=f"invalid value for setting '{name}'"):
        load_settings(env={f"FLYTEPLANE_{name.upper()}": value})


def test_the_executor_is_local_unless_ray_is_named_with_its_jobs_api() -> None:
    assert load_settings(env={}).executor == "local"
    settings = load_settings(env={"FLYTEPLANE_EXECUTOR": "ray", "FLYTEPLANE_RAY_ADDRESS": "http://10.0.0.5:8265"})
    assert (settings.executor, settings.ray_address) == ("ray", "http://10.0.0.5:8265")
    with pytest.raises(InvalidArgument, match=r"'executor'.*'kubernetes'.*allowed: local or ray"):
        load_settings(env={"FLYTEPLANE_EXECUTOR": "kubernetes"})
    with pytest.raises(InvalidArgument, match=r"'ray_address'.*allowed: the http:// or https:// URL"):
        load_settings(env={"FLYTEPLANE_RAY_ADDRESS": "127.0.0.1:6379"})
    assert load_settings(env={"FLYTEPLANE_RAY_MAX_JOBS": "500"}).ray_max_jobs == 500
    with pytest.raises(InvalidArgument, match=r"'ray_max_jobs'.*allowed: an integer from 1"):
        load_settings(env={"FLYTEPLANE_RAY_MAX_JOBS": "0"})


def test_the_s3_settings_come_from_the_environment_and_are_checked() -> None:
    settings = load_settings(
        env={
            "FLYTEPLANE_BLOB_STORE": "s3://my-bucket/flyte",
            "FLYTEPLANE_S3_ENDPOINT": "http://127.0.0.1:8333",
            "FLYTEPLANE_S3_REGION": "eu-west-1",
            "FLYTEPLANE_SANDBOX": "false",
            "FLYTEPLANE_SANDBOX_S3_PORT": "31002",
        }
    )
    assert (settings.blob_store, settings.s3_endpoint, settings.s3_region) == (
        "s3://my-bucket/flyte",
        "http://127.0.0.1:8333",
        "eu-west-1",
    )
    assert (settings.sandbox, settings.sandbox_s3_port) == (False, 31002)
    for env, reason in [
        ({"FLYTEPLANE_BLOB_STORE": "s3:///prefix"}, "no bucket"),
        ({"FLYTEPLANE_BLOB_STORE": "gs://bucket"}, "not supported"),
        ({"FLYTEPLANE_S3_ENDPOINT": "127.0.0.1:8333"}, "s3_endpoint"),
        ({"FLYTEPLANE_S3_REGION": "Not A Region"}, "s3_region"),
        ({"FLYTEPLANE_SANDBOX_S3_PORT": "70000"}, "sandbox_s3_port"),
    ]:
        with pytest.raises(InvalidArgument, match=reason):
            load_settings(env=env)


def test_notification_settings_from_a_file_and_the_environment(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(
        "smtp_host: mail.example.com\nsmtp_port: 587\nsmtp_tls: starttls\nsmtp_user: flyte\n"
        "notification_webhooks:\n  slack: https://hooks.example.com/x\n"
    )
    settings = load_settings(config_file=config, env={"FLYTEPLANE_SMTP_PASSWORD": "s3cret"})
    assert (settings.smtp_host, settings.smtp_port, settings.smtp_tls) == ("mail.example.com", 587, "starttls")
    assert (settings.smtp_user, settings.smtp_password) == ("flyte", "s3cret")
    assert settings.notification_webhooks == {"slack": "https://hooks.example.com/x"}
    assert "{{ workflow.name }}" in settings.notification_subject


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        ({"smtp_tls": "tls"}, "'tls'; allowed: none, starttls or ssl"),
        ({"smtp_port": "0"}, "0; allowed: an integer from 1 to 65535"),
        ({"smtp_sender": "nobody"}, "'nobody'; allowed: an email address"),
        ({"notification_webhooks": "teams=https://x"}, "('teams' is no notification kind)"),
        ({"notification_webhooks": "slack=ftp://x"}, "('ftp://x' is no http:// or https:// URL)"),
        ({"notification_subject": " "}, "allowed: a non-empty line"),
    ],
)
def test_bad_notification_settings_are_refused(flags: dict[str, str], message: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        load_settings(env={}, flags=flags)
    assert message in caught.value.message
