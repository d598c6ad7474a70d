"""`flyteplane engine`: the engine (and the scheduler) alone, next to a `flyteplane serve --no-engine`.

Both open the same database and blob store; the API process records executions and the engine runs them. A
wake-up the API side gives (a new execution, a set signal, a terminate) makes the execution due at once, and the
engine sees it at its next scan (every half second). One engine runs per home. With `sandbox: true` the engine
uses the sandbox's S3 store, which the `flyteplane serve --sandbox --no-engine` beside it runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from flyteplane.cli.options import state_options

__all__ = ["engine"]


@click.command()
@state_options
def engine(config_file: Path | None, **flags: Any) -> None:
    """Run workflows (and schedules) for the control plane on this database until interrupted."""
    from flyteplane.cli.lifecycle import run_background, settings_and_logging
    from flyteplane.errors import FlyteplaneError
    from flyteplane.server.sandbox import sandbox_settings

    settings = settings_and_logging(config_file, flags)
    if settings.sandbox:
        try:
            settings = sandbox_settings(settings)
        except FlyteplaneError as exc:
            raise click.UsageError(exc.message) from exc
    scheduler = settings.scheduler_enabled
    banner = f"flyteplane engine running on {settings.database_url}" + (" with the scheduler" if scheduler else "")
    run_background(settings, engine=True, scheduler=scheduler, banner=banner)
