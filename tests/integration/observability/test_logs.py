"""`flyteplane serve --log-format json` writes one JSON object per line on stderr, from its first line to its
last; text stays the default."""

from __future__ import annotations

import json
from pathlib import Path

from tests.integration.server import start_server


def test_serve_writes_json_lines_when_asked(tmp_path: Path) -> None:
    server = start_server(tmp_path / "json", "", "--log-format", "json")
    assert server.stop() == 0
    lines = [line for line in server.log.read_text().splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # every line parses
    ready = [entry for entry in entries if entry["message"].startswith("flyteplane ready on 127.0.0.1:")]
    assert len(ready) == 1
    assert ready[0]["level"] == "INFO"
    assert ready[0]["logger"] == "flyteplane.server.app"
    assert ready[0]["time"].endswith("+00:00")


def test_text_is_the_default(tmp_path: Path) -> None:
    server = start_server(tmp_path / "text")
    assert server.stop() == 0
    lines = server.log.read_text().splitlines()
    assert any(" INFO flyteplane.server.app: flyteplane ready on 127.0.0.1:" in line for line in lines)
    assert not any(line.startswith("{") for line in lines)
