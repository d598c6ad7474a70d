"""Time zones of cron schedules: Flyte's schedules have none, so flyteplane reads one from a launch-plan label.

A label value cannot hold '/', so `flyteplane.io/timezone` names the IANA zone with '.' (or '_') in its place:
`Europe.Paris`, `America.New_York`, `America.Argentina.Buenos_Aires`, `UTC`. Case does not matter. Without the
label the server's `scheduler_timezone` setting applies (UTC by default). Fixed rates ignore time zones.
"""

from __future__ import annotations

import functools
import zoneinfo
from collections.abc import Mapping

from flyteplane.errors import InvalidArgument

__all__ = ["TIMEZONE_LABEL", "schedule_zone", "zone_named"]

TIMEZONE_LABEL = "flyteplane.io/timezone"


@functools.cache
def _label_forms() -> dict[str, str]:
    """Every known zone under the spellings a label can hold, lower-cased."""
    forms: dict[str, str] = {}
    for zone in zoneinfo.available_timezones():
        for separator in (".", "_"):
            forms.setdefault(zone.replace("/", separator).lower(), zone)
        forms.setdefault(zone.lower(), zone)
    return forms


def zone_named(text: str) -> zoneinfo.ZoneInfo:
    """The zone an IANA name or a label spelling of one (`Europe.Paris`, `europe_paris`) names."""
    key = text.strip()
    if key:
        try:
            return zoneinfo.ZoneInfo(key)
        except (ValueError, zoneinfo.ZoneInfoNotFoundError):
            pass
        zone = _label_forms().get(key.lower())
        if zone is not None:
            return zoneinfo.ZoneInfo(zone)
    raise InvalidArgument(
        f"unknown time zone [{text}]: use an IANA name, with '.' for '/' in a label (e.g. Europe.Paris)"
    )


def schedule_zone(labels: Mapping[str, str], default: zoneinfo.ZoneInfo) -> zoneinfo.ZoneInfo:
    """The launch plan's zone from its label, else `default`."""
    value = labels.get(TIMEZONE_LABEL)
    return zone_named(value) if value else default
