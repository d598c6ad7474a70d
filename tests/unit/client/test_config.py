"""PlatformConfig: building one from an endpoint, from flytekit's config, and refusing nonsense."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from flyteplane.client import PlatformConfig, RetryPolicy


def test_an_endpoint_string_becomes_a_config() -> None:
    assert PlatformConfig.coerce("admin.example.com:443") == PlatformConfig(endpoint="admin.example.com:443")


def test_insecure_overrides_what_the_config_says() -> None:
    config = PlatformConfig.coerce(PlatformConfig(endpoint="h:1"), insecure=True)
    assert config.insecure is True
    assert PlatformConfig.coerce("h:1", insecure=None).insecure is False


def test_no_config_means_the_sandbox_endpoint() -> None:
    assert PlatformConfig.coerce(None).endpoint == "localhost:30080"


def test_flytekit_style_configs_are_read_by_attribute() -> None:
    @dataclass
    class FlytekitPlatformConfig:
        endpoint: str = "flyte.example.com:443"
        insecure: bool = False
        ca_cert_file_path: str | None = "/etc/ca.pem"
        console_endpoint: str | None = None
        rpc_retries: int = 5
        auth_mode: str = "Pkce"

    config = PlatformConfig.coerce(FlytekitPlatformConfig())

    assert config.endpoint == "flyte.example.com:443"
    assert config.ca_cert_file_path == "/etc/ca.pem"
    assert config.retry == RetryPolicy(max_retries=5)


def test_flytekits_own_platform_config_is_accepted() -> None:
    from flytekit.configuration import PlatformConfig as FlytekitPlatformConfig

    config = PlatformConfig.coerce(FlytekitPlatformConfig(endpoint="localhost:30080", insecure=True))

    assert (config.endpoint, config.insecure) == ("localhost:30080", True)


def test_other_objects_are_refused() -> None:
    with pytest.raises(TypeError, match="endpoint string or a PlatformConfig"):
        PlatformConfig.coerce(42)


def test_metadata_keys_are_lower_cased_as_grpc_requires() -> None:
    assert PlatformConfig(metadata=(("Authorization", "Bearer x"),)).metadata == (("authorization", "Bearer x"),)


@pytest.mark.parametrize("settings", [{"endpoint": ""}, {"default_deadline": 0}, {"default_deadline": -1.0}])
def test_nonsense_settings_are_refused(settings: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        PlatformConfig(**settings)  # type: ignore[arg-type]
