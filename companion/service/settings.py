"""Names, the check-in day, this device's preferences, and what I have seen here."""

from __future__ import annotations

from typing import Any

from companion.domain import model as m
from companion.domain.records import Record
from companion.domain.text import inert
from companion.errors import UsageError
from companion.service.core import SessionCore, locked


class SettingsPart(SessionCore):
    """What a partner sets for both (name, check-in day) or for this device alone."""

    def rename(self, name: str) -> Record:
        """Change how I am called in our space (both partners see it)."""
        name = m.clean_name(name)
        partner = self.replica.get(self.partner, m.PARTNER) if self.partner else None
        theirs = partner.get("name") if partner is not None else None
        if isinstance(theirs, str) and m.name_key(theirs) == m.name_key(name):
            raise UsageError(
                f"That is {inert(theirs)}'s name in your space.",
                "Choose another name or a nickname, so that you can tell each other apart.",
            )
        self.commit([self.op("set", self.me, m.PARTNER, {"name": name})])
        return self._present(self.me, m.PARTNER)

    def set_checkin_day(self, weekday: int) -> None:
        """The day of the week I like to do the check-in (0 = Monday), shared with my partner."""
        if not 0 <= weekday <= 6:
            raise UsageError("A check-in day is one of Monday to Sunday.")
        self.commit([self.op("set", self.me, m.PARTNER, {"checkin_day": weekday})])

    def checkin_day(self) -> int:
        me = self.replica.get(self.me, m.PARTNER)
        return int(me.get("checkin_day", 6)) if me else 6

    def preference(self, name: str, default: Any = None) -> Any:
        """A setting of this device only (theme and the like); never synced."""
        return self.replica.meta("preferences", {}).get(name, default)

    @locked
    def set_preference(self, name: str, value: Any) -> None:
        prefs = dict(self.replica.meta("preferences", {}))
        prefs[name] = value
        self.replica.set_meta(preferences=prefs)

    def seen_until(self) -> str:
        """The clock stamp up to which I have looked at what arrived, on this device."""
        return str(self.replica.meta("seen_until", ""))

    @locked
    def mark_seen(self, stamp: str | None = None) -> None:
        self.replica.set_meta(defer=True, seen_until=stamp or self.clock.last)
