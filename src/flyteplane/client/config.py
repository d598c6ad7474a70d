"""How the client reaches a Flyte Admin: endpoint, TLS, limits, deadlines and retries, in one frozen object."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from flyteplane.client.retry import RetryPolicy

__all__ = ["DEFAULT_ENDPOINT", "PlatformConfig"]

DEFAULT_ENDPOINT = "localhost:30080"  # the Flyte sandbox's, and flyteplane's, default port
_MIB = 1024 * 1024


@dataclass(frozen=True)
class PlatformConfig:
    """Connection settings, named as flytekit's `PlatformConfig` where the two overlap.

    `insecure=True` is plaintext gRPC. Otherwise TLS, trusting `ca_cert_file_path` when set and the system's root
    certificates when not. `default_deadline` (seconds) bounds every attempt of every call that does not pass its
    own timeout; None waits as long as the server takes. `metadata` is sent with every call (e.g. an
    `authorization` header for a gateway in front of Flyte Admin).
    """

    endpoint: str = DEFAULT_ENDPOINT
    insecure: bool = False
    ca_cert_file_path: str | None = None
    console_endpoint: str | None = None
    default_deadline: float | None = None
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    max_receive_message_length: int = 64 * _MIB
    max_send_message_length: int = 64 * _MIB
    max_metadata_size: int = 32 * 1024
    keepalive_time_ms: int = 30_000
    keepalive_timeout_ms: int = 10_000
    metadata: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if not self.endpoint:
            raise ValueError("endpoint must not be empty, e.g. 'localhost:30080'")
        if self.default_deadline is not None and self.default_deadline <= 0:
            raise ValueError(f"default_deadline must be positive seconds or None, got {self.default_deadline}")
        object.__setattr__(self, "metadata", tuple((k.lower(), v) for k, v in self.metadata))

    @classmethod
    def for_endpoint(cls, endpoint: str, insecure: bool = False, **settings: Any) -> PlatformConfig:
        return cls(endpoint=endpoint, insecure=insecure, **settings)

    @classmethod
    def coerce(cls, value: PlatformConfig | str | Any | None, insecure: bool | None = None) -> PlatformConfig:
        """Our config from an endpoint string, our config, or flytekit's `PlatformConfig` (read by attribute).

        `insecure`, when given, overrides whatever the value says; flytekit's auth settings have no counterpart
        here and are ignored.
        """
        if value is None:
            config = cls()
        elif isinstance(value, PlatformConfig):
            config = value
        elif isinstance(value, str):
            config = cls(endpoint=value)
        elif isinstance(getattr(value, "endpoint", None), str):
            config = cls(
                endpoint=value.endpoint,
                insecure=bool(getattr(value, "insecure", False)),
                ca_cert_file_path=getattr(value, "ca_cert_file_path", None) or None,
                console_endpoint=getattr(value, "console_endpoint", None) or None,
                retry=RetryPolicy(max_retries=int(getattr(value, "rpc_retries", 3))),
            )
        else:
            raise TypeError(f"expected an endpoint string or a PlatformConfig, got {type(value).__name__}")
        if insecure is not None and insecure != config.insecure:
            config = dataclasses.replace(config, insecure=insecure)
        return config
