"""What Settings shows about this device and the two of us, and where an export goes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from companion.tui.read.tonight import People, people

if TYPE_CHECKING:
    from companion.service import Session
    from companion.service.notifying import NotifySettings


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
    # Both partners' first trusted devices' keys, for comparing in person; None until both.
    safety_code: str | None = None
    # How many devices this one trusts, and how many wait for confirmation.
    trusted: int = 0
    waiting: int = 0
    # Desktop notifications and the evening reminder on this device (None: not read).
    notify: NotifySettings | None = None


def settings(session: Session) -> SettingsView:
    states = [d.state for d in session.devices()]
    return SettingsView(
        people=people(session),
        today=session.today(),
        checkin_day=session.checkin_day(),
        remembered=session.remembered_where(),
        keychain=session.keychain_available(),
        week_zone=session.week_zone_elsewhere(),
        safety_code=session.safety_code(),
        trusted=sum(state in ("this device", "trusted") for state in states),
        waiting=states.count("waiting for confirmation"),
        notify=session.notify_settings(),
    )


def safety_text(code: str | None) -> str:
    """The safety code in two lines of six groups, or why there is none yet."""
    if code is None:
        return "Shown once both of you have a device this one trusts."
    groups = code.split()
    return " ".join(groups[:6]) + "\n" + " ".join(groups[6:])


def devices_text(view: SettingsView) -> str:
    """What the devices of the space look like from here, and where to act on them."""
    text = f"{view.trusted} trusted"
    if view.waiting:
        text += (
            f", {view.waiting} waiting for confirmation: `companion devices` shows each "
            "with its code, `companion devices approve CODE` confirms one"
        )
    return text + ". Compare the safety code with your partner's in person."


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


def notify_note(notify: NotifySettings | None) -> str:
    """Where notifications come from, and what this device's settings make of them."""
    if notify is not None and notify.enabled is False:
        return "Off on this device: nothing pops up, and syncing goes on as always."
    words = "with a note's words" if notify is not None and notify.show_text else "never its words"
    return (
        f"Who sent what, {words}. They come while `companion watch --notify` runs: "
        "`companion service install` starts it at every login."
    )
