"""`flyteplane` command line: `serve` runs the control plane on one port."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from flyteplane import __version__


@click.group()
@click.version_option(__version__, prog_name="flyteplane")
def main() -> None:
    """flyteplane: the Flyte control plane without Kubernetes."""


@main.command()
@click.option("--host", default=None, help="Address to listen on [default: 127.0.0.1].")
@click.option("--port", type=int, default=None, help="Port for gRPC and HTTP [default: 30080].")
@click.option("--home", type=click.Path(path_type=Path), default=None, help="State folder [default: ~/.flyteplane].")
@click.option("--db", default=None, help="Database URL [default: SQLite under home]; postgresql://... works.")
@click.option("--config", "config_file", type=click.Path(path_type=Path), default=None, help="YAML settings file.")
@click.option("--log-level", default=None, help="DEBUG, INFO, WARNING ... [default: INFO].")
@click.option(
    "--warm-pool/--no-warm-pool",
    "warm_pool",
    default=None,
    help="Start flytekit tasks as forks of warm interpreters [default: on].",
)
def serve(config_file: Path | None, **flags: Any) -> None:
    """Serve the Flyte Admin API (gRPC and HTTP on one port) until interrupted."""
    from sqlalchemy.exc import SQLAlchemyError

    from flyteplane.cli.lifecycle import StopSignal, settings_and_logging
    from flyteplane.server.app import ControlPlane

    settings = settings_and_logging(config_file, flags)
    stop = StopSignal()  # before starting: a signal that arrives while starting still stops cleanly once up
    plane = ControlPlane(settings)
    try:
        plane.start()
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {settings.host}:{settings.port}: {exc.strerror or exc}") from exc
    except SQLAlchemyError as exc:
        plane.stop()
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise click.ClickException(f"cannot open the database {settings.database_url}: {reason}") from exc
    click.echo(f"flyteplane {__version__} serving on {plane.settings.advertised_url}")
    click.echo(f"  home: {settings.home}   database: {plane.db.dialect if plane.db else '?'}")
    click.echo(f"  connect: FlyteRemote.for_endpoint('localhost:{plane.port}', insecure=True)")
    stop.wait()
    click.echo("flyteplane stopping")
    plane.stop()


# --- scheduler (issue 5): `flyteplane backfill` and `flyteplane scheduler` ---
from flyteplane.cli.backfill import backfill  # noqa: E402
from flyteplane.cli.scheduler import scheduler  # noqa: E402

main.add_command(backfill)
main.add_command(scheduler)
