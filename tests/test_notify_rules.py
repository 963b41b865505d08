"""The rules behind notifications, without a bus: quiet hours, one reminder an evening,
and words that never carry a note's content unless asked."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from companion.domain import model as m
from companion.domain.records import Record
from companion.notify import words
from companion.notify.watching import reminder_due
from companion.service import arrivals as a
from companion.service.notifying import NotifySettings

UTC = dt.UTC
DAY = dt.date(2030, 3, 5)
times = st.times().map(lambda t: t.replace(microsecond=0))


def at(time: dt.time, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, time, UTC)


def test_quiet_hours_wrap_past_midnight() -> None:
    night = NotifySettings(quiet=("22:00", "07:00"))
    assert night.quiet_at(at(dt.time(22, 0)))
    assert night.quiet_at(at(dt.time(3, 0)))
    assert not night.quiet_at(at(dt.time(7, 0)))
    assert not night.quiet_at(at(dt.time(21, 59)))
    day = NotifySettings(quiet=("09:00", "17:00"))
    assert day.quiet_at(at(dt.time(12, 0))) and not day.quiet_at(at(dt.time(18, 0)))
    assert not NotifySettings().quiet_at(at(dt.time(12, 0)))


@given(remind=times, moments=st.lists(times, min_size=1, max_size=30))
def test_one_reminder_an_evening_and_never_before_its_time(remind, moments) -> None:
    settings = NotifySettings(remind_at=remind.strftime("%H:%M"))
    reminded_on = None
    fired = []
    for moment in sorted(moments):
        now = at(moment)
        if reminder_due(now, settings, reminded_on, None):
            fired.append(moment)
            reminded_on = now.date().isoformat()
    assert len(fired) <= 1
    assert all(moment >= dt.time(remind.hour, remind.minute) for moment in fired)
    late = [m for m in moments if m >= dt.time(remind.hour, remind.minute)]
    assert bool(fired) == bool(late), "it comes once its time has come"


@given(remind=times, opened=times, now=times)
def test_no_reminder_after_the_app_was_opened_that_evening(remind, opened, now) -> None:
    settings = NotifySettings(remind_at=remind.strftime("%H:%M"))
    evening = min(dt.time(remind.hour, remind.minute), dt.time(17, 0))
    opened_at, moment = at(opened), at(now)
    due = reminder_due(moment, settings, None, opened_at)
    if evening <= opened <= now:
        assert not due
    if due:
        assert not evening <= opened, "the app opened this evening spares the reminder"


def test_quiet_hours_hold_the_reminder_that_evening_only() -> None:
    settings = NotifySettings(remind_at="21:00", quiet=("21:00", "22:00"))
    assert not reminder_due(at(dt.time(21, 30)), settings, None, None)
    assert reminder_due(at(dt.time(22, 0)), settings, None, None)
    yesterday = at(dt.time(23, 0), DAY - dt.timedelta(days=1))
    assert not reminder_due(at(dt.time(20, 0)), settings, None, yesterday)


def test_the_app_opened_yesterday_evening_does_not_spare_tonight() -> None:
    settings = NotifySettings(remind_at="21:00")
    yesterday = at(dt.time(21, 30), DAY - dt.timedelta(days=1))
    assert reminder_due(at(dt.time(21, 5)), settings, None, yesterday)
    assert not reminder_due(at(dt.time(21, 5)), settings, DAY.isoformat(), yesterday)


@given(kinds=st.lists(st.sampled_from(sorted(words.NOTIFY_WORDS)), min_size=1, unique=True))
def test_one_line_names_the_partner_once_and_no_content(kinds) -> None:
    line = words.arrival_message("Sam", kinds)
    assert line.startswith("Sam ") and line.count("Sam") == 1 and line.endswith(".")
    assert "\n" not in line
    for kind in kinds:
        assert words.NOTIFY_WORDS[kind] in line


def test_ticks_and_menu_changes_make_no_notification() -> None:
    assert words.worth_telling([a.MENU, a.CARE, a.REVIEW, a.LANDED, a.JOINED]) == []
    assert words.arrival_message("Sam", [a.MENU]) == ""


def test_a_notes_words_are_inert_and_cut_short() -> None:
    line = words.arrival_message("Sam", [a.NOTE], ["\x1b[31mred\x1b[0m " + "long " * 100])
    assert "\x1b" not in line
    assert line.endswith("…”") and len(line.splitlines()[1]) <= words.TEXT_LIMIT + 2


def test_the_reminder_is_an_open_door_not_a_count() -> None:
    plain = words.reminder_message("Sam", checkin_day=False)
    assert plain == "Your evening with Sam is here when you are."
    sunday = words.reminder_message("Sam", checkin_day=True)
    assert sunday.startswith(plain) and "check-in day" in sunday
    assert not any(ch.isdigit() for ch in plain + sunday)


def test_what_a_person_wrote_never_becomes_markup_in_a_notification() -> None:
    line = words.arrival_message("Sam & <b>Jo</b>", [a.NOTE], ['<a href="x">tea</a> & cake'])
    assert "<" not in line and ">" not in line and "&" not in line
    assert "Sam ＆ ‹b›Jo‹/b›" in line and "tea" in line
    assert "<" not in words.reminder_message("<i>Sam</i>", checkin_day=False)


class _Side:
    """Just what the arrivals reading asks of a session: who is who, and names."""

    me, partner, device_id = "a" * 16, "b" * 16, "d" * 16

    def name_of(self, partner_id: str | None) -> str:
        return "Sam" if partner_id == self.partner else "Alex"


def _record(kind: str, author: str, **fields: object) -> Record:
    return Record(f"{kind}-{author[:2]}", kind, author, "e" * 16, "", "", False, dict(fields))


def test_a_pause_a_request_its_answer_and_a_retirement_asked_notify_without_content() -> None:
    side = _Side()
    came = [
        _record(m.PAUSE, side.partner, note="a walk; nothing about you"),
        _record(m.SUPPORT, side.partner, word="the report, the boss"),
        _record(m.SUPPORT, side.me, answer="I'll make tea"),
        _record(
            m.AGREEMENT,
            side.partner,
            text="No phones at dinner",
            status=m.ACCEPTED,
            accepted_by=side.me,
            owner_retires=True,
            other_retires=False,
        ),
    ]
    found = a.arrivals(side, came)  # type: ignore[arg-type]
    assert found.kinds == [a.PAUSE, a.SUPPORT_ASKED, a.SUPPORT_ANSWERED, a.AGREEMENT_RETIRE_ASKED]
    line = words.arrival_message("Sam", found.kinds)
    assert line == (
        "Sam needs a pause, could use support tonight, answered your request for support and "
        "would like to retire an agreement."
    )
    for private in ("walk", "report", "tea", "phones"):
        assert private not in line
