"""TLS on the one port (issue 13, part 1), with real servers, sockets and clients: flytekit and pyflyte verifying
the self-signed certificate (or skipping verification), the HTTP routes and signed upload URLs over https, a
TLS-only port refusing plaintext, certificate files reloaded on SIGHUP, and a bad key stopping the start."""

from __future__ import annotations

import base64
import hashlib
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import httpx2
import pytest
from flyteidl.admin import project_pb2
from flyteidl.service import admin_pb2_grpc, dataproxy_pb2, dataproxy_pb2_grpc
from flytekit.configuration import Config, PlatformConfig
from tests.certificates import make_cert
from tests.integration.engine.support import APPS, DOMAIN, QuickRemote, assert_succeeded, register, run, use_engine_apps
from tests.integration.server import RunningServer, start_server
from tests.integration.support import new_project, unique

PYFLYTE = Path(sys.executable).with_name("pyflyte")
HTTP2_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
SETTINGS_FRAME_TYPE = 0x4
EMPTY_SETTINGS_FRAME = bytes([0, 0, 0, SETTINGS_FRAME_TYPE, 0, 0, 0, 0, 0])  # length 0, no flags, stream 0
PROMPT = 30.0  # seconds for a signalled server to show what the signal did


@dataclass
class TlsServer:
    server: RunningServer
    cert: Path  # what clients trust: the self-signed certificate
    fingerprint: str  # as the server printed it
    banner: str

    @property
    def endpoint(self) -> str:
        return self.server.endpoint

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.server.port}"


def banner_of(server: RunningServer) -> str:
    """The lines `serve` prints after its ready line (home, tls, connect)."""
    assert server.process.stdout is not None
    return "".join(server.process.stdout.readline() for _ in range(4))


def start_tls_server(home: Path, *flags: str) -> TlsServer:
    server = start_server(home, "", *flags)
    banner = banner_of(server)
    cert = home / "tls" / "cert.pem"
    printed = [line.split("fingerprint ", 1)[1].strip() for line in banner.splitlines() if "fingerprint" in line]
    return TlsServer(server, cert, printed[0] if printed else "", banner)


def served_fingerprint(port: int) -> str:
    """SHA-256 of the certificate a new connection is shown, computed here (as openssl prints it)."""
    der = ssl.PEM_cert_to_DER_cert(ssl.get_server_certificate(("127.0.0.1", port)))
    return hashlib.sha256(der).hexdigest().upper()


def colons(hex_digest: str) -> str:
    return ":".join(hex_digest[i : i + 2] for i in range(0, len(hex_digest), 2))


def trusting(cert: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(cert))


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsServer]:
    running = start_tls_server(tmp_path_factory.mktemp("tls-home"), "--tls", "self-signed")
    yield running
    running.server.stop()


def remote_for(tls: TlsServer, **platform: Any) -> QuickRemote:
    config = Config(platform=PlatformConfig(endpoint=tls.endpoint, insecure=False, **platform))
    return QuickRemote(config, default_project="flytesnacks", default_domain=DOMAIN)


def test_serve_prints_the_self_signed_certificate_and_its_fingerprint(tls: TlsServer) -> None:
    assert f"self-signed certificate {tls.cert}" in tls.banner
    assert tls.fingerprint == colons(served_fingerprint(tls.server.port))
    assert f"caCertFilePath: {tls.cert}" in tls.banner


def test_flytekit_verifying_the_self_signed_certificate_registers_and_runs_a_workflow(tls: TlsServer) -> None:
    use_engine_apps()
    from flows.basics import arithmetic

    remote = remote_for(tls, ca_cert_file_path=str(tls.cert))
    project = new_project(remote, "tls")
    register(remote, project, arithmetic)  # fast registration uploads the code to a signed https:// URL
    execution = run(remote, project, arithmetic, a=20, b=1)
    assert_succeeded(execution)
    assert execution.outputs["o0"] == 42


def test_flytekit_with_insecure_skip_verify_works(tls: TlsServer, tmp_path: Path) -> None:
    remote = remote_for(tls, insecure_skip_verify=True)
    project = new_project(remote, "skip-verify")
    assert project in {p.id for p in remote.client.list_projects_paginated(limit=100)[0]}
    payload = tmp_path / "payload.txt"
    payload.write_text("over TLS without verifying\n")
    _, uri = remote.upload_file(payload, project=project, domain=DOMAIN)  # the signed URL's PUT, verify=False
    assert uri.endswith("payload.txt")


