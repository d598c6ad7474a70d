"""Config discovery as flytekit does it: FLYTE_* variables over the config file over defaults; flytectl YAML and
the legacy INI file; `FLYTECTL_CONFIG` and the usual places."""

from __future__ import annotations

from pathlib import Path

import pytest

from flyteplane.client import PlatformConfig
from flyteplane.remote import FlyteRemote
from flyteplane.remote.config import SANDBOX_ENDPOINT, Config
from flyteplane.remote.config_files import find_config_file, read_settings, str2bool

YAML = """
admin:
  endpoint: dns:///flyte.example.com:443
  insecure: false
  caCertFilePath: /etc/ca.pem
console:
  endpoint: https://console.example.com
task:
  project: analytics
  domain: staging
"""

INI = """
[platform]
url = ini.example.com:81
insecure = True
"""


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty home and working directory, and no FLYTE* variables, for every test."""
    for name in list(__import__("os").environ):
        if name.startswith(("FLYTE", "_FLYTECTL")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return tmp_path / "home"


def test_flytectl_yaml_in_the_home_directory_is_read(home: Path) -> None:
    (home / ".flyte").mkdir()
    (home / ".flyte" / "config.yaml").write_text(YAML)

    config = Config.auto()

    assert config.platform == PlatformConfig(
        endpoint="flyte.example.com:443",  # dns:/// is dropped, as flytekit drops it
        insecure=False,
        ca_cert_file_path="/etc/ca.pem",
        console_endpoint="https://console.example.com",
    )
    assert (config.default_project, config.default_domain) == ("analytics", "staging")


def test_environment_variables_win_over_the_file(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (home / ".flyte").mkdir()
    (home / ".flyte" / "config.yaml").write_text(YAML)
    monkeypatch.setenv("FLYTE_PLATFORM_URL", "dns:///env.example.com:8089")
    monkeypatch.setenv("FLYTE_PLATFORM_INSECURE", "True")
    monkeypatch.setenv("FLYTE_DEFAULT_PROJECT", "from-env")

    config = Config.auto()

    assert (config.platform.endpoint, config.platform.insecure) == ("env.example.com:8089", True)
    assert config.platform.ca_cert_file_path == "/etc/ca.pem"
    assert (config.default_project, config.default_domain) == ("from-env", "staging")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("false", False),
        ("0", False),
        ("OFF", False),
        ("no", False),
        ("", False),
        ("true", True),
        ("1", True),
        ("yes", True),
    ],
)
def test_boolean_words_read_as_flytekit_reads_them(text: str, value: bool) -> None:
    assert str2bool(text) is value


def test_discovery_order_is_flytekits(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (home / ".flyte").mkdir()
    (home / ".flyte" / "config.yaml").write_text(YAML)
    assert find_config_file() == home / ".flyte" / "config.yaml"
    (home / ".flyte" / "config").write_text(INI)
    assert find_config_file() == home / ".flyte" / "config"
    Path("flytekit.config").write_text(INI)
    assert find_config_file() == Path.cwd() / "flytekit.config"
    named = tmp_path / "named.yaml"
    named.write_text(YAML)
    monkeypatch.setenv("FLYTECTL_CONFIG", str(named))
    assert find_config_file() == named


def test_the_legacy_ini_file_is_read(home: Path) -> None:
    Path("flytekit.config").write_text(INI)
    assert Config.auto().platform == PlatformConfig(endpoint="ini.example.com:81", insecure=True)


def test_no_file_and_no_variables_is_the_sandbox_endpoint_without_tls(home: Path) -> None:
    config = Config.auto()
    assert (config.platform.endpoint, config.platform.insecure) == (SANDBOX_ENDPOINT, False)
    assert Config.for_sandbox().platform == PlatformConfig(endpoint="localhost:30080", insecure=True)


def test_a_named_config_file_must_exist(home: Path, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        read_settings(tmp_path / "missing.yaml")


def test_a_broken_yaml_file_is_a_clear_error(home: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("admin: [unclosed")
    with pytest.raises(ValueError, match=r"cannot read .*broken\.yaml"):
        Config.auto(broken)


def test_for_endpoint_with_a_config_file_keeps_its_other_settings(home: Path, tmp_path: Path) -> None:
    named = tmp_path / "c.yaml"
    named.write_text(YAML)
    config = Config.for_endpoint("other:1", insecure=True, config_file=named)
    assert (config.platform.endpoint, config.platform.insecure) == ("other:1", True)
    assert config.platform.console_endpoint == "https://console.example.com"


def test_flyteremote_auto_uses_the_files_default_project(home: Path) -> None:
    (home / ".flyte").mkdir()
    (home / ".flyte" / "config.yaml").write_text(YAML)
    remote = FlyteRemote.auto()
    assert (remote.default_project, remote.default_domain) == ("analytics", "staging")
    assert FlyteRemote.auto(default_project="mine").default_project == "mine"


def test_flytekits_config_is_accepted() -> None:
    from flytekit.configuration import Config as FlytekitConfig

    remote = FlyteRemote(FlytekitConfig.for_endpoint("somewhere:81", insecure=True))
    assert (remote.config.platform.endpoint, remote.config.platform.insecure) == ("somewhere:81", True)
