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
    # From both partners' newest trusted devices' keys, compared in person; None until both.
    safety_code: str | None = None
    # How many devices this one trusts, and how many wait for confirmation.
    trusted: int = 0
    waiting: int = 0
    # Desktop notifications and the evening reminder on this device (None: not read).
    notify: NotifySettings | None = None
    # The devices waiting for confirmation, one line each (whose, its name, its fingerprint).
    waiting_devices: tuple[str, ...] = ()
    # This device's own code while no other device of mine has confirmed it, else "".
    my_code: str = ""


def settings(session: Session) -> SettingsView:
    found = session.devices()
    states = [d.state for d in found]
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
        waiting_devices=tuple(
            f"{d.owner}'s {d.label} · {d.fingerprint}"
            for d in found
            if d.state == "waiting for confirmation"
        ),
        my_code="" if session.is_confirmed() else session.my_code(),
    )


def safety_text(view: SettingsView) -> str:
    """The safety code in two lines of six groups, or why there is none yet."""
    code = view.safety_code
    if code is None and view.my_code:
        # a code with this device's own unvouched key in it would match nobody's
        return "Shown once this device is confirmed (its code is below)."
    if code is None:
        return "Shown once both of you have a device this one trusts."
    groups = code.split()
    return " ".join(groups[:6]) + "\n" + " ".join(groups[6:])


def devices_text(view: SettingsView) -> str:
    """What the devices of the space look like from here, and where to act on them."""
    text = f"{view.trusted} trusted"
    if view.waiting:
        text += (
            f", {view.waiting} waiting for confirmation: if one is yours (or, once you have "
            "compared the safety code in person, your partner's), type the code it shows below"
        )
    return text + ". Compare the safety code with your partner's in person."


def waiting_text(view: SettingsView) -> str:
    """The devices waiting for confirmation, one a line."""
    return "\n".join(view.waiting_devices)


def my_code_text(code: str) -> str:
    """This device's code, and where to type it."""
    return (
        f"{code}\nType it in Settings on one of your other devices (or run `companion "
        "devices approve` there) to confirm this one. Its last eight digits are secret."
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


def notify_note(notify: NotifySettings | None) -> str:
    """Where notifications come from, and what this device's settings make of them."""
    if notify is not None and notify.enabled is False:
        return "Off on this device: nothing pops up, and syncing goes on as always."
    words = "with a note's words" if notify is not None and notify.show_text else "never its words"
    return (
        f"Who sent what, {words}. They come while `companion watch --notify` runs: "
        "`companion service install` starts it at every login."
    )
