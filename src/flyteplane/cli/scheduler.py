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
    from flyteplane.blobs.signing import Signer, load_or_create_secret
    from flyteplane.blobs.store import BlobStore
    from flyteplane.cli.lifecycle import StopSignal, settings_and_logging
    from flyteplane.scheduler.loop import Scheduler
    from flyteplane.server.home import hold_private_umask, prepare_home
    from flyteplane.services import Services
    from flyteplane.store.db import Database, migrate

    settings = settings_and_logging(config_file, flags)
    stop = StopSignal()
    hold_private_umask()
    prepare_home(settings.home)
    db = Database(settings.database_url)
    try:
        migrate(db.engine)
        services = Services.build(
            settings, db, BlobStore(settings.blob_base), Signer(load_or_create_secret(settings.home / "secret.key"))
        )
        running = Scheduler.from_settings(settings, db, services.executions.create_execution)
        running.start()
        click.echo(f"flyteplane scheduler running on {settings.database_url} (catch-up {settings.scheduler_catchup})")
        stop.wait()
        click.echo("flyteplane scheduler stopping")
        running.stop()
    finally:
        db.close()
