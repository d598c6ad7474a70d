"""The server's certificate: settings that pick it, the self-signed one kept under the home, clear errors for bad
files, and a reload that keeps the old certificate when the new files are bad."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from tests.certificates import make_cert

from flyteplane.config import Settings, load_settings
from flyteplane.errors import InvalidArgument
from flyteplane.server.tls import ServerTls, TlsError, fingerprint, is_loopback


def names_of(cert_path: Path) -> set[str]:
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return {str(ip) for ip in san.get_values_for_type(x509.IPAddress)} | set(san.get_values_for_type(x509.DNSName))


def test_tls_is_off_by_default_and_files_when_a_certificate_is_given(tmp_path: Path) -> None:
    assert Settings(home=tmp_path).tls_mode == "off"
    assert Settings(home=tmp_path, port=1).advertised_url == "http://127.0.0.1:1"
    settings = load_settings(env={"FLYTEPLANE_TLS_CERT": "/c.pem", "FLYTEPLANE_TLS_KEY": "/k.pem"}, flags={})
    assert (settings.tls_mode, settings.tls_cert, settings.tls_key) == ("files", "/c.pem", "/k.pem")
    assert settings.advertised_url.startswith("https://")
    assert load_settings(env={}, flags={"tls": "self-signed"}).tls_mode == "self-signed"
    assert (
        load_settings(env={"FLYTEPLANE_TLS": "off", "FLYTEPLANE_TLS_CERT": "/c", "FLYTEPLANE_TLS_KEY": "/k"}).tls_mode
        == "off"
    )


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        ({"tls_cert": "/c.pem"}, "tls_key is empty"),
        ({"tls": "files", "tls_key": "/k.pem"}, "tls_cert is empty"),
        ({"tls": "self-signed", "tls_cert": "/c.pem"}, "leave tls_cert and tls_key empty"),
        ({"tls": "on"}, "invalid value for setting 'tls' (flag --tls): 'on'"),
        ({"plaintext_on_loopback": "maybe"}, "setting 'plaintext_on_loopback'"),
    ],
)
def test_tls_settings_that_do_not_fit_together_are_one_clear_error(flags: dict[str, str], message: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        load_settings(env={}, flags=flags)
    assert message in caught.value.message


def test_loopback_hosts() -> None:
    assert all(is_loopback(host) for host in ("127.0.0.1", "127.0.0.2", "::1", "localhost"))
    assert not any(is_loopback(host) for host in ("0.0.0.0", "::", "10.1.2.3", "example.com"))


def test_plaintext_is_served_beside_tls_only_on_a_loopback_host(tmp_path: Path) -> None:
    assert ServerTls(Settings(home=tmp_path, tls="self-signed")).plaintext
    assert not ServerTls(Settings(home=tmp_path, tls="self-signed", host="0.0.0.0")).plaintext
    assert not ServerTls(Settings(home=tmp_path, tls="self-signed", plaintext_on_loopback=False)).plaintext
    assert not load_settings(env={"FLYTEPLANE_PLAINTEXT_ON_LOOPBACK": "false"}).plaintext_on_loopback


def test_a_self_signed_certificate_is_made_once_private_and_kept(tmp_path: Path) -> None:
    first = ServerTls(Settings(home=tmp_path / "home", tls="self-signed")).current
    assert first.cert_path == tmp_path / "home" / "tls" / "cert.pem"
    assert stat.S_IMODE(first.key_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(first.cert_path.parent.stat().st_mode) == 0o700
    assert {"localhost", "127.0.0.1", "::1"} <= names_of(first.cert_path)
    assert first.fingerprint == fingerprint(first.cert_path.read_bytes())
    again = ServerTls(Settings(home=tmp_path / "home", tls="self-signed")).current
    assert again.fingerprint == first.fingerprint


def test_a_self_signed_certificate_is_made_again_for_a_host_it_does_not_name(tmp_path: Path) -> None:
    first = ServerTls(Settings(home=tmp_path, tls="self-signed")).current
    other = ServerTls(Settings(home=tmp_path, tls="self-signed", host="flyte.example.com")).current
    assert other.fingerprint != first.fingerprint
    assert "flyte.example.com" in names_of(other.cert_path)
    public = ServerTls(
        Settings(home=tmp_path, tls="self-signed", host="flyte.example.com", public_url="https://10.0.0.7:443")
    ).current
    assert "10.0.0.7" in names_of(public.cert_path)


def test_certificate_files_are_served_with_their_fingerprint(tmp_path: Path) -> None:
    cert, key = make_cert(tmp_path, "a")
    tls = ServerTls(Settings(home=tmp_path, tls_cert=str(cert), tls_key=str(key)))
    assert tls.current.fingerprint == fingerprint(cert.read_bytes())
    assert tls.context.get_ca_certs() == []  # a server context: it asks clients for nothing


@pytest.mark.parametrize("problem", ["missing key", "key of another certificate", "not PEM", "encrypted key"])
def test_a_bad_certificate_or_key_is_one_line_naming_the_file(tmp_path: Path, problem: str) -> None:
    cert, key = make_cert(tmp_path, "a")
    if problem == "missing key":
        key.unlink()
        expected = f"cannot read the TLS key {key}: No such file or directory"
    elif problem == "key of another certificate":
        _, key = make_cert(tmp_path, "b")
        expected = f"TLS key {key} does not belong to the certificate {cert}"
    elif problem == "not PEM":
        cert.write_text("hello\n")
        expected = f"TLS certificate {cert} holds no PEM certificate"
    else:
        loaded = serialization.load_pem_private_key(key.read_bytes(), password=None)
        encryption = serialization.BestAvailableEncryption(b"secret")
        key.write_bytes(loaded.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption))
        expected = f"TLS key {key} is encrypted"
    with pytest.raises(TlsError) as caught:
        ServerTls(Settings(home=tmp_path, tls_cert=str(cert), tls_key=str(key)))
    assert expected in str(caught.value)
    assert "\n" not in str(caught.value)


def test_reload_takes_new_files_and_keeps_the_old_certificate_when_they_are_bad(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cert, key = make_cert(tmp_path, "a")
    tls = ServerTls(Settings(home=tmp_path, tls_cert=str(cert), tls_key=str(key)))
    old = tls.current
    new_cert, new_key = make_cert(tmp_path, "b")
    cert.write_bytes(new_cert.read_bytes())
    key.write_bytes(new_key.read_bytes())
    assert tls.reload()
    assert tls.current.fingerprint == fingerprint(new_cert.read_bytes()) != old.fingerprint
    assert tls.context is not old.context

    served = tls.current
    _, other_key = make_cert(tmp_path, "c")
    key.write_bytes(other_key.read_bytes())  # the key of another certificate
    with caplog.at_level(logging.ERROR, logger="flyteplane.server.tls"):
        assert not tls.reload()
    assert tls.current is served
    lines = [record.getMessage() for record in caplog.records]
    assert lines == [
        f"TLS certificate not reloaded, still serving SHA-256 {served.fingerprint}: TLS key {key} "
        f"does not belong to the certificate {cert}"
    ]
