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

from flyteplane.cli.options import state_options

__all__ = ["scheduler"]


@click.command()
@state_options
def scheduler(config_file: Path | None, **flags: Any) -> None:
    """Fire the schedules of active launch plans until interrupted."""
    from flyteplane.cli.lifecycle import run_background, settings_and_logging

    settings = settings_and_logging(config_file, flags)
    banner = f"flyteplane scheduler running on {settings.database_url} (catch-up {settings.scheduler_catchup})"
    run_background(settings, engine=False, scheduler=True, banner=banner)
