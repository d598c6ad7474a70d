"""Settings merge a YAML file, FLYTEPLANE_* variables and flags, flags winning."""

from __future__ import annotations

from pathlib import Path

import pytest

from flyteplane.config import Settings, load_settings
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
