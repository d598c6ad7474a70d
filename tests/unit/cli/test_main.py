"""`flyteplane serve` checks every setting before anything starts: one line naming the setting, its source and what
is allowed, exit status 2, and no home, database or port touched."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from flyteplane.cli.main import main


def serve(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["serve", "--home", str(tmp_path / "home"), *args], env=env or {})
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("args", "env", "line"),
    [
        (
            ["--port", "99999"],
            {},
            "Error: invalid value for setting 'port' (flag --port): 99999; allowed: an integer from 0 to 65535",
        ),
        (
            [],
            {"FLYTEPLANE_ENGINE_WORKERS": "abc"},
            "Error: invalid value for setting 'engine_workers' (environment variable FLYTEPLANE_ENGINE_WORKERS): "
            "'abc' (not a whole number); allowed: an integer from 1 to 1024",
        ),
    ],
    ids=["flag", "environment"],
)
def test_a_bad_setting_stops_serve_with_one_line_and_status_2(
    tmp_path: Path, args: list[str], env: dict[str, str], line: str
) -> None:
    code, output = serve(tmp_path, *args, env=env)
    assert code == 2
    assert output.splitlines()[-1] == line
    assert "Traceback" not in output
    assert not (tmp_path / "home").exists()  # nothing started


def test_a_bad_setting_in_the_config_file_names_the_file_and_key(tmp_path: Path) -> None:
    config = tmp_path / "flyteplane.yaml"
    config.write_text("max_concurrency: -3\n")
    code, output = serve(tmp_path, "--config", str(config))
    assert code == 2
    assert output.splitlines()[-1] == (
        f"Error: invalid value for setting 'max_concurrency' (config file {config}, key 'max_concurrency'): -3; "
        "allowed: an integer from 1 to 4096"
    )
    assert not (tmp_path / "home").exists()
