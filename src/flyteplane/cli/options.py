"""The options every command that opens a flyteplane home shares: where its state is and how it logs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

__all__ = ["state_options"]

Command = TypeVar("Command", bound=Callable[..., Any])


def state_options(command: Command) -> Command:
    """--home, --db, --config, --log-level and --log-format, as `flyteplane serve` takes them."""
    for option in reversed(
        [
            click.option(
                "--home", type=click.Path(path_type=Path), default=None, help="State folder [default: ~/.flyteplane]."
            ),
            click.option(
                "--db", default=None, help="Database URL [default: SQLite under home]; postgresql://... works."
            ),
            click.option(
                "--config", "config_file", type=click.Path(path_type=Path), default=None, help="YAML settings file."
            ),
            click.option("--log-level", default=None, help="DEBUG, INFO, WARNING ... [default: INFO]."),
            click.option("--log-format", default=None, help="text or json (one JSON object per line) [default: text]."),
        ]
    ):
        command = option(command)
    return command