def test_flyteplanes_own_remote_trusting_the_certificate_lists_and_uploads(tls: TlsServer, tmp_path: Path) -> None:
    from flyteplane.client import PlatformConfig as OwnPlatformConfig
    from flyteplane.remote import Config as OwnConfig
    from flyteplane.remote import FlyteRemote as OwnRemote

    platform = OwnPlatformConfig(endpoint=tls.endpoint, insecure=False, ca_cert_file_path=str(tls.cert))
    remote = OwnRemote(OwnConfig(platform=platform), default_project="flytesnacks", default_domain=DOMAIN)
    assert "flytesnacks" in {project.id for project in remote.client.list_projects_paginated(limit=100)[0]}
    payload = tmp_path / "own.txt"
    payload.write_text("flyteplane's client over TLS\n")
    _, uri = remote.upload_file(payload)  # the PUT to the signed https:// URL verifies the certificate
    assert uri.endswith("own.txt")


def test_a_client_that_does_not_trust_the_certificate_is_refused(tls: TlsServer) -> None:
    with pytest.raises(httpx2.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        httpx2.get(f"{tls.url}/healthcheck")
    credentials = grpc.ssl_channel_credentials()  # the system's roots only
    with grpc.secure_channel(tls.endpoint, credentials) as channel, pytest.raises(grpc.RpcError) as caught:
        admin_pb2_grpc.AdminServiceStub(channel).ListProjects(project_pb2.ProjectListRequest(), timeout=10)
    assert caught.value.code() == grpc.StatusCode.UNAVAILABLE


def test_http_routes_and_signed_upload_urls_are_https_and_verified(tls: TlsServer) -> None:
    with httpx2.Client(verify=trusting(tls.cert)) as http:
        assert http.get(f"{tls.url}/healthcheck").status_code == 200
        projects = http.get(f"{tls.url}/api/v1/projects").json()["projects"]
        assert "flytesnacks" in {project["id"] for project in projects}
        with grpc.secure_channel(tls.endpoint, grpc.ssl_channel_credentials(tls.cert.read_bytes())) as channel:
            body = b"uploaded over TLS\n"
            location = dataproxy_pb2_grpc.DataProxyServiceStub(channel).CreateUploadLocation(
                dataproxy_pb2.CreateUploadLocationRequest(
                    project="flytesnacks",
                    domain=DOMAIN,
                    filename=f"{unique('tls')}.txt",
                    content_md5=hashlib.md5(body).digest(),
                ),
                timeout=10,
            )
        assert location.signed_url.startswith(f"{tls.url}/")
        md5 = base64.b64encode(hashlib.md5(body).digest()).decode()
        answer = http.put(location.signed_url, content=body, headers={"Content-MD5": md5})
        assert answer.status_code in (200, 201), answer.text


def tls_connection(tls: TlsServer, alpn: list[str] | None) -> ssl.SSLSocket:
    context = trusting(tls.cert)
    if alpn is not None:
        context.set_alpn_protocols(alpn)
    return context.wrap_socket(socket.create_connection(("127.0.0.1", tls.server.port)), server_hostname="127.0.0.1")


def read_all(connection: ssl.SSLSocket) -> bytes:
    received = b""
    while chunk := connection.recv(65536):
        received += chunk
    return received


def test_alpn_gives_browsers_http_1_1_and_grpc_clients_h2(tls: TlsServer) -> None:
    with tls_connection(tls, ["h2", "http/1.1"]) as browser:  # what browsers, curl and httpx offer
        assert browser.selected_alpn_protocol() == "http/1.1"
        browser.sendall(b"GET /healthcheck HTTP/1.1\r\nHost: flyteplane\r\nConnection: close\r\n\r\n")
        assert read_all(browser).startswith(b"HTTP/1.1 200")
    with tls_connection(tls, ["h2"]) as grpc_client:
        assert grpc_client.selected_alpn_protocol() == "h2"


def test_without_alpn_the_first_decrypted_bytes_pick_grpc_or_http(tls: TlsServer) -> None:
    with tls_connection(tls, None) as client:
        assert client.selected_alpn_protocol() is None
        client.sendall(b"GET /healthcheck HTTP/1.1\r\nHost: flyteplane\r\nConnection: close\r\n\r\n")
        assert read_all(client).startswith(b"HTTP/1.1 200")
    with tls_connection(tls, None) as client:
        client.sendall(HTTP2_PREFACE + EMPTY_SETTINGS_FRAME)
        frame = client.recv(9)  # the gRPC server's first frame: its SETTINGS (an HTTP server would answer 400)
        assert len(frame) == 9 and frame[3] == SETTINGS_FRAME_TYPE, frame


def test_plaintext_stays_on_beside_tls_on_a_loopback_port(tls: TlsServer) -> None:
    assert httpx2.get(f"http://127.0.0.1:{tls.server.port}/healthcheck").status_code == 200
    with grpc.insecure_channel(tls.endpoint) as channel:
        listed = admin_pb2_grpc.AdminServiceStub(channel).ListProjects(project_pb2.ProjectListRequest(), timeout=10)
    assert "flytesnacks" in {project.id for project in listed.projects}


def test_pyflyte_run_remote_over_tls(tls: TlsServer, tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(f"admin:\n  endpoint: dns:///{tls.endpoint}\n  insecure: false\n  caCertFilePath: {tls.cert}\n")
    project = new_project(remote_for(tls, ca_cert_file_path=str(tls.cert)), "tls-cli")
    name = unique("tls")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLYTE_", "FLYTEPLANE_"))}
    argv = [str(PYFLYTE), "--config", str(config), "run", "--remote", "--project", project, "--domain", DOMAIN]
    argv += ["--name", name, "--wait", "flows/basics.py", "arithmetic", "--a", "20", "--b", "1"]
    completed = subprocess.run(argv, cwd=APPS, env=env, capture_output=True, text=True, timeout=180)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert f"Execution {name} has succeeded" in completed.stdout


def test_a_tls_only_port_refuses_plaintext_with_a_clear_message(tmp_path: Path) -> None:
    tls = start_tls_server(tmp_path / "home", "--tls", "self-signed", "--no-plaintext-on-loopback")
    try:
        answer = httpx2.get(f"http://127.0.0.1:{tls.server.port}/healthcheck")
        assert answer.status_code == 400
        assert "this port requires TLS" in answer.text
        with grpc.insecure_channel(tls.endpoint) as channel, pytest.raises(grpc.RpcError) as caught:
            admin_pb2_grpc.AdminServiceStub(channel).ListProjects(project_pb2.ProjectListRequest(), timeout=10)
        assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
        assert httpx2.get(f"{tls.url}/healthcheck", verify=trusting(tls.cert)).status_code == 200
        assert "(TLS only)" in tls.banner
    finally:
        tls.server.stop()


def test_the_self_signed_certificate_is_kept_across_restarts(tmp_path: Path) -> None:
    first = start_tls_server(tmp_path / "home", "--tls", "self-signed")
    first.server.stop()
    again = start_tls_server(tmp_path / "home", "--tls", "self-signed")
    try:
        assert again.fingerprint == first.fingerprint
        assert colons(served_fingerprint(again.server.port)) == first.fingerprint
    finally:
        again.server.stop()


def test_sighup_reloads_the_certificate_files_and_a_bad_new_key_keeps_the_old_one(tmp_path: Path) -> None:
    cert, key = make_cert(tmp_path / "certs", "first", "127.0.0.1")
    home = tmp_path / "home"
    tls = start_tls_server(home, "--tls-cert", str(cert), "--tls-key", str(key))
    port = tls.server.port
    try:
        first = served_fingerprint(port)
        assert tls.fingerprint == colons(first)
        new_cert, new_key = make_cert(tmp_path / "certs", "second", "127.0.0.1")
        cert.write_bytes(new_cert.read_bytes())
        key.write_bytes(new_key.read_bytes())
        tls.server.process.send_signal(signal.SIGHUP)
        second = hashlib.sha256(ssl.PEM_cert_to_DER_cert(new_cert.read_text())).hexdigest().upper()
        assert wait_until(lambda: served_fingerprint(port) == second), "the new certificate was never served"

        _, other_key = make_cert(tmp_path / "certs", "third", "127.0.0.1")
        key.write_bytes(other_key.read_bytes())
        tls.server.process.send_signal(signal.SIGHUP)
        assert wait_until(lambda: "not reloaded" in tls.server.log.read_text()), tls.server.log.read_text()
        assert served_fingerprint(port) == second
        lines = [line for line in tls.server.log.read_text().splitlines() if "not reloaded" in line]
        assert len(lines) == 1
        assert f"still serving SHA-256 {colons(second)}: TLS key {key} does not belong to the certificate" in lines[0]
        assert tls.server.process.poll() is None
    finally:
        tls.server.stop()


def wait_until(condition: Any) -> bool:
    deadline = time.monotonic() + PROMPT
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("problem", ["key of another certificate", "unreadable key"])
def test_a_bad_key_at_start_exits_2_with_one_clear_line(tmp_path: Path, problem: str) -> None:
    cert, key = make_cert(tmp_path, "served")
    if problem == "unreadable key":
        key.unlink()
        expected = f"Error: cannot read the TLS key {key}: No such file or directory"
    else:
        _, key = make_cert(tmp_path, "other")
        expected = f"Error: TLS key {key} does not belong to the certificate {cert}"
    args = [sys.executable, "-m", "flyteplane", "serve", "--port", "0", "--home", str(tmp_path / "home")]
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLYTEPLANE_")}
    completed = subprocess.run(
        [*args, "--tls-cert", str(cert), "--tls-key", str(key)], capture_output=True, text=True, env=env, timeout=60
    )
    assert completed.returncode == 2
    assert completed.stderr.strip().splitlines() == [expected]
    assert completed.stdout == ""
