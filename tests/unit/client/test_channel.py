"""Channels: insecure, TLS with a root certificate file (or `with_root_certificate`), TLS with system roots."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from flyteidl.admin import version_pb2
from tests.unit.client.fakes import ScriptedServer, answer, scripted_server, self_signed

from flyteplane.client import (
    FlyteSystemUnavailableException,
    PlatformConfig,
    RawSynchronousFlyteClient,
    RetryPolicy,
    SynchronousFlyteClient,
)
from flyteplane.client.channel import channel_credentials, channel_options

NO_RETRY = RetryPolicy(max_retries=0)


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[ScriptedServer, Path]]:
    path, cert, key = self_signed(tmp_path)
    with scripted_server(grpc.ssl_server_credentials([(key, cert)])) as server:
        server.on("GetVersion", answer(version_pb2.GetVersionResponse()))
        yield server, path


def test_tls_with_a_root_certificate_file_reaches_the_server(tls_server: tuple[ScriptedServer, Path]) -> None:
    server, ca = tls_server
    config = PlatformConfig(endpoint=server.endpoint, ca_cert_file_path=str(ca), retry=NO_RETRY)

    RawSynchronousFlyteClient(config).get_version()

    assert server.attempts("GetVersion") == 1


def test_with_root_certificate_builds_a_tls_client(tls_server: tuple[ScriptedServer, Path]) -> None:
    server, ca = tls_server
    config = PlatformConfig(endpoint=server.endpoint, insecure=True, retry=NO_RETRY)

    raw = RawSynchronousFlyteClient.with_root_certificate(config, root_cert_file=ca)
    friendly = SynchronousFlyteClient.with_root_certificate(config, root_cert_file=str(ca))
    raw.get_version()
    friendly.get_control_plane_version()

    assert raw.config.insecure is False
    assert raw.config.ca_cert_file_path == str(ca)
    assert server.attempts("GetVersion") == 2


def test_system_roots_do_not_trust_a_self_signed_server(tls_server: tuple[ScriptedServer, Path]) -> None:
    server, _ = tls_server
    config = PlatformConfig(endpoint=server.endpoint, retry=NO_RETRY, default_deadline=5)

    with pytest.raises(FlyteSystemUnavailableException):
        RawSynchronousFlyteClient(config).get_version()


def test_plaintext_cannot_talk_to_a_tls_server(tls_server: tuple[ScriptedServer, Path]) -> None:
    server, _ = tls_server
    config = PlatformConfig(endpoint=server.endpoint, insecure=True, retry=NO_RETRY, default_deadline=5)

    with pytest.raises(FlyteSystemUnavailableException):
        RawSynchronousFlyteClient(config).get_version()


def test_credentials_follow_the_config(tmp_path: Path) -> None:
    assert channel_credentials(PlatformConfig(insecure=True)) is None
    assert isinstance(channel_credentials(PlatformConfig()), grpc.ChannelCredentials)
    with pytest.raises(ValueError, match="cannot read root certificate file"):
        channel_credentials(PlatformConfig(ca_cert_file_path=str(tmp_path / "missing.pem")))


def test_channel_options_carry_the_configured_limits_and_extras_last() -> None:
    config = PlatformConfig(max_receive_message_length=10, max_send_message_length=20, max_metadata_size=30)

    options = dict(channel_options(config, [("grpc.max_receive_message_length", 99)]))

    assert options["grpc.max_send_message_length"] == 20
    assert options["grpc.max_metadata_size"] == 30
    assert options["grpc.max_receive_message_length"] == 99
    assert options["grpc.keepalive_time_ms"] == 30_000
    assert options["grpc.primary_user_agent"].startswith("flyteplane-client/")


def test_a_response_above_the_receive_limit_fails_as_a_system_error() -> None:
    with scripted_server() as server:
        big = version_pb2.GetVersionResponse(control_plane_version=version_pb2.Version(Build="x" * 4096))
        server.on("GetVersion", answer(big))
        config = PlatformConfig(endpoint=server.endpoint, insecure=True, max_receive_message_length=1024)

        with pytest.raises(Exception) as raised:
            RawSynchronousFlyteClient(config).get_version()

    assert getattr(raised.value, "code", None) == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert server.attempts("GetVersion") == 1
