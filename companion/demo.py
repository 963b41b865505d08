"""`companion demo`: a throw-away space with a few weeks of history, and a simulated partner.

Alex (you, in the demo) and Sam set up a real space in a temporary folder through the real
write path, with a pause a few evenings ago that ended in a repair step; a second process then
plays Sam's device, writing a note, asking for support tonight and ticking its care while the
app is open, so what arrives travels the same sync path a partner's changes do.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from companion import service
from companion.domain.ids import iso_week

PASSPHRASE = "a throw-away demo passphrase"
EVENING = dt.time(21, 0)
# The pause in the history, this many evenings before the demo opens: recent enough that
# Sam's shared repair step still shows on Tonight.
PAUSE_DAYS_AGO = 3
SUPPORT_WORD = "A long day; my head is full."

ALEX_NEEDS = (
    "A check-in text on days I know are stressful",
    "Follow through on what we agreed, or tell me early if you can't",
    "Ask before giving advice; sometimes I only need you to listen",
)
SAM_NEEDS = (
    "Ten minutes of undivided attention when I get home",
    "Notice the small things I do around the house",
    "Plan something together at the weekend, even something small",
)
NOTES_TO_SAM = (
    "You texted me before my review meeting. I walked in calmer because of it.",
    "Thank you for listening last night without trying to fix it. I felt heard.",
    "You remembered to call the plumber like we agreed. It took a weight off me.",
    "The walk on Saturday was lovely; I felt like us again.",
)
NOTES_TO_ALEX = (
    "You asked how my day was and put your phone away. It meant a lot.",
    "Thank you for noticing I'd cleaned the kitchen. I felt seen.",
    "You planned the picnic. I loved having something to look forward to.",
    "You gave me space on Tuesday when I needed it. Thank you.",
)


@dataclass(frozen=True)
class DemoSpace:
    root: Path
    folder: Path
    alex_home: Path
    sam_home: Path


class _Clock:
    def __init__(self) -> None:
        self.ms = service.wall_ms()

    def set_day(self, day: dt.date, at: dt.time = EVENING) -> None:
        self.ms = int(dt.datetime.combine(day, at).timestamp() * 1000)

    def __call__(self) -> int:
        self.ms += 1
        return self.ms


def build(root: Path, weeks: int = 5, seed: int = 7, progress: Callable[[], None] = lambda: None):
    """Create the demo space under `root` with `weeks` of history ending yesterday."""
    rng = random.Random(seed)
    folder, alex_home, sam_home = root / "shared", root / "alex", root / "sam"
    folder.mkdir(parents=True)
    today = dt.date.today()
    start = today - dt.timedelta(weeks=weeks)
    clock = _Clock()
    clock.set_day(start - dt.timedelta(days=1))
    alex = service.init_space(alex_home, folder, "Alex", PASSPHRASE, clock)
    sam = service.join_space(sam_home, folder, "Sam", PASSPHRASE, clock)
    progress()

    def exchange() -> None:
        for _ in range(2):
            alex.sync()
            sam.sync()

    alex_needs = [alex.add_need(text) for text in ALEX_NEEDS]
    sam_needs = [sam.add_need(text) for text in SAM_NEEDS]
    exchange()
    sam.add_care("Text Alex before stressful meetings", "weekdays", alex_needs[0].id)
    sam.add_care("Listen first; ask before advising", "daily", alex_needs[2].id)
    alex.add_care("Phone away for ten minutes when Sam gets home", "daily", sam_needs[0].id)
    alex.add_care("Plan a small weekend outing", "weekly", sam_needs[2].id)
    pause = alex.propose_agreement(
        "When a talk gets heated, either of us can call a pause ('let's take twenty'), and we "
        "come back to it within a day."
    )
    selfcare = sam.propose_agreement("Tuesday evenings are self-care time for each of us.")
    exchange()
    sam.accept_agreement(pause.id)
    alex.accept_agreement(selfcare.id)
    exchange()
    progress()

    day = start
    while day < today:
        clock.set_day(day)
        for session in (alex, sam):
            for item in session.due_today(day):
                roll = rng.random()
                if roll < 0.7:
                    session.tick(item.action.id, day)
                elif roll < 0.85:
                    session.tick(item.action.id, day, skip=True)
        if rng.random() < 0.4:
            alex.add_gratitude(rng.choice(NOTES_TO_SAM))
        if rng.random() < 0.4:
            sam.add_gratitude(rng.choice(NOTES_TO_ALEX))
        exchange()
        for session in (alex, sam):
            notes = [n for n in session.notes() if n.get("to") == session.me and not n.get("read")]
            session.mark_notes(notes, read=True)
            for note in notes:
                if rng.random() < 0.5:
                    session.mark_notes([note], landed=True)
        if day.weekday() == 6:
            _weekly(alex, sam, day, rng)
            exchange()
            sam.set_focus(rng.choice(FOCUSES), iso_week(day))
        if day == today - dt.timedelta(days=PAUSE_DAYS_AGO):
            _a_pause_and_its_repair(alex, sam, day, clock, exchange)
        progress()
        day += dt.timedelta(days=1)
    # This week: Sam has shared a check-in; Alex's is still to do, sealed until then.
    clock.set_day(today, dt.time(8, 0))
    sam.checkin(
        iso_week(today),
        supported="You made dinner on Monday when I came home late.",
        attention="When plans change at the last minute, I felt unsure; "
        "what would help is a quick message.",
        energy=3,
        request="One evening walk together",
    )
    exchange()
    for session in (alex, sam):
        session.close()
    return DemoSpace(root, folder, alex_home, sam_home)


FOCUSES = (
    "One slow evening together, phones away",
    "Ask before advising",
    "A short walk after dinner twice this week",
)


def _weekly(alex: service.Session, sam: service.Session, sunday: dt.date, rng) -> None:
    week = iso_week(sunday)
    alex.checkin(
        week,
        supported=rng.choice(NOTES_TO_SAM),
        attention="When evenings get busy, I felt far from you; what would help is a short "
        "walk together.",
        energy=rng.randint(2, 5),
        victory="We kept our Tuesday self-care evenings.",
        request="A check-in text before my Thursday meeting",
        my_week="Full, but I felt us pulling together by the weekend.",
        their_week="Tiring at work; I think the quiet evenings helped.",
    )
    sam.checkin(
        week,
        supported=rng.choice(NOTES_TO_ALEX),
        attention="When I'm tired after work, I felt rushed; what would help is ten quiet "
        "minutes first.",
        energy=rng.randint(2, 5),
        request="Plan something small for Saturday",
        my_week="Long days; the quiet evenings were what carried me.",
        their_week="Busy, and maybe a little far from me midweek.",
    )
    for session in (alex, sam):
        for action in session.core("care"):
            if action.get("for") == session.me and action.author != session.me:
                verdict = rng.choice(("landed", "landed", "missed", "not-needed"))
                session.review(action.id, verdict, week)


def _a_pause_and_its_repair(
    alex: service.Session,
    sam: service.Session,
    day: dt.date,
    clock: _Clock,
    exchange: Callable[[], None],
) -> None:
    """One evening a talk about money runs hot: Alex calls a pause, and once it is over both
    take the repair step; Sam shares theirs, Alex keeps theirs private."""
    clock.set_day(day, dt.time(21, 30))
    pause = alex.start_pause(minutes=30, note="A walk around the block; I'll be back.")
    exchange()
    clock.set_day(day, dt.time(22, 15))
    sam.take_repair(
        pause.id,
        again="The holiday budget, slowly",
        understood="It was worry, not a no.",
        share=True,
    )
    alex.take_repair(pause.id, again="Starting with what we both want from the holiday")
    exchange()


def simulate_partner(sam_home: Path, delay: float = 3.0) -> None:
    """Play Sam's device while the app is open: a note, a request for support, a tick, a
    'this landed'."""
    sam = service.Session.unlock(sam_home, PASSPHRASE)
    time.sleep(delay)
    sam.sync()
    sam.add_gratitude(
        "Thank you for making tea tonight and asking about my day. I felt looked after."
    )
    time.sleep(delay)
    if sam.my_request() is None:
        sam.ask_support(SUPPORT_WORD)
    time.sleep(delay)
    due = [item for item in sam.due_today() if item.status is None]
    if due:
        sam.tick(due[0].action.id)
    time.sleep(delay)
    sam.sync()
    mine = [n for n in sam.notes() if n.get("to") == sam.me and not n.get("landed")]
    if mine:
        sam.mark_notes([mine[-1]], read=True, landed=True)
    sam.close()


if __name__ == "__main__":  # `python -m companion.demo partner SAM_HOME`, started by the demo
    if len(sys.argv) == 3 and sys.argv[1] == "partner":
        simulate_partner(Path(sys.argv[2]))
