"""The calendar check-ins are filed by: one time zone for the whole space.

Partners far apart live on different dates for part of every day (Sunday evening in Los
Angeles is Monday in Auckland), so each going by their own calendar would file one evening's
check-ins under two different weeks, and neither would ever open. A space made with a time
zone files every check-in by the date there; a space made before this has none, and each
device goes by its own calendar as it always did.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from companion.domain.ids import iso_week

# The field of the space maker's partner record that names the zone.
WEEK_ZONE = "week_zone"
# A name the IANA database could hold: "Pacific/Auckland", "UTC" (bounded, no path tricks).
_MAX_ZONE_NAME = 64


def zone_named(name: object) -> ZoneInfo | None:
    """The time zone with this IANA name, or None for anything else (absent, odd, unknown)."""
    if not isinstance(name, str) or not name or len(name) > _MAX_ZONE_NAME:
        return None
    if name.startswith(("/", ".")) or ".." in name or "\\" in name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


# The last moment a date can be shown as (9999-12-30, a day short of the last, for any zone).
_LAST_DATED_MS = 253_402_128_000_000


def dated_ms(ms: int) -> int:
    """`ms` within what a date can hold: a stamp past the year 9999 (a partner's clock far
    ahead, merged before such stamps were held back) is read as then, not as a crash."""
    return min(max(ms, 0), _LAST_DATED_MS)


def day_at(now_ms: int, zone: ZoneInfo | None) -> dt.date:
    """The date at `now_ms` in the space's zone, or on this computer's calendar without one."""
    moment = dt.datetime.fromtimestamp(dated_ms(now_ms) / 1000, dt.UTC)
    return (moment.astimezone(zone) if zone is not None else moment.astimezone()).date()


def week_at(now_ms: int, zone: ZoneInfo | None) -> str:
    """The ISO week ('YYYY-Www') a check-in written at `now_ms` belongs to."""
    return iso_week(day_at(now_ms, zone))


def same_offset(zone: ZoneInfo, now_ms: int) -> bool:
    """Whether this computer's clock reads the same time of day as `zone` does right now."""
    moment = dt.datetime.fromtimestamp(now_ms / 1000, dt.UTC)
    return moment.astimezone(zone).utcoffset() == moment.astimezone().utcoffset()
