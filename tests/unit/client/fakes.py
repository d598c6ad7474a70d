"""Test doubles for the client: a real gRPC server on loopback whose RPCs answer as a test scripts them, and raw
clients that answer from a script without any socket."""

from __future__ import annotations

import datetime
import ipaddress
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent import futures
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import pytest

from flyteplane.client.raw import AsyncRawRpcs, SyncRawRpcs
from flyteplane.client.rpc_method import Metadata, request_message
from flyteplane.client.rpcs import ALL_SERVICES, RpcSpec

Behaviour = Callable[[Any, grpc.ServicerContext], Any]


@dataclass
class ScriptedServer:
    """A gRPC server answering every RPC of the five services from `behaviours` (UNIMPLEMENTED otherwise)."""

    port: int = 0
    behaviours: dict[str, Behaviour] = field(default_factory=dict)
    calls: dict[str, list[Any]] = field(default_factory=lambda: defaultdict(list))
    metadata: dict[str, list[dict[str, str]]] = field(default_factory=lambda: defaultdict(list))
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.port}"

    def on(self, rpc: str, behaviour: Behaviour) -> None:
        """Scripts RPC `rpc` (its name, e.g. "GetTask")."""
        self.behaviours[rpc] = behaviour

    def attempts(self, rpc: str) -> int:
        return len(self.calls[rpc])

    def _handler(self, spec: RpcSpec) -> grpc.RpcMethodHandler[Any, Any]:
        def handle(request: Any, context: grpc.ServicerContext) -> Any:
            with self.lock:
                self.calls[spec.name].append(request)
                self.metadata[spec.name].append({k: str(v) for k, v in context.invocation_metadata()})
            behaviour = self.behaviours.get(spec.name)
            if behaviour is None:
                context.abort(grpc.StatusCode.UNIMPLEMENTED, f"{spec.name} is not scripted")
            return behaviour(request, context)

        return grpc.unary_unary_rpc_method_handler(
            handle,
            request_deserializer=spec.request_type.FromString,
            response_serializer=spec.response_type.SerializeToString,
        )

    def handlers(self) -> list[grpc.GenericRpcHandler[Any, Any]]:
        return [
            grpc.method_handlers_generic_handler(
                service.name, {spec.name: self._handler(spec) for spec in service.rpcs}
            )
            for service in ALL_SERVICES
        ]


@contextmanager
def scripted_server(credentials: grpc.ServerCredentials | None = None) -> Iterator[ScriptedServer]:
    """A ScriptedServer listening on 127.0.0.1 (TLS when `credentials` are given)."""
    scripted = ScriptedServer()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4), handlers=scripted.handlers())
    if credentials is None:
        scripted.port = server.add_insecure_port("127.0.0.1:0")
    else:
        scripted.port = server.add_secure_port("127.0.0.1:0", credentials)
    server.start()
    try:
        yield scripted
    finally:
        server.stop(None)


def fail(code: grpc.StatusCode, details: str = "scripted failure", times: int | None = None) -> Behaviour:
    """Fails `times` times (forever when None), then answers with an empty response."""
    failures = {"left": times}

    def behaviour(request: Any, context: grpc.ServicerContext) -> Any:
        left = failures["left"]
        if left is None or left > 0:
            if left is not None:
                failures["left"] = left - 1
            context.abort(code, details)
        return None

    return behaviour


def answer(response: Any) -> Behaviour:
    def behaviour(request: Any, context: grpc.ServicerContext) -> Any:
        return response

    return behaviour


class ScriptedRaw(SyncRawRpcs):
    """A raw client with no socket: answers each RPC from `responses` (a value or a callable of the request)."""

    def __init__(self) -> None:
        self.responses: dict[str, Any] = {}
        self.sent: list[tuple[str, Any]] = []
        self.closed = False

    def answer(self, rpc: str, response: Any) -> None:
        self.responses[rpc] = response

    def requests(self, rpc: str) -> list[Any]:
        return [request for name, request in self.sent if name == rpc]

    def invoke(
        self, rpc: RpcSpec, request: Any = None, *, timeout: float | None = None, metadata: Metadata | None = None
    ) -> Any:
        message = request_message(rpc, request)
        self.sent.append((rpc.name, message))
        response = self.responses.get(rpc.name, rpc.response_type())
        if callable(response):
            response = response(message)
        if isinstance(response, BaseException):
            raise response
        return response

    def close(self) -> None:
        self.closed = True


class ScriptedAsyncRaw(AsyncRawRpcs):
    """The asyncio ScriptedRaw."""

    def __init__(self) -> None:
        self.sync = ScriptedRaw()

    async def invoke(
        self, rpc: RpcSpec, request: Any = None, *, timeout: float | None = None, metadata: Metadata | None = None
    ) -> Any:
        return self.sync.invoke(rpc, request, timeout=timeout, metadata=metadata)

    async def close(self) -> None:
        self.sync.closed = True


def self_signed(directory: Path) -> tuple[Path, bytes, bytes]:
    """A certificate for 127.0.0.1 and localhost, its own authority: (PEM path, certificate, key)."""
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "flyteplane test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_pem = certificate.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path = directory / "ca.pem"
    path.write_bytes(cert_pem)
    return path, cert_pem, key_pem
