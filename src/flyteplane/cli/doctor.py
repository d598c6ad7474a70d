"""`flyteplane doctor`: checks the database, blob store and executor a `flyteplane serve` with the same options
would use, prints one line per check, and exits non-zero when any fails."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from flyteplane.cli.options import state_options

__all__ = ["doctor"]


@click.command()
@state_options
@click.option(
    "--executor/--no-executor",
    "check_executor",
    default=True,
    help="Also check that the executor can run tasks [default: on]; off for an API-only (serve --no-engine) host.",
)
def doctor(config_file: Path | None, check_executor: bool, **flags: Any) -> None:
    """Check that the database, blob store and executor are reachable and usable; say precisely what is wrong."""
    from flyteplane.cli.lifecycle import settings_and_logging
    from flyteplane.observability.doctor import diagnose

    settings = settings_and_logging(config_file, flags)
    click.echo(f"flyteplane doctor: home {settings.home}")
    findings = diagnose(settings, executor=check_executor)
    for finding in findings:
        click.echo(finding.line())
    failed = [finding for finding in findings if not finding.ok]
    if failed:
        click.echo(f"{len(failed)} of {len(findings)} checks failed")
        raise SystemExit(1)
    click.echo(f"all {len(findings)} checks passed")
