"""The server's TLS certificate: loaded from PEM files or made once under the home, checked with clear messages,
and swapped in place on reload (SIGHUP) so new connections use the new certificate while open ones go on.

A self-signed certificate is an ECDSA P-256 key and certificate under `<home>/tls/` (key 0600), valid for
localhost, 127.0.0.1, ::1 and the configured host; it is kept across restarts (its fingerprint stays what users
pinned) and made again only when missing, expired or not valid for a name the server now needs.
"""

from __future__ import annotations

import datetime
import ipaddress
import logging
import os
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from flyteplane.config import Settings
from flyteplane.server.home import prepare_home

__all__ = ["ALPN_PROTOCOLS", "ServerTls", "TlsError", "fingerprint", "is_loopback", "self_signed_names"]

log = logging.getLogger(__name__)

# Server preference order: a client offering both (browsers, curl, httpx) gets HTTP/1.1, which is what the HTTP app
# speaks; gRPC clients offer only h2 and get it.
ALPN_PROTOCOLS = ["http/1.1", "h2"]
SELF_SIGNED_DIR = "tls"
SELF_SIGNED_DAYS = 5 * 365
WILDCARD_HOSTS = ("0.0.0.0", "::", "")


class TlsError(Exception):
    """A certificate or key that cannot be served; the message is one line naming the file."""


def fingerprint(cert_pem: bytes) -> str:
    """SHA-256 of the first certificate in `cert_pem` (DER), as `openssl x509 -fingerprint -sha256` prints it."""
    cert = x509.load_pem_x509_certificates(cert_pem)[0]
    return cert.fingerprint(hashes.SHA256()).hex(":").upper()


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def self_signed_names(settings: Settings) -> set[str]:
    """The names a self-signed certificate must be valid for: loopback, the host it listens on (this machine's name
    when it listens on every address) and the public URL's host."""
    names = {"localhost", "127.0.0.1", "::1"}
    names.add(socket.gethostname() if settings.host in WILDCARD_HOSTS else settings.host)
    if settings.public_url:
        public_host = urlsplit(settings.public_url).hostname
        if public_host:
            names.add(public_host)
    return {name for name in names if name}


@dataclass(frozen=True)
class Certificate:
    """A loaded certificate: the context that serves it, and what users are told about it."""

    context: ssl.SSLContext
    cert_path: Path
    key_path: Path
    fingerprint: str


class ServerTls:
    """The certificate the front door serves now; `reload()` replaces it, or keeps it when the new files are bad."""

    def __init__(self, settings: Settings) -> None:
        self.mode = settings.tls_mode
        self.plaintext = settings.plaintext_on_loopback and is_loopback(settings.host)
        if self.mode == "self-signed":
            prepare_home(settings.home)  # private before the key is written into it
            self._cert_path, self._key_path = ensure_self_signed(settings.home / SELF_SIGNED_DIR, settings)
        else:
            self._cert_path, self._key_path = Path(settings.tls_cert), Path(settings.tls_key)
        self.current = load(self._cert_path, self._key_path)

    @property
    def context(self) -> ssl.SSLContext:
        return self.current.context

    def reload(self) -> bool:
        """Reads the files again; new connections use the new certificate. A bad file keeps the old one."""
        try:
            loaded = load(self._cert_path, self._key_path)
        except TlsError as exc:
            log.error("TLS certificate not reloaded, still serving SHA-256 %s: %s", self.current.fingerprint, exc)
            return False
        self.current = loaded
        log.info("TLS certificate reloaded from %s: SHA-256 %s", loaded.cert_path, loaded.fingerprint)
        return True


def load(cert_path: Path, key_path: Path) -> Certificate:
    """Checks the PEM files with messages that name the file and the problem, then builds the server context."""
    cert_pem = _read(cert_path, "certificate")
    key_pem = _read(key_path, "key")
    try:
        certs = x509.load_pem_x509_certificates(cert_pem)
    except ValueError:
        raise TlsError(f"TLS certificate {cert_path} holds no PEM certificate") from None
    try:
        key = serialization.load_pem_private_key(key_pem, password=None)
    except TypeError:
        raise TlsError(f"TLS key {key_path} is encrypted; give an unencrypted PEM key") from None
    except (ValueError, UnsupportedAlgorithm):
        raise TlsError(f"TLS key {key_path} holds no PEM private key") from None
    if certs[0].public_key() != key.public_key():
        raise TlsError(f"TLS key {key_path} does not belong to the certificate {cert_path}")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_alpn_protocols(ALPN_PROTOCOLS)
    try:
        context.load_cert_chain(str(cert_path), str(key_path))
    except (ssl.SSLError, OSError) as exc:
        raise TlsError(f"cannot use TLS certificate {cert_path} with key {key_path}: {exc}") from None
    return Certificate(context, cert_path, key_path, certs[0].fingerprint(hashes.SHA256()).hex(":").upper())


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise TlsError(f"cannot read the TLS {what} {path}: {exc.strerror or exc}") from None


def ensure_self_signed(folder: Path, settings: Settings) -> tuple[Path, Path]:
    """The self-signed certificate and key under `folder`, made when missing, expired or lacking a needed name."""
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    names = self_signed_names(settings)
    reason = _replace_reason(cert_path, key_path, names)
    if reason is not None:
        if reason:
            log.warning("making a new self-signed TLS certificate: %s", reason)
        try:
            _write_self_signed(folder, cert_path, key_path, names)
        except OSError as exc:
            problem = exc.strerror or str(exc)
            raise TlsError(f"cannot write the self-signed TLS certificate under {folder}: {problem}") from None
    return cert_path, key_path


def _replace_reason(cert_path: Path, key_path: Path, names: set[str]) -> str | None:
    """None when the kept certificate serves; "" when there is none yet; else why it is made again."""
    if not cert_path.exists() and not key_path.exists():
        return ""
    try:
        cert = x509.load_pem_x509_certificates(cert_path.read_bytes())[0]
        key_path.stat()
    except (OSError, ValueError) as exc:
        return f"the kept one is unreadable ({exc})"
    if cert.not_valid_after_utc <= datetime.datetime.now(datetime.timezone.utc):
        return f"the kept one expired on {cert.not_valid_after_utc:%Y-%m-%d}"
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return "the kept one names no hosts"
    covered = {str(ip) for ip in san.get_values_for_type(x509.IPAddress)} | set(san.get_values_for_type(x509.DNSName))
    missing = sorted(names - covered)
    return f"the kept one is not valid for {', '.join(missing)}" if missing else None


def _write_self_signed(folder: Path, cert_path: Path, key_path: Path, names: set[str]) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "flyteplane self-signed")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=SELF_SIGNED_DAYS))
        .add_extension(x509.SubjectAlternativeName([_general_name(name) for name in sorted(names)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    _write_atomically(key_path, key_pem, 0o600)
    _write_atomically(cert_path, cert.public_bytes(serialization.Encoding.PEM), 0o644)


def _general_name(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def _write_atomically(path: Path, data: bytes, mode: int) -> None:
    """Writes beside `path` with `mode` from the start (a key is never readable by others, even briefly), then
    renames: a server starting at the same time reads the old file or the new one, never half of one."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.fchmod(descriptor, mode)
        os.write(descriptor, data)
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    os.replace(temporary, path)
