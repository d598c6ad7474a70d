"""Process wiring: database, blob store, gRPC and HTTP servers behind one port, and a clean shutdown."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import shutil
import socket
import tempfile
import threading
import time
from concurrent import futures

import grpc
import uvicorn

from flyteplane.api.grpc.first_look import FirstLookWait
from flyteplane.api.grpc.handlers import grpc_handlers
from flyteplane.api.grpc.observed import ObservedCalls
from flyteplane.api.http.app import http_app
from flyteplane.api.http.console import console_routes
from flyteplane.api.http.gateway import Gateway
from flyteplane.api.rpcs import service_implementations
from flyteplane.config import Settings
from flyteplane.scheduler.timezones import zone_named
from flyteplane.server.composition import Plane
from flyteplane.server.fd_limit import connection_budget, raise_fd_limit
from flyteplane.server.front import FrontDoor, bind
from flyteplane.server.sandbox import sandbox_settings, start_sandbox_store
from flyteplane.server.seaweed import SeaweedS3
from flyteplane.server.tls import ServerTls
from flyteplane.store.db import Database

__all__ = ["ControlPlane"]

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 64 * 1024 * 1024
GRPC_OPTIONS = [
    ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
    ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
    # flytekit pings every 30 s, also while idle; accept that instead of answering with GOAWAY.
    ("grpc.keepalive_permit_without_calls", 1),
    ("grpc.http2.min_ping_interval_without_data_ms", 10_000),
    ("grpc.http2.max_ping_strikes", 0),
]


class ControlPlane:
    """A running flyteplane: start() returns once the public port answers; stop() drains and closes."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.port = settings.port
        self.db: Database | None = None
        self._grpc: grpc.Server | None = None
        self._http: uvicorn.Server | None = None
        self._front: FrontDoor | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._sockets = tempfile.mkdtemp(prefix="flyteplane-")
        self._listener: socket.socket | None = None
        self._plane: Plane | None = None
        self._fd_limit = 0
        self._sandbox_store: SeaweedS3 | None = None
        self.tls: ServerTls | None = None

    def reload_tls(self) -> bool:
        """Rereads the certificate and key (SIGHUP): new connections use them; a bad file keeps the old ones."""
        return self.tls.reload() if self.tls is not None else False

    def start(self) -> None:
        started = time.perf_counter()
        # First: a certificate that cannot be served stops the start before anything is opened (TlsError).
        self.tls = ServerTls(self.settings) if self.settings.tls_mode != "off" else None
        self._fd_limit = raise_fd_limit()  # before anything opens files: the connection cap is sized from it
        self._listener = bind(self.settings.host, self.settings.port)
        self.port = self._listener.getsockname()[1]
        self.settings = settings = dataclasses.replace(self.settings, port=self.port)
        if settings.sandbox:
            self.settings = settings = sandbox_settings(settings)
            self._sandbox_store = start_sandbox_store(settings)
        engine = settings.engine_enabled  # the scheduler runs where the engine does
        self._plane = plane = Plane.open(settings, engine=engine, scheduler=engine and settings.scheduler_enabled)
        self.db = plane.db
        services = plane.services
        services.projects.ensure_project(settings.default_project, settings.default_project)
        plane.start()
        implementations = service_implementations(services, accept_external_events=settings.accept_external_events)

        grpc_socket = os.path.join(self._sockets, "grpc.sock")
        http_socket = os.path.join(self._sockets, "http.sock")
        self._grpc = grpc.server(
            futures.ThreadPoolExecutor(max_workers=settings.grpc_workers, thread_name_prefix="grpc"),
            handlers=grpc_handlers(implementations),
            interceptors=[  # the first is the outermost: a held GetExecution counts once, with its wait
                ObservedCalls(plane.metrics.observe_rpc),
                FirstLookWait(settings.get_execution_wait, max_waiting=settings.grpc_workers // 4),
            ],
            options=GRPC_OPTIONS,
        )
        self._grpc.add_insecure_port(f"unix:{grpc_socket}")
        self._grpc.start()

        config = uvicorn.Config(
            http_app(
                plane.blobs,
                plane.signer,
                plane.attempt_logs(),  # the executor's, or those of an engine elsewhere that shares the home
                gateway=Gateway(implementations, max_body_bytes=MAX_MESSAGE_BYTES, observe=plane.metrics.observe_rpc),
                metrics=plane.metrics,
                console=console_routes(
                    implementations,
                    services.dataproxy,
                    services.launch_plans.scheduled_launch_plans,
                    zone_named(settings.scheduler_timezone),
                ),
            ),
            uds=http_socket,
            log_level="warning",
            lifespan="off",
            access_log=False,
        )
        self._http = uvicorn.Server(config)
        max_connections = connection_budget(settings.max_connections, self._fd_limit)
        if max_connections < settings.max_connections:
            log.warning(
                "serving at most %d connections, not max_connections=%d: the open files limit is %d",
                max_connections,
                settings.max_connections,
                self._fd_limit,
            )
        self._front = FrontDoor(
            grpc_socket,
            http_socket,
            max_connections=max_connections,
            idle_timeout=settings.connection_idle_timeout,
            tls=self.tls,
        )
        ready = threading.Event()
        failure: list[BaseException] = []
        self._thread = threading.Thread(target=self._run_io, args=(ready, failure), name="flyteplane-io", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            self.stop()
            raise failure[0]
        log.info(
            "flyteplane ready on %s:%d in %.2fs (db %s)",
            settings.host,
            self.port,
            time.perf_counter() - started,
            self.db.dialect,
        )

    def _run_io(self, ready: threading.Event, failure: list[BaseException]) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)

        async def main() -> None:
            assert self._http is not None and self._front is not None and self._listener is not None
            http_task = asyncio.create_task(self._http.serve())
            while not self._http.started:
                if http_task.done():
                    http_task.result()
                await asyncio.sleep(0.005)
            await self._front.start(self._listener, self._fd_limit)
            ready.set()
            await http_task

        try:
            loop.run_until_complete(main())
        except BaseException as exc:
            failure.append(exc)
            ready.set()
        finally:
            _end_leftover_tasks(loop)
            loop.close()

    def stop(self, grace: float = 5.0) -> None:
        if self._loop is not None and self._front is not None and not self._loop.is_closed():
            front = self._front
            asyncio.run_coroutine_threadsafe(front.stop(), self._loop).result(timeout=grace)
        if self._http is not None:
            self._http.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=grace)
        if self._grpc is not None:
            self._grpc.stop(grace).wait()
        if self._plane is not None:
            self._plane.stop()  # running task processes keep going; a restart adopts them
            self._plane.close()
        if self._sandbox_store is not None:
            self._sandbox_store.stop()
        if self._listener is not None:
            self._listener.close()
        shutil.rmtree(self._sockets, ignore_errors=True)


def _end_leftover_tasks(loop: asyncio.AbstractEventLoop) -> None:
    """Cancels and awaits what is still running, as asyncio.run does before closing its loop: a connection
    accepted while the front door was stopping would otherwise be destroyed pending, with errors in the log."""
    leftovers = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in leftovers:
        task.cancel()
    if leftovers:
        loop.run_until_complete(asyncio.gather(*leftovers, return_exceptions=True))
    loop.run_until_complete(loop.shutdown_asyncgens())
