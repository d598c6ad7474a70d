from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from flyteplane.errors import InvalidArgument
from flyteplane.scheduler.timezones import TIMEZONE_LABEL, schedule_zone, zone_named

UTC_ZONE = ZoneInfo("UTC")


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("Europe/Paris", "Europe/Paris"),
        ("Europe.Paris", "Europe/Paris"),
        ("Europe_Paris", "Europe/Paris"),
        ("europe.paris", "Europe/Paris"),
        ("America.New_York", "America/New_York"),
        ("America_New_York", "America/New_York"),
        ("America.Argentina.Buenos_Aires", "America/Argentina/Buenos_Aires"),
        ("UTC", "UTC"),
    ],
)
def test_a_zone_is_found_by_its_name_or_a_label_spelling_of_it(text: str, zone: str) -> None:
    assert zone_named(text).key == zone


@pytest.mark.parametrize("text", ["", "Mars.Olympus_Mons", "../etc/passwd", "Europe/Pariss"])
def test_an_unknown_zone_is_an_invalid_argument_that_says_how_to_spell_one(text: str) -> None:
    with pytest.raises(InvalidArgument, match=r"unknown time zone .*Europe\.Paris"):
        zone_named(text)


def test_the_label_wins_over_the_default_zone() -> None:
    assert schedule_zone({TIMEZONE_LABEL: "Asia.Tokyo"}, UTC_ZONE).key == "Asia/Tokyo"
    assert schedule_zone({"team": "data"}, ZoneInfo("Europe/Berlin")).key == "Europe/Berlin"
