"""The scheduler's settings, as `flyteplane serve` reads them from the environment, a file or flags."""

from __future__ import annotations

import pytest

from flyteplane.config import Settings, load_settings
from flyteplane.errors import InvalidArgument


def test_defaults_run_the_scheduler_catching_up_everything_in_utc_on_the_wall_clock() -> None:
    settings = Settings()
    assert settings.scheduler_enabled is True
    assert (settings.scheduler_catchup, settings.scheduler_catchup_rate) == ("all", 100.0)
    assert settings.scheduler_timezone == "UTC"
    assert (settings.scheduler_clock_start, settings.scheduler_clock_speed) == ("", 1.0)


def test_the_environment_sets_every_scheduler_setting() -> None:
    settings = load_settings(
        env={
            "FLYTEPLANE_SCHEDULER_ENABLED": "false",
            "FLYTEPLANE_SCHEDULER_CATCHUP": "latest",
            "FLYTEPLANE_SCHEDULER_CATCHUP_RATE": "2.5",
            "FLYTEPLANE_SCHEDULER_TIMEZONE": "Europe/Paris",
            "FLYTEPLANE_SCHEDULER_CLOCK_START": "2024-01-01T00:00:00Z",
            "FLYTEPLANE_SCHEDULER_CLOCK_SPEED": "60",
        }
    )
    assert settings.scheduler_enabled is False
    assert settings.scheduler_catchup == "latest"
    assert settings.scheduler_catchup_rate == 2.5
    assert settings.scheduler_timezone == "Europe/Paris"
    assert settings.scheduler_clock_start == "2024-01-01T00:00:00Z"
    assert settings.scheduler_clock_speed == 60.0


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SCHEDULER_ENABLED", "maybe", "expected true or false"),
        ("SCHEDULER_CATCHUP", "some", "all, latest or none"),
        ("SCHEDULER_CATCHUP_RATE", "0", "must be positive"),
        ("SCHEDULER_CATCHUP_RATE", "fast", "scheduler_catchup_rate"),
        ("SCHEDULER_TIMEZONE", "Mars/Base", "no IANA time zone"),
        ("SCHEDULER_CLOCK_START", "yesterday", "no ISO 8601 time"),
        ("SCHEDULER_CLOCK_SPEED", "-1", "must be positive"),
    ],
)
def test_a_bad_scheduler_setting_is_a_clear_error(name: str, value: str, message: str) -> None:
    with pytest.raises(InvalidArgument, match=message):
        load_settings(env={f"FLYTEPLANE_{name}": value})
