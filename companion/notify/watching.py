"""When `companion watch --notify` speaks up: after a pass that brought something from the
partner, once quiet hours are over, and at most once an evening to remind."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from companion.notify import words
from companion.notify.desktop import NO_SERVICE, Poster
from companion.service.arrivals import arrivals
from companion.service.notifying import NotifySettings, clock_time

if TYPE_CHECKING:
    from companion.domain.records import Record
    from companion.service import Session

# The evening begins here (or at the reminder's time, if that is earlier): the app opened
# since then spares the reminder.
EVENING_STARTS = dt.time(17, 0)


def reminder_due(
    now: dt.datetime,
    settings: NotifySettings,
    reminded_on: str | None,
    opened_at: dt.datetime | None,
) -> bool:
    """Whether the evening reminder is due now: its time has come today (the rest of the day
    counts, for a computer that slept through it), none was shown today, the app wasn't
    opened this evening, and it isn't quiet hours (it waits for them, that evening only)."""
    if settings.remind_at is None or settings.quiet_at(now):
        return False
    at = clock_time(settings.remind_at)
    if now.time() < at or reminded_on == now.date().isoformat():
        return False
    if opened_at is not None:
        evening = dt.datetime.combine(now.date(), min(at, EVENING_STARTS), now.tzinfo)
        if evening <= opened_at.astimezone(now.tzinfo):
            return False
    return True


class Notifier:
    """Posts what arrived (held through quiet hours) and the evening reminder, for one
    watching session; says once, in words, when there is nowhere to post."""

    def __init__(
        self, session: Session, poster: Poster, say: Callable[[str], None], *, forced: bool
    ) -> None:
        self.session = session
        self.poster = poster
        self.say = say
        # `watch --notify`: on unless turned off on this device; plain `watch`: if turned on.
        self.forced = forced
        self._told_no_service = False

    def active(self, settings: NotifySettings) -> bool:
        return settings.enabled is True or (self.forced and settings.enabled is None)

    def after_pass(self, imported: Iterable[Record]) -> None:
        """A sync pass went through: hold what it brought, then post what may be posted."""
        self.session.read_fresh()
        settings = self.session.notify_settings()
        if not self.active(settings):
            return
        found = arrivals(self.session, imported)
        kinds = words.worth_telling(found.kinds)
        if kinds:
            held = self.session.held_notifications()
            notes = [note.id for note in found.notes]
            self.session.hold_notifications(
                [*held["kinds"], *(k for k in kinds if k not in held["kinds"])],
                [*held["notes"], *(n for n in notes if n not in held["notes"])],
            )
        self._deliver(settings)

    def _deliver(self, settings: NotifySettings) -> None:
        now = self.session.local_now()
        if settings.quiet_at(now):
            return
        held = self.session.held_notifications()
        if held["kinds"]:
            texts = None
            if settings.show_text:
                found = (self.session.note_text(note) for note in held["notes"])
                texts = [text for text in found if text]
            name = self.session.name_of(self.session.partner)
            # Let go of them whether or not a service took them: nothing piles up to burst
            # out on a later day.
            self.session.hold_notifications([], [])
            self._post(words.arrival_message(name, held["kinds"], texts))
        opened = self.session.app_opened_at()
        if reminder_due(now, settings, self.session.reminded_on(), opened):
            self.session.mark_reminded(now.date())
            checkin_day = now.weekday() == self.session.checkin_day()
            name = self.session.name_of(self.session.partner)
            self._post(words.reminder_message(name, checkin_day))

    def _post(self, message: str) -> None:
        if self.poster.post(words.TITLE, message):
            self._told_no_service = False
            return
        if not self._told_no_service:
            self._told_no_service = True
            self.say(NO_SERVICE)
