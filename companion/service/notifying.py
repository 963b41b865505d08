"""This device's notification settings, the app's last opening, and notifications held back.

All of it is this device's own bookkeeping in the local replica: never synced, because when
someone opened the app is an activity time their partner must not see (DESIGN §10).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from companion.domain import model as m
from companion.errors import UsageError
from companion.service.core import SessionCore, locked

_CLOCK = re.compile(r"^([01]?[0-9]|2[0-3]):([0-5][0-9])$")
# Opening the app is recorded again only after this long: a fresh stamp, not a write a pass.
_OPENED_STEP = dt.timedelta(minutes=5)


def clock_time(text: str) -> dt.time:
    """'21:00' as a time of day; a person's mistake is a UsageError."""
    found = _CLOCK.match(text.strip())
    if not found:
        raise UsageError(f"{text!r} isn't a time of day.", "Use 24-hour time, like 21:00.")
    return dt.time(int(found[1]), int(found[2]))


def quiet_range(text: str) -> tuple[str, str]:
    """'22:00-07:00' as its two ends ('HH:MM'); they may wrap past midnight."""
    start, dash, end = text.partition("-")
    if not dash:
        raise UsageError(f"{text!r} isn't a range of hours.", "Give two times, like 22:00-07:00.")
    first, last = clock_time(start), clock_time(end)
    if first == last:
        raise UsageError("Quiet hours need an end different from their start.")
    return first.strftime("%H:%M"), last.strftime("%H:%M")


@dataclass(frozen=True)
class NotifySettings:
    """What this device does about desktop notifications while the app is closed."""

    # None: not chosen here (`watch --notify` then notifies); False: off on this device.
    enabled: bool | None = None
    # A separate opt-in: a note's words in the notification (never by default).
    show_text: bool = False
    # The evening reminder's time ('HH:MM', local), or None: off (the default).
    remind_at: str | None = None
    # Quiet hours ('HH:MM', 'HH:MM'), which may wrap past midnight, or None.
    quiet: tuple[str, str] | None = None

    def quiet_at(self, now: dt.datetime) -> bool:
        """Whether `now` (local) falls in the quiet hours."""
        if self.quiet is None:
            return False
        start, end = (clock_time(t) for t in self.quiet)
        at = now.time()
        return start <= at < end if start < end else at >= start or at < end


class NotifyPart(SessionCore):
    """Notification settings and bookkeeping of this device, for a Session."""

    def notify_settings(self) -> NotifySettings:
        prefs: dict[str, Any] = self.replica.meta("preferences", {})
        quiet = prefs.get("quiet_hours")
        if not (isinstance(quiet, list) and len(quiet) == 2):
            quiet = None
        return NotifySettings(
            enabled=prefs.get("notify") if isinstance(prefs.get("notify"), bool) else None,
            show_text=prefs.get("notify_text") is True,
            remind_at=prefs.get("remind_at") if isinstance(prefs.get("remind_at"), str) else None,
            quiet=(str(quiet[0]), str(quiet[1]))
            if isinstance(quiet, list) and len(quiet) == 2
            else None,
        )

    @locked
    def set_notify(
        self,
        *,
        enabled: bool | None = None,
        show_text: bool | None = None,
        remind_at: str | bool | None = False,
        quiet: str | bool | None = False,
    ) -> NotifySettings:
        """Change what is given (`remind_at`/`quiet`: text to set, None to turn off, False to
        leave as it is); returns the settings after."""
        prefs = dict(self.replica.meta("preferences", {}))
        if enabled is not None:
            prefs["notify"] = enabled
        if show_text is not None:
            prefs["notify_text"] = show_text
        if remind_at is not False:
            prefs["remind_at"] = (
                None if remind_at is None else clock_time(str(remind_at)).strftime("%H:%M")
            )
        if quiet is not False:
            prefs["quiet_hours"] = None if quiet is None else list(quiet_range(str(quiet)))
        self.replica.set_meta(preferences=prefs)
        return self.notify_settings()

    @locked
    def read_fresh(self) -> None:
        """Write down this process's deferred bookkeeping, so what the app or a command wrote
        meanwhile (settings, the app's opening) is read from disk rather than from memory."""
        self.replica.save_meta()

    def local_now(self) -> dt.datetime:
        """Now, in this computer's local time (the session's clock, so tests can pin it)."""
        return dt.datetime.fromtimestamp(self.now() / 1000).astimezone()

    @locked
    def mark_app_opened(self) -> None:
        """The app is open on this device now (kept here only, to spare a reminder)."""
        now = self.local_now()
        last = self.app_opened_at()
        if last is None or not dt.timedelta(0) <= now - last < _OPENED_STEP:
            self.replica.set_meta(app_opened_at=now.isoformat(timespec="seconds"))

    def app_opened_at(self) -> dt.datetime | None:
        """When the app was last open on this device, if it ever was."""
        return _moment(self.replica.meta("app_opened_at"))

    def reminded_on(self) -> str | None:
        """The local date ('YYYY-MM-DD') of the last evening reminder on this device."""
        value = self.replica.meta("reminded_on")
        return value if isinstance(value, str) else None

    @locked
    def mark_reminded(self, day: dt.date) -> None:
        self.replica.set_meta(reminded_on=day.isoformat())

    def held_notifications(self) -> dict[str, list[str]]:
        """Arrivals held back by quiet hours: their kinds, and the ids of notes among them."""
        held = self.replica.meta("notify_held", {})
        if not isinstance(held, dict):
            return {"kinds": [], "notes": []}
        return {key: [str(v) for v in held.get(key, [])] for key in ("kinds", "notes")}

    @locked
    def hold_notifications(self, kinds: list[str], notes: list[str]) -> None:
        """Keep these for after the quiet hours (an empty pair lets go of what was held)."""
        self.replica.set_meta(notify_held={"kinds": kinds, "notes": notes})

    def note_text(self, note_id: str) -> str | None:
        """A note's words, for a notification whose text was opted into."""
        record = self.replica.get(note_id, m.GRATITUDE)
        return str(record.get("text")) if record and record.get("text") else None


def _moment(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None
