"""Structured logs: the execution a thread works on is on each of its lines, never on another thread's, and
`log_format: json` writes one parseable object per line."""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Iterator

import pytest

from flyteplane.config import load_settings
from flyteplane.errors import InvalidArgument
from flyteplane.observability.logs import configure_logging, current_execution, execution_context


@pytest.fixture
def restore_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)


def test_text_lines_name_the_execution_of_their_thread_only(restore_root_logger: None) -> None:
    stream = io.StringIO()
    configure_logging("INFO", "text", stream)
    log = logging.getLogger("flyteplane.engine.test")
    log.info("outside")
    with execution_context("p:d:abc"):
        log.info("inside")
        other = threading.Thread(target=lambda: log.info("other thread"))
        other.start()
        other.join()
        with execution_context("p:d:child"):
            log.info("nested")
        log.info("back")
    log.info("after")
    lines = stream.getvalue().splitlines()
    assert [line.split(": ", 1)[1] for line in lines] == [
        "outside",
        "inside execution=p:d:abc",
        "other thread",
        "nested execution=p:d:child",
        "back execution=p:d:abc",
        "after",
    ]
    assert current_execution() == ""


def test_json_lines_are_objects_with_the_execution_and_the_exception(restore_root_logger: None) -> None:
    stream = io.StringIO()
    configure_logging("DEBUG", "json", stream)
    log = logging.getLogger("flyteplane.engine.test")
    with execution_context("p:d:abc"):
        try:
            raise ValueError("boom")
        except ValueError:
            log.exception("round failed for %s", "row 7")
    log.debug("plain")
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["level"] == "ERROR"
    assert first["logger"] == "flyteplane.engine.test"
    assert first["message"] == "round failed for row 7"
    assert first["execution_id"] == "p:d:abc"
    assert "ValueError: boom" in first["exception"]
    assert first["time"].endswith("+00:00")
    assert second["message"] == "plain" and "execution_id" not in second and second["level"] == "DEBUG"


def test_log_format_is_a_setting_with_a_rule() -> None:
    assert load_settings(env={}).log_format == "text"
    assert load_settings(env={"FLYTEPLANE_LOG_FORMAT": "json"}).log_format == "json"
    with pytest.raises(InvalidArgument) as caught:
        load_settings(env={}, flags={"log_format": "xml"})
    assert caught.value.message == (
        "invalid value for setting 'log_format' (flag --log-format): 'xml'; allowed: text or json"
    )
