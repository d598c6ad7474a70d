"""Config: how a FlyteRemote reaches Flyte Admin, built the ways flytekit users build theirs.

`Config.for_sandbox()` is the local sandbox (and `flyteplane serve`'s default): plaintext gRPC on localhost:30080.
`Config.for_endpoint(endpoint, insecure)` names one. `Config.auto()` reads FLYTE_* variables and the usual config
files (see config_files.py). A flytekit `Config` is accepted wherever ours is.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from typing import Any

from flyteplane.client import PlatformConfig
from flyteplane.remote.config_files import read_settings

__all__ = ["SANDBOX_ENDPOINT", "Config"]

SANDBOX_ENDPOINT = "localhost:30080"


@dataclass(frozen=True)
class Config:
    """`platform` is the client's connection settings; `default_project`/`default_domain` come from the config
    file's `task.project`/`task.domain` (or FLYTE_DEFAULT_PROJECT/DOMAIN) and are used when FlyteRemote is
    given none."""

    platform: PlatformConfig = field(default_factory=PlatformConfig)
    default_project: str | None = None
    default_domain: str | None = None

    @property
    def console_endpoint(self) -> str | None:
        return self.platform.console_endpoint

    @classmethod
    def for_sandbox(cls) -> Config:
        return cls(PlatformConfig(endpoint=SANDBOX_ENDPOINT, insecure=True))

    @classmethod
    def for_endpoint(
        cls, endpoint: str, insecure: bool = False, config_file: str | os.PathLike[str] | None = None
    ) -> Config:
        """`endpoint` with `insecure`; with `config_file`, that file's other settings are kept (as flytekit)."""
        if config_file is None:
            return cls(PlatformConfig(endpoint=endpoint, insecure=insecure))
        base = cls.auto(config_file)
        return dataclasses.replace(
            base, platform=dataclasses.replace(base.platform, endpoint=endpoint, insecure=insecure)
        )

    @classmethod
    def auto(cls, config_file: str | os.PathLike[str] | None = None) -> Config:
        """Settings from the environment and the config file (given, or discovered as flytekit does)."""
        found = read_settings(config_file)
        platform = PlatformConfig(
            endpoint=found.endpoint or SANDBOX_ENDPOINT,
            insecure=bool(found.insecure),
            ca_cert_file_path=found.ca_cert_file_path,
            console_endpoint=found.console_endpoint,
        )
        return cls(platform, found.project, found.domain)

    @classmethod
    def coerce(cls, value: Any) -> Config:
        """Ours, a PlatformConfig, an endpoint string, or flytekit's Config (read through its `platform`)."""
        if isinstance(value, Config):
            return value
        if value is None:
            return cls.auto()
        if isinstance(value, (PlatformConfig, str)):
            return cls(PlatformConfig.coerce(value))
        platform = getattr(value, "platform", None)
        if platform is not None and isinstance(getattr(platform, "endpoint", None), str):
            return cls(PlatformConfig.coerce(platform))
        raise TypeError(f"expected a Config, a PlatformConfig or an endpoint, got {type(value).__name__}")
