"""The wall clock the service stamps changes with, and how its times read to a person."""

from __future__ import annotations

import datetime as dt
import os
import time

from companion.domain.hlc import stamp_ms
from companion.domain.records import Record
from companion.domain.weeks import dated_ms, zone_named


def wall_ms() -> int:
    """Milliseconds since the epoch; COMPANION_NOW (ISO time) pins it for tests and demos."""
    fixed = os.environ.get("COMPANION_NOW")
    if fixed:
        when = dt.datetime.fromisoformat(fixed)
        if when.tzinfo is None:
            when = when.astimezone()
        return int(when.timestamp() * 1000)
    return time.time_ns() // 1_000_000


def local_zone_name() -> str | None:
    """This computer's IANA time zone name (TZ, else /etc/localtime's link), if it has one."""
    configured = os.environ.get("TZ", "").lstrip(":")
    if zone_named(configured) is not None:
        return configured
    try:
        target = os.path.realpath("/etc/localtime")
    except OSError:
        return None
    _, found, name = target.partition("zoneinfo/")
    return name if found and zone_named(name) is not None else None


def moment(ms: int) -> dt.datetime:
    """A stamp's time in this computer's zone, for showing (within what a date can hold)."""
    return dt.datetime.fromtimestamp(dated_ms(ms) / 1000)


def iso_from_ms(ms: int) -> str:
    return moment(ms).astimezone().isoformat(timespec="seconds")


def created_at(record: Record) -> str:
    return iso_from_ms(stamp_ms(record.created))


def when_said(ms: int, today: dt.date) -> str:
    """A moment in this computer's local time, in words: 'at 21:04 today'."""
    when = moment(ms)
    day = when.date()
    if day == today:
        return f"at {when:%H:%M} today"
    if day == today - dt.timedelta(days=1):
        return f"yesterday at {when:%H:%M}"
    year = "" if day.year == today.year else f" {day.year}"
    return f"on {day:%a} {day.day} {day:%b}{year} at {when:%H:%M}"
