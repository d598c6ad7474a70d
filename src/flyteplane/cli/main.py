"""`flyteplane` command line: `serve` runs the control plane on one port."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

import click

from flyteplane import __version__
from flyteplane.cli.options import state_options


class StartError(click.ClickException):
    """A start that cannot go on for a reason the user gave (a bad certificate): one line, exit code 2."""

    exit_code = 2


@click.group()
@click.version_option(__version__, prog_name="flyteplane")
def main() -> None:
    """flyteplane: the Flyte control plane without Kubernetes."""


@main.command()
@click.option("--host", default=None, help="Address to listen on [default: 127.0.0.1].")
@click.option("--port", default=None, help="Port for gRPC and HTTP [default: 30080].")
@state_options
@click.option(
    "--engine/--no-engine",
    "engine_enabled",
    default=None,
    help="Run workflows in this process [default: on]; off when a `flyteplane engine` runs them.",
)
@click.option("--max-connections", default=None, help="Connections served at once on the port [default: 4096].")
@click.option(
    "--connection-idle-timeout", default=None, help="Seconds a connection may stay silent at first [default: 10]."
)
@click.option(
    "--warm-pool/--no-warm-pool",
    "warm_pool",
    default=None,
    help="Start flytekit tasks as forks of warm interpreters [default: on].",
)
@click.option(
    "--sandbox/--no-sandbox",
    "sandbox",
    default=None,
    help="Also run the sandbox's S3 store (SeaweedFS on 127.0.0.1:30002, bucket my-s3-bucket, minio/miniostorage).",
)
@click.option("--sandbox-s3-port", default=None, help="Port of the sandbox's S3 store [default: 30002].")
@click.option(
    "--tls",
    type=click.Choice(["off", "self-signed", "files"]),
    default=None,
    help="TLS on the port [default: files when --tls-cert and --tls-key are given, else off].",
)
@click.option("--tls-cert", default=None, help="PEM certificate (chain) file; reread on SIGHUP.")
@click.option("--tls-key", default=None, help="PEM private key file; reread on SIGHUP.")
@click.option(
    "--plaintext-on-loopback/--no-plaintext-on-loopback",
    "plaintext_on_loopback",
    default=None,
    help="With TLS, also serve plaintext on the port when it is bound to a loopback address [default: on].",
)
def serve(config_file: Path | None, **flags: Any) -> None:
    """Serve the Flyte Admin API (gRPC and HTTP on one port) until interrupted."""
    from sqlalchemy.exc import SQLAlchemyError

    from flyteplane.cli.lifecycle import StopSignal, settings_and_logging
    from flyteplane.errors import FlyteplaneError
    from flyteplane.server.app import ControlPlane
    from flyteplane.server.seaweed import SeaweedError
    from flyteplane.server.tls import TlsError

    settings = settings_and_logging(config_file, flags)
    stop = StopSignal()  # before starting: a signal that arrives while starting still stops cleanly once up
    plane = ControlPlane(settings)
    if settings.tls_mode != "off":  # SIGHUP rereads the certificate files (before the start, so it never kills)
        signal.signal(signal.SIGHUP, lambda _signum, _frame: plane.reload_tls())
    try:
        plane.start()
    except TlsError as exc:
        raise StartError(str(exc)) from exc
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {settings.host}:{settings.port}: {exc.strerror or exc}") from exc
    except FlyteplaneError as exc:  # e.g. an engine already runs on this home
        plane.stop()
        raise click.ClickException(exc.message) from exc
    except SeaweedError as exc:
        plane.stop()
        raise click.ClickException(f"cannot start the sandbox's S3 store: {exc}") from exc
    except SQLAlchemyError as exc:
        plane.stop()
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise click.ClickException(f"cannot open the database {settings.database_url}: {reason}") from exc
    click.echo(f"flyteplane {__version__} serving on {plane.settings.advertised_url}")
    click.echo(f"  home: {settings.home}   database: {plane.db.dialect if plane.db else '?'}")
    if plane.tls is None:
        click.echo(f"  connect: FlyteRemote.for_endpoint('localhost:{plane.port}', insecure=True)")
    else:
        certificate = plane.tls.current
        kind = "self-signed certificate" if settings.tls_mode == "self-signed" else "certificate"
        click.echo(f"  tls: {kind} {certificate.cert_path}")
        click.echo(f"  tls: SHA-256 fingerprint {certificate.fingerprint}")
        trust = f", caCertFilePath: {certificate.cert_path}" if settings.tls_mode == "self-signed" else ""
        plain = "plaintext too on this loopback port" if plane.tls.plaintext else "TLS only"
        click.echo(f"  connect: endpoint localhost:{plane.port}, insecure: false{trust} ({plain})")
    if plane.settings.sandbox:
        click.echo(f"  sandbox S3: {plane.settings.s3_endpoint}  bucket my-s3-bucket  (minio / miniostorage)")
    stop.wait()
    click.echo("flyteplane stopping")
    plane.stop()


# --- `flyteplane backfill`, `flyteplane doctor`, `flyteplane engine` and `flyteplane scheduler` ---
from flyteplane.cli.backfill import backfill  # noqa: E402
from flyteplane.cli.doctor import doctor  # noqa: E402
from flyteplane.cli.engine import engine  # noqa: E402
from flyteplane.cli.scheduler import scheduler  # noqa: E402

main.add_command(backfill)
main.add_command(doctor)
main.add_command(engine)
main.add_command(scheduler)
