"""Remote audiences: where each region is taken to live and when it is awake.

One IANA zone stands for each region (the same choice as `scheduler.check`, so both count the same
sessions as reaching their audience); docs/solver.md explains the choice. The conversion uses the
actual date, so summer time on either side is honoured.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

REGION_ZONES: Mapping[str, str] = {
    "africa": "Africa/Lagos",
    "americas": "America/New_York",
    "arab-states": "Asia/Riyadh",
    "asia-pacific": "Asia/Shanghai",
    "europe": "Europe/Brussels",
}
WAKING_HOURS = (time(8, 0), time(22, 0))


def awake_spans(region: str, day: date, event_zone: ZoneInfo,
                minute: Callable[[datetime], int]) -> list[tuple[int, int]]:
    """When `region` is awake around an event day, as spans of event wall-clock minutes.

    A session reaches the region when it lies inside one span: between 08:00 and 22:00 of one local
    day. The local days before, on and after the event date are converted, so the true offsets of
    that date apply (summer time included); `minute` turns an event wall-clock time into minutes.
    """
    zone_name = REGION_ZONES.get(region)
    if zone_name is None:
        return []
    zone = ZoneInfo(zone_name)
    wake, sleep = WAKING_HOURS
    spans = []
    for offset in (-1, 0, 1):
        local = day + timedelta(days=offset)
        start = datetime.combine(local, wake, zone).astimezone(event_zone).replace(tzinfo=None)
        end = datetime.combine(local, sleep, zone).astimezone(event_zone).replace(tzinfo=None)
        spans.append((minute(start), minute(end)))
    return spans
