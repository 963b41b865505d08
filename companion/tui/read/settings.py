"""What Settings shows about this device and the two of us, and where an export goes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from companion.tui.read.tonight import People, people

if TYPE_CHECKING:
    from companion.service import Session


@dataclass(frozen=True)
class SettingsView:
    people: People
    today: dt.date
    checkin_day: int
    # Where this device remembers the key: 'keychain', 'file' or None.
    remembered: str | None
    keychain: bool
    # The space's time zone, when check-in weeks turn at another hour there than here.
    week_zone: str | None = None


def settings(session: Session) -> SettingsView:
    return SettingsView(
        people=people(session),
        today=session.today(),
        checkin_day=session.checkin_day(),
        remembered=session.remembered_where(),
        keychain=session.keychain_available(),
        week_zone=session.week_zone_elsewhere(),
    )


def week_zone_note(zone: str) -> str:
    """Why check-in weeks turn at an odd hour here: they follow the space's time zone."""
    return (
        f"Check-in weeks follow {zone} time, as your space was set up, so that you "
        "both file each week's check-in under the same week."
    )


def export_suffix(fmt: str) -> str:
    return {"markdown": "md"}.get(fmt, fmt)


def default_export_path(fmt: str, today: dt.date) -> str:
    return f"~/companion-export-{today.isoformat()}.{export_suffix(fmt)}"
