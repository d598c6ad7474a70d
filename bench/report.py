"""Prints a run's figures as a table (rich when installed) and writes them as JSON for later comparison."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bench.stats import Measurement

WIDE = 132
HEADERS = ("benchmark", "calls", "p50 ms", "p99 ms", "mean ms", "x baseline p50", "errors")


def rows(measurements: Sequence[Measurement]) -> list[tuple[str, ...]]:
    return [
        (
            m.name,
            str(m.calls),
            f"{m.p50_ms:.3f}",
            f"{m.p99_ms:.3f}",
            f"{m.mean_ms:.3f}",
            f"{m.baseline_ratio:.1f}",
            str(m.errors),
        )
        for m in measurements
    ]


def print_table(title: str, measurements: Sequence[Measurement], facts: Mapping[str, Any]) -> None:
    lines = [f"{key}: {value}" for key, value in facts.items()]
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:
        _print_plain(title, measurements, lines)
        return
    table = Table(title=title, title_justify="left")
    for index, header in enumerate(HEADERS):
        table.add_column(header, justify="left" if index == 0 else "right")
    for row in rows(measurements):
        table.add_row(*row)
    console = Console()
    if not console.is_terminal:  # piped or logged: rich would assume 80 columns and wrap every name
        console = Console(width=WIDE)
    console.print(table)
    for line in lines:
        console.print(f"  {line}", highlight=False)


def _print_plain(title: str, measurements: Sequence[Measurement], lines: Sequence[str]) -> None:
    table = [HEADERS, *rows(measurements)]
    widths = [max(len(row[i]) for row in table) for i in range(len(HEADERS))]
    print(title)
    for row in table:
        cells = [cell.ljust(widths[0]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row)]
        print("  ".join(cells))
    for line in lines:
        print(f"  {line}")


def print_plans(plans: Mapping[str, Sequence[str]]) -> None:
    print("query plans:")
    for title, lines in plans.items():
        print(f"  {title}:")
        for line in lines:
            print(f"    {line}")


def write_json(path: Path, payload: Mapping[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, allow_nan=False) + "\n")
