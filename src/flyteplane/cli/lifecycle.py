"""What every long-running command shares: settings with clear usage errors, logging, and a stop on signal."""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path
from typing import Any

import click

from flyteplane.config import Settings, load_settings
from flyteplane.errors import FlyteplaneError
from flyteplane.observability.logs import configure_logging

__all__ = ["StopSignal", "run_background", "settings_and_logging"]


def settings_and_logging(config_file: Path | None, flags: dict[str, Any]) -> Settings:
    try:
        settings = load_settings(config_file=config_file, flags=flags)
    except FlyteplaneError as exc:
        raise click.UsageError(exc.message) from exc
    configure_logging(settings.log_level, settings.log_format, sys.stderr)
    return settings


class StopSignal:
    """Set by SIGINT or SIGTERM; install it before starting so an early signal still stops cleanly."""

    def __init__(self) -> None:
        self._event = threading.Event()
        signal.signal(signal.SIGINT, self._request)
        signal.signal(signal.SIGTERM, self._request)

    def _request(self, _signum: int, _frame: Any) -> None:
        self._event.set()

    def wait(self) -> None:
        """Waits in short slices: a signal may land on a gRPC or asyncio thread, and Python runs its handler only
        when the main thread next executes bytecode, so an untimed wait would never wake up."""
        sys.stdout.flush()
        while not self._event.wait(timeout=0.2):
            pass


def run_background(settings: Settings, *, engine: bool, scheduler: bool, banner: str) -> None:
    """Runs the background parts of a control plane (no API) until SIGINT or SIGTERM: `flyteplane engine` and
    `flyteplane scheduler`."""
    from flyteplane.server.composition import Plane

    stop = StopSignal()
    try:
        plane = Plane.open(settings, engine=engine, scheduler=scheduler, notifications=engine)
    except FlyteplaneError as exc:
        raise click.ClickException(exc.message) from exc
    try:
        plane.start()
        click.echo(banner)
        stop.wait()
        click.echo("flyteplane stopping")
        plane.stop()
    finally:
        plane.close()
