"""`flyteplane scheduler`: only the scheduler, on a flyteplane database, without serving the API.

`flyteplane serve` already runs the scheduler; this is for running it apart (e.g. `serve` with
`scheduler_enabled: false` on several replicas and one scheduler). It creates the scheduled executions in the
database and blob store it shares with a server, whose engine then runs them. Two schedulers on one database are
safe: execution names are deterministic, and the second to fire a time is told it exists.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

__all__ = ["scheduler"]


@click.command()
@click.option("--home", type=click.Path(path_type=Path), default=None, help="State folder [default: ~/.flyteplane].")
@click.option("--db", default=None, help="Database URL [default: SQLite under home]; postgresql://... works.")
@click.option("--config", "config_file", type=click.Path(path_type=Path), default=None, help="YAML settings file.")
@click.option("--log-level", default=None, help="DEBUG, INFO, WARNING ... [default: INFO].")
def scheduler(config_file: Path | None, **flags: Any) -> None:
    """Fire the schedules of active launch plans until interrupted."""
    from flyteplane.cli.lifecycle import StopSignal, settings_and_logging
    from flyteplane.server.composition import Plane

    settings = settings_and_logging(config_file, flags)
    stop = StopSignal()
    plane = Plane.open(settings, engine=False, scheduler=True)
    try:
        plane.start()
        click.echo(f"flyteplane scheduler running on {settings.database_url} (catch-up {settings.scheduler_catchup})")
        stop.wait()
        click.echo("flyteplane scheduler stopping")
        plane.stop()
    finally:
        plane.close()
