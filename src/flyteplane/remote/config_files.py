"""Where flytekit users keep their connection settings: FLYTE_* variables, flytectl YAML and the legacy INI file.

Discovery follows flytekit: `$_FLYTECTL_CONFIG_PYFLYTE_OVERRIDE`, `$FLYTECTL_CONFIG`, `./flytekit.config` (INI),
`~/.flyte/config` (INI), `~/.flyte/config.yaml` (YAML). Variables win over the file, the file over defaults.
Only the settings flyteplane's client acts on are read; authentication settings are not (no auth flows here).
"""

from __future__ import annotations

import configparser
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["FileSettings", "find_config_file", "read_settings", "str2bool"]

_FALSE_WORDS = frozenset({"false", "0", "off", "no", "f", "n", ""})

# setting -> (environment variable(s), YAML key path, INI section and option)
_ENTRIES: dict[str, tuple[tuple[str, ...], str, tuple[str, str]]] = {
    "endpoint": (("FLYTE_PLATFORM_URL",), "admin.endpoint", ("platform", "url")),
    "insecure": (("FLYTE_PLATFORM_INSECURE",), "admin.insecure", ("platform", "insecure")),
    "ca_cert_file_path": (
        ("FLYTE_PLATFORM_CA_CERT_FILE_PATH",),
        "admin.caCertFilePath",
        ("platform", "ca_cert_file_path"),
    ),
    "console_endpoint": (
        ("FLYTE_PLATFORM_CONSOLE_ENDPOINT",),
        "console.endpoint",
        ("platform", "console_endpoint"),
    ),
    "project": (("FLYTE_DEFAULT_PROJECT", "FLYTE_LOCAL_PROJECT"), "task.project", ("local", "project")),
    "domain": (("FLYTE_DEFAULT_DOMAIN", "FLYTE_LOCAL_DOMAIN"), "task.domain", ("local", "domain")),
}


def str2bool(text: str | bool | None) -> bool:
    """flytekit's reading of a boolean setting: false/0/off/no (any case) and empty are False."""
    if isinstance(text, bool):
        return text
    return text is not None and text.strip().lower() not in _FALSE_WORDS


@dataclass(frozen=True)
class FileSettings:
    """The connection settings found, each None when nowhere set; `source` is the file read, if any."""

    endpoint: str | None = None
    insecure: bool | None = None
    ca_cert_file_path: str | None = None
    console_endpoint: str | None = None
    project: str | None = None
    domain: str | None = None
    source: Path | None = None


def find_config_file(
    env: Mapping[str, str] | None = None, cwd: Path | None = None, home: Path | None = None
) -> Path | None:
    """The config file flytekit would read, or None."""
    env = os.environ if env is None else env
    named = env.get("_FLYTECTL_CONFIG_PYFLYTE_OVERRIDE") or env.get("FLYTECTL_CONFIG")
    if named and Path(named).expanduser().exists():
        return Path(named).expanduser()
    home = home or Path.home()
    for candidate in (
        (cwd or Path.cwd()) / "flytekit.config",
        home / ".flyte" / "config",
        home / ".flyte" / "config.yaml",
    ):
        if candidate.is_file():
            return candidate
    return None


def _yaml_value(document: Mapping[str, Any], dotted: str) -> Any:
    node: Any = document
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def _read_file(path: Path) -> dict[str, Any]:
    """Raw values from a YAML or INI file, keyed by setting name."""
    text = path.read_text()
    values: dict[str, Any] = {}
    if path.suffix in (".yaml", ".yml"):
        import yaml  # only when a YAML file is read: it is the slowest import on this path

        try:
            document = yaml.safe_load(text) or {}
        except yaml.YAMLError as e:
            raise ValueError(f"cannot read {path}: {e}") from None
        if not isinstance(document, Mapping):
            raise ValueError(f"{path} must hold a YAML mapping")
        for name, (_, key, _) in _ENTRIES.items():
            value = _yaml_value(document, key)
            if value is not None:
                values[name] = value
        return values
    parser = configparser.ConfigParser()
    try:
        parser.read_string(text, source=str(path))
    except configparser.Error as e:
        raise ValueError(f"cannot read {path}: {e}") from None
    for name, (_, _, (section, option)) in _ENTRIES.items():
        if parser.has_option(section, option):
            values[name] = parser.get(section, option)
    return values


def _clean_endpoint(endpoint: str) -> str:
    return endpoint.replace("dns:///", "")


def read_settings(
    config_file: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None
) -> FileSettings:
    """The settings from `config_file` (or the discovered file) overlaid by the environment."""
    env = os.environ if env is None else env
    path = Path(config_file).expanduser() if config_file is not None else find_config_file(env)
    if path is not None and not path.is_file():
        raise FileNotFoundError(f"config file {path} does not exist")
    values = _read_file(path) if path is not None else {}
    for name, (variables, _, _) in _ENTRIES.items():
        for variable in variables:
            if env.get(variable) is not None:
                values[name] = env[variable]
                break
    endpoint = values.get("endpoint")
    insecure = values.get("insecure")
    return FileSettings(
        endpoint=_clean_endpoint(str(endpoint)) if endpoint else None,
        insecure=str2bool(insecure) if insecure is not None else None,
        ca_cert_file_path=str(values["ca_cert_file_path"]) if values.get("ca_cert_file_path") else None,
        console_endpoint=str(values["console_endpoint"]) if values.get("console_endpoint") else None,
        project=str(values["project"]) if values.get("project") else None,
        domain=str(values["domain"]) if values.get("domain") else None,
        source=path,
    )
