#!/usr/bin/env python3
"""Write a realistic multi-year space for two partners, Alex and Sam, one device each.

    python scripts/gen_history.py --years 10 --out DIR [--seed S] [--end YYYY-MM-DD]
                                  [--passphrase P] [--acts N] [--durable]

It leaves `DIR/shared` (the space), `DIR/a` (Alex's profile) and `DIR/b` (Sam's), each usable
with `COMPANION_HOME=DIR/a COMPANION_PASSPHRASE=... companion status`, and a summary in
`DIR/gen-summary.json`.

The space is made through the real code, but in bulk: the per-change path fsyncs several files
per change, which is far too slow for ten years of evenings. So:

- the space and both profiles come from `init_space` / `join_space`, with the clock pinned to
  the first evening;
- every later change is an operation made with `make_op`, stamped by a per-device hybrid
  logical clock running on historical wall times, with ids from `companion.domain.ids`
  (`make_id` with seeded randomness, `tick_id`, `checkin_id`, `review_id`);
- each device's changes of one evening become one segment, encoded by
  `companion.sync.segments.encode` exactly as `Journal.write` does and chained by `prev`, and
  `engine.compact_own` folds them into snapshots as it goes, as `export_pending` would. The
  only difference from `Journal.write` is that segments are not fsync'd one by one; one
  `os.sync()` at the end makes everything durable (`--durable` uses `Journal.write` itself);
- check-ins are sealed under a fresh per-check-in key, the key published (a `set` of `key`)
  once the partner's check-in for that week exists, as `Session.checkin` and
  `Session.release_checkin_keys` do; keys not yet published stay in the author's replica;
- finally each replica is built with one `engine.import_new` of the whole folder.

Record counts (and everything but the random ids, keys and nonces) are a function of
`--seed`, `--years` and `--end`. Without `--end` the history ends yesterday, so that opening
the app today looks like any evening of a long practice.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from companion.domain import consent
from companion.domain import model as m
from companion.domain.hlc import Clock
from companion.domain.ids import checkin_id, iso_week, make_id, review_id, tick_id
from companion.domain.records import make_op
from companion.service import Session, init_space, join_space
from companion.store import crypto
from companion.store.fsutil import atomic_write
from companion.sync import engine, segments
from companion.sync.journal import segment_name

DEFAULT_PASSPHRASE = "alex and sam, evening practice"
SUMMARY = "gen-summary.json"

# -- what they write --------------------------------------------------------------------------

NEEDS = {
    "Alex": [
        "A check-in text on stressful days",
        "Ask before giving advice",
        "Follow through on what we agreed",
        "Ten minutes of undivided attention after work",
        "Notice when I'm running on empty and offer to take something off my plate",
        "Plan one small thing together each weekend",
        "Say out loud what you appreciated about my day",
        "Hold my hand when we walk somewhere new",
        "Give me quiet time on Sunday mornings",
        "Tell me when plans change, as soon as you know",
        "Cook together on Thursdays",
        "Ask how the hard conversation went",
    ],
    "Sam": [
        "Make tea when I come home late",
        "Listen first, solutions later",
        "Remember the appointments I mention",
        "A hug before we leave in the morning",
        "Take the lead on planning a date night",
        "Check in about my energy before weekend plans",
        "Put the phone away at dinner",
        "Text me a photo from your day",
        "Handle the bins without being asked",
        "Ask me about my sister",
        "Celebrate the small wins at work with me",
        "Help me wind down before bed on work nights",
    ],
}
NOTE_OPENERS = [
    "Thank you for",
    "I really noticed you",
    "It meant a lot, you",
    "I felt so cared for by you",
    "Thanks for",
    "I loved you",
]
NOTE_DEEDS = [
    "making tea when I got home late",
    "asking how the meeting went",
    "taking the bins out without me asking",
    "listening without trying to fix it",
    "texting me at lunch",
    "planning Saturday's walk",
    "remembering my dentist appointment",
    "cooking dinner on Tuesday",
    "giving me quiet time this morning",
    "holding my hand at the party",
    "telling me early that plans changed",
    "calling your mum back so I didn't have to",
    "doing the washing up after my long day",
    "sending me that photo of the sea",
    "asking about my sister",
    "waiting until I asked before giving advice",
]
NOTE_LANDINGS = [
    "I could finally breathe.",
    "it made the whole evening lighter.",
    "I felt like a team again.",
    "I slept better for it.",
    "I felt seen.",
    "it took the edge off a hard week.",
    "I smiled all the way to the station.",
    "it reminded me why we do this.",
]
SUPPORTED = [
    "When you made tea on Wednesday without me asking",
    "The walk on Sunday when you just listened",
    "You texted me before the presentation",
    "You took over dinner when I was exhausted",
    "You asked before offering advice about work",
    "You remembered my appointment and asked how it went",
]
ATTENTION = [
    "When plans change late, I felt unsettled; what would help is a quick text",
    "When I talk about work, I felt rushed; what would help is a few more questions first",
    "When the evenings get busy, I felt alone; what would help is ten minutes together",
    "When chores pile up, I felt like I carry it; what would help is a shared list",
    "When we argue at night, I felt flooded; what would help is pausing until morning",
]
LIMITS = [
    "No big conversations after ten",
    "I need Saturday morning to myself",
    "Low social energy this week",
    "",
    "",
]
VICTORIES = [
    "We cooked together twice",
    "I finished the report",
    "We paused an argument and came back to it calmly",
    "Three evenings in a row of ticking everything",
    "I asked for help instead of struggling",
    "",
]
REQUESTS = [
    "Could you text me when you leave work?",
    "Could we plan one walk together?",
    "Could you ask about my day before yours?",
    "Could we keep Sunday evening phone-free?",
    "Could you remind me to take breaks?",
    "",
]
AGREEMENTS = [
    "No advice unless asked first",
    "We pause a conflict with 'time out' and come back within a day",
    "Sunday mornings are quiet time for each of us",
    "We tell each other about plan changes as soon as we know",
    "Phones away during dinner",
    "Each of us gets one evening a week for ourselves",
    "We don't bring up old arguments when we're tired",
    "We check in about money on the first of the month",
    "We say goodnight even when we're upset",
    "We each pick one thing to celebrate at the check-in",
]
CADENCES = [
    (m.DAILY, []),
    (m.DAILY, []),
    (m.DAILY, []),
    (m.DAILY, []),
    (m.DAILY, []),
    (m.WEEKDAYS, []),
    (m.WEEKDAYS, []),
    (m.DAYS, [0, 2, 4]),
    (m.DAYS, [1, 3]),
    (m.WEEKLY, []),
]

# -- the simulation ---------------------------------------------------------------------------


def local_ms(day: dt.date, minutes: int) -> int:
    """Milliseconds of `minutes` past local midnight on `day`."""
    when = dt.datetime(day.year, day.month, day.day) + dt.timedelta(minutes=minutes)
    return int(when.astimezone().timestamp() * 1000)


@dataclass
class Action:
    id: str
    title: str
    cadence: str
    days: list[int]
    since: dt.date
    weekly_day: int = 0


@dataclass
class Person:
    name: str
    session: Session
    rng: random.Random
    checkin_day: int  # preferred weekday for the weekly check-in
    clock: Clock = field(init=False)
    seq: int = 0
    prev: str = ""
    needs: list[tuple[str, str]] = field(default_factory=list)  # (id, text), not retired
    actions: list[Action] = field(default_factory=list)
    retired_actions: list[tuple[Action, dt.date]] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)  # notes to me I haven't opened yet
    keys: dict[str, dict[str, Any]] = field(default_factory=dict)  # unpublished check-in keys
    key_weeks: dict[str, str] = field(default_factory=dict)
    today_ticks: dict[str, str] = field(default_factory=dict)
    last_tick_ids: list[str] = field(default_factory=list)
    ops: list[dict[str, Any]] = field(default_factory=list)
    pending_request: str | None = None  # the partner's check-in request, to adopt next
    now: int = 0

    def __post_init__(self) -> None:
        self.clock = Clock(self.session.profile.device_id)

    @property
    def pid(self) -> str:
        return self.session.me

    @property
    def device(self) -> str:
        return self.session.profile.device_id

    def op(self, kind: str, rid: str, rtype: str, fields: dict[str, Any] | None = None) -> str:
        self.now += self.rng.randint(4_000, 90_000)  # seconds to a minute or so apart
        stamp = self.clock.tick(self.now)
        self.ops.append(make_op(kind, rid, rtype, stamp, self.device, self.pid, fields))
        return rid

    def new_id(self) -> str:
        return make_id(self.now + 1, self.rng.randbytes(10))


class History:
    def __init__(
        self,
        out: Path,
        years: int,
        seed: int,
        end: dt.date,
        passphrase: str,
        durable: bool,
        acts: int = 4,
    ) -> None:
        self.out = out
        self.acts = acts  # the most acts of care each partner keeps up at once
        self.rng = random.Random(seed)
        self.end = end
        self.start = end - dt.timedelta(days=round(365.25 * years) - 1)
        self.passphrase = passphrase
        self.durable = durable
        self.types: dict[str, str] = {}  # record id -> type
        self.deleted: set[str] = set()
        self.op_count = 0
        self.segment_count = 0
        self.checkins: dict[tuple[str, str], str] = {}  # (partner id, week) -> record id
        self.agreements: list[dict[str, Any]] = []
        self.proposals: list[tuple[dict[str, Any], dt.date]] = []
        self.agreement_texts: set[str] = set()

    # -- set-up ---------------------------------------------------------------------------

    def setup(self) -> tuple[Person, Person]:
        shared = self.out / "shared"
        shared.mkdir(parents=True)
        first = self.start
        a_ms, b_ms = local_ms(first, 19 * 60), local_ms(first, 20 * 60 + 30)
        sa = init_space(self.out / "a", shared, "Alex", self.passphrase, now=lambda: a_ms)
        sb = join_space(self.out / "b", shared, "Sam", self.passphrase, now=lambda: b_ms)
        alex = Person("Alex", sa, random.Random(self.rng.random()), checkin_day=6)
        sam = Person("Sam", sb, random.Random(self.rng.random()), checkin_day=5)
        for person, stamp_ms in ((alex, a_ms), (sam, b_ms)):
            person.clock.observe(person.session.clock.last, stamp_ms)
            own = person.session.replica.meta("own")
            person.seq, person.prev = own["seq"], own["hash"]
            person.now = stamp_ms + 60_000
        for rtype in (m.PARTNER, m.DEVICE):
            for rec in sb.core(rtype):
                self.types[rec.id] = rtype
        self.op_count = 4
        self.segment_count = 2
        return alex, sam

    # -- one evening ----------------------------------------------------------------------

    def evening(self, me: Person, other: Person, day: dt.date, minutes: int) -> None:
        rng = me.rng
        me.now = max(me.now, local_ms(day, minutes))
        me.ops = []
        years_in = (day - self.start).days / 365.25
        if day == self.start:
            self.write_menu(me, rng.randint(5, 7))
        elif rng.random() < 1 / 75:
            self.write_menu(me, 1)
        if me.needs and len(me.needs) > 3 and rng.random() < 1 / 300:
            nid, _ = me.needs.pop(rng.randrange(len(me.needs)))
            me.op("set", nid, m.NEED, {"retired": True})

        self.open_notes(me)
        self.publish_keys(me, other)
        self.agreements_evening(me, other, day)
        self.care_changes(me, other, day, years_in)
        self.ticks(me, day)
        if rng.random() < 0.6:
            self.note(me, other)
        if day.weekday() == me.checkin_day or (
            day.weekday() == (me.checkin_day + 1) % 7
            and (me.pid, iso_week(day)) not in self.checkins
            and day.weekday() != 0
        ):
            self.checkin(me, other, day)
        self.commit(me)

    def write_menu(self, me: Person, count: int) -> None:
        known = {text for _, text in me.needs}
        choices = [n for n in NEEDS[me.name] if n not in known]
        for text in me.rng.sample(choices, min(count, len(choices))):
            nid = me.op("create", me.new_id(), m.NEED, {"text": text})
            self.types[nid] = m.NEED
            me.needs.append((nid, text))

    def open_notes(self, me: Person) -> None:
        """Opening the app marks new notes read; now and then one is marked landed."""
        for nid in me.unread:
            if me.rng.random() < 0.3:
                me.op("set", nid, m.GRATITUDE, {"read": True, "landed": True})
            else:
                me.op("set", nid, m.GRATITUDE, {"read": True})
        me.unread = []

    def publish_keys(self, me: Person, other: Person) -> None:
        for rid in list(me.keys):
            week = me.key_weeks[rid]
            if (other.pid, week) in self.checkins or me.rng.random() < 0.01:
                me.op("set", rid, m.CHECKIN, {"key": me.keys.pop(rid)})
                del me.key_weeks[rid]

    def agreements_evening(self, me: Person, other: Person, day: dt.date) -> None:
        rng = me.rng
        for proposal, proposed_on in list(self.proposals):
            if proposal["author"] == me.pid or day <= proposed_on:
                continue
            if rng.random() < 0.4:
                self.proposals.remove((proposal, proposed_on))
                if rng.random() < 0.85:
                    me.op(
                        "set",
                        proposal["id"],
                        m.AGREEMENT,
                        {"status": m.ACCEPTED, "accepted_by": me.pid},
                    )
                    self.agreements.append(proposal)
        early = (day - self.start).days < 120
        proposed = self.agreement_texts
        if rng.random() < (1 / 20 if early else 1 / 400) and len(proposed) < len(AGREEMENTS):
            text = rng.choice([t for t in AGREEMENTS if t not in proposed])
            proposed.add(text)
            aid = me.op(
                "create",
                me.new_id(),
                m.AGREEMENT,
                {"text": text, "status": m.PROPOSED, "accepted_by": None},
            )
            self.types[aid] = m.AGREEMENT
            self.proposals.append(({"id": aid, "author": me.pid}, day))
        if self.agreements and rng.random() < 1 / 500:
            agreement = self.agreements.pop(rng.randrange(len(self.agreements)))
            # retired once both have asked: each gives their own consent
            for person in (me, other):
                own = person.pid == agreement["author"]
                field = consent.OWNER_RETIRES if own else consent.OTHER_RETIRES
                person.op("set", agreement["id"], m.AGREEMENT, {field: True})

    def care_changes(self, me: Person, other: Person, day: dt.date, years_in: float) -> None:
        """Adopt care from the partner's menu; now and then retire an act that ran its course."""
        rng = me.rng
        want = min(self.acts, 2 if years_in < 0.25 else (3 if years_in < 1 else self.acts))
        if day == self.start:
            return  # the menus are written on the first evening; adoption starts the next
        if me.pending_request:
            if len(me.actions) < self.acts:
                self.adopt(me, other, day, me.pending_request)
            me.pending_request = None
        if len(me.actions) < want and (not me.actions or rng.random() < 1 / 20):
            self.adopt(me, other, day)
        if len(me.actions) > 2 and rng.random() < 1 / 450:
            action = me.actions.pop(rng.randrange(len(me.actions)))
            me.op("set", action.id, m.CARE, {"retired": True})
            me.retired_actions.append((action, day))

    def adopt(self, me: Person, other: Person, day: dt.date, request: str | None = None) -> None:
        rng = me.rng
        taken = {a.title for a in me.actions}
        menu = [(nid, text) for nid, text in other.needs if text not in taken]
        if request:
            need, title = None, request.removeprefix("Could you ").removeprefix("Could we ")
            title = title.rstrip("?").capitalize()
            if title in taken:
                return
        elif menu:
            need, title = rng.choice(menu)
        else:
            return
        cadence, days = rng.choice(CADENCES)
        fields = {
            "title": title,
            "cadence": cadence,
            "days": list(days),
            "need": need,
            "for": other.pid,
            "retired": False,
        }
        aid = me.op("create", me.new_id(), m.CARE, fields)
        self.types[aid] = m.CARE
        me.actions.append(Action(aid, title, cadence, list(days), day, rng.randrange(7)))

    def ticks(self, me: Person, day: dt.date) -> None:
        rng = me.rng
        ticked_today = []
        for action in me.actions:
            if action.since >= day:
                continue
            cadence, weekday = action.cadence, day.weekday()
            if cadence == m.WEEKDAYS and weekday >= 5:
                continue
            if cadence == m.DAYS and weekday not in action.days:
                continue
            if cadence == m.WEEKLY and weekday != action.weekly_day:
                continue
            roll = rng.random()
            if roll < 0.05:
                continue  # a forgotten evening: nothing recorded
            status = m.DONE if roll < 0.86 else m.SKIPPED
            rid = tick_id(action.id, day)
            me.op(
                "create",
                rid,
                m.TICK,
                {"action": action.id, "date": day.isoformat(), "status": status},
            )
            self.types[rid] = m.TICK
            self.deleted.discard(rid)
            ticked_today.append(rid)
            if rng.random() < 0.004:  # tapped the wrong one: undone the same evening
                me.op("delete", rid, m.TICK)
                self.deleted.add(rid)
            elif rng.random() < 0.004:  # changed the mind: done after all, or a skip
                other_status = m.SKIPPED if status == m.DONE else m.DONE
                me.op(
                    "create",
                    rid,
                    m.TICK,
                    {"action": action.id, "date": day.isoformat(), "status": other_status},
                )
        if me.last_tick_ids and rng.random() < 0.01:  # yesterday's tick taken back
            rid = rng.choice(me.last_tick_ids)
            if rid not in self.deleted:
                me.op("delete", rid, m.TICK)
                self.deleted.add(rid)
        me.last_tick_ids = ticked_today

    def note(self, me: Person, other: Person) -> None:
        rng = me.rng
        text = f"{rng.choice(NOTE_OPENERS)} {rng.choice(NOTE_DEEDS)}; {rng.choice(NOTE_LANDINGS)}"
        fields = {"text": text, "to": other.pid, "read": False, "landed": False}
        nid = me.op("create", me.new_id(), m.GRATITUDE, fields)
        self.types[nid] = m.GRATITUDE
        other.unread.append(nid)

    def checkin(self, me: Person, other: Person, day: dt.date) -> None:
        rng = me.rng
        week = iso_week(day)
        if (me.pid, week) in self.checkins or rng.random() < 0.08:
            return
        answers: dict[str, Any] = {
            "supported": rng.choice(SUPPORTED),
            "attention": rng.choice(ATTENTION),
            "energy": rng.randint(1, 5),
        }
        for name, pool in (("limits", LIMITS), ("victory", VICTORIES), ("request", REQUESTS)):
            value = rng.choice(pool)
            if value:
                answers[name] = value
        rid = checkin_id(me.pid, week)
        key = crypto.new_data_key()
        aad = f"companion checkin v1|{me.session.profile.space_id}|{rid}".encode()
        sealed = crypto.b64e(crypto.seal(key, json.dumps(answers).encode("utf-8"), aad))
        entry = {
            "for": hashlib.sha256(sealed.encode("ascii")).hexdigest()[:16],
            "k": crypto.b64e(key),
        }
        me.op("create", rid, m.CHECKIN, {"week": week, "sealed": sealed, "key": None})
        self.types[rid] = m.CHECKIN
        self.checkins[(me.pid, week)] = rid
        if (other.pid, week) in self.checkins or rng.random() < 0.03:
            me.op("set", rid, m.CHECKIN, {"key": entry})  # released now (or unsealed early)
        else:
            me.keys[rid] = entry
            me.key_weeks[rid] = week
        # The receiver's word on last week's care, given at the check-in.
        last_week = iso_week(day - dt.timedelta(days=7))
        for action in other.actions:
            if action.since <= day - dt.timedelta(days=7) and rng.random() < 0.8:
                verdict = rng.choices(("landed", "missed", "not-needed"), (65, 15, 20))[0]
                rv = review_id(action.id, last_week)
                me.op(
                    "create",
                    rv,
                    m.REVIEW,
                    {"action": action.id, "week": last_week, "verdict": verdict},
                )
                self.types[rv] = m.REVIEW
        request = answers.get("request")
        if request and len(other.actions) < self.acts and other.rng.random() < 0.1:
            other.pending_request = request  # adopted on their next evening

    # -- writing segments -----------------------------------------------------------------

    def commit(self, me: Person) -> None:
        if not me.ops:
            return
        journal = me.session.journal
        seq = me.seq + 1
        if self.durable:
            digest = journal.write(seq, me.prev, me.ops)
        else:
            data = segments.encode(
                journal.key,
                journal.space_id,
                journal.device_id,
                seq,
                me.prev,
                me.ops,
                journal.signer,
            )
            path = journal.segment_path(journal.device_id, seq)
            if path.exists():
                raise FileExistsError(path)
            atomic_write(path, data, durable=False)
            digest = segments.digest(data)
        me.seq, me.prev = seq, digest
        self.op_count += len(me.ops)
        self.segment_count += 1
        me.ops = []
        listing = journal.listing(journal.device_id)
        listing.segments[seq] = segment_name(seq)
        engine.compact_own(journal, listing)

    # -- the whole history ----------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        alex, sam = self.setup()
        day = self.start
        while day <= self.end:
            # Who opens the app first varies; each sees what the other wrote earlier.
            first, second = (alex, sam) if self.rng.random() < 0.5 else (sam, alex)
            start = self.rng.randint(19 * 60, 20 * 60 + 30)
            for me, other, minutes in ((first, second, start), (second, first, start + 45)):
                self.evening(me, other, day, minutes)
            day += dt.timedelta(days=1)
        if not self.durable:
            os.sync()
        return self.finish(alex, sam)

    def finish(self, alex: Person, sam: Person) -> dict[str, Any]:
        """Build each replica from the folder with one import, as a fresh device would."""
        end_ms = max(alex.now, sam.now) + 60_000
        for person in (alex, sam):
            session = person.session
            replica = session.replica
            replica.set_meta(own={"seq": person.seq, "hash": person.prev})
            session.clock.observe(person.clock.last, end_ms)
            engine.import_new(replica, session.journal, session.clock, end_ms)
            meta: dict[str, Any] = {"clock": session.clock.last}
            if person.keys:
                meta["checkin_keys"] = {rid: entry for rid, entry in person.keys.items()}
            replica.set_meta(**meta)
            if hasattr(session, "close"):
                session.close()  # the bookkeeping some versions keep in memory until then
        counts = Counter(self.types.values())
        return {
            "years": (self.end - self.start).days / 365.25,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "records": len(self.types),
            "deleted": len(self.deleted),
            "by_type": dict(sorted(counts.items())),
            "ops": self.op_count,
            "segments": self.segment_count,
            "passphrase": self.passphrase,
            "shared": str(self.out / "shared"),
            "homes": {"Alex": str(self.out / "a"), "Sam": str(self.out / "b")},
        }


def generate(
    out: Path,
    years: int,
    seed: int = 1,
    end: dt.date | None = None,
    passphrase: str = DEFAULT_PASSPHRASE,
    durable: bool = False,
    acts: int = 4,
) -> dict[str, Any]:
    """Generate the space into `out` (which must not hold one yet); return the summary."""
    out = Path(out).absolute()
    for sub in ("shared", "a", "b"):
        if (out / sub).exists():
            raise SystemExit(f"{out / sub} already exists: choose an empty --out folder.")
    out.mkdir(parents=True, exist_ok=True)
    end = end or (dt.date.today() - dt.timedelta(days=1))
    began = time.perf_counter()
    summary = History(out, years, seed, end, passphrase, durable, acts).run()
    summary["seed"] = seed
    summary["acts"] = acts
    summary["seconds"] = round(time.perf_counter() - began, 2)
    (out / SUMMARY).write_text(json.dumps(summary, indent=2) + "\n")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--years", type=int, default=10, help="years of history (default 10)")
    parser.add_argument("--out", type=Path, required=True, help="an empty folder to fill")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument(
        "--end",
        type=dt.date.fromisoformat,
        help="last evening of the history, YYYY-MM-DD (default: yesterday)",
    )
    parser.add_argument(
        "--passphrase",
        default=DEFAULT_PASSPHRASE,
        help=f"the space's passphrase (default: {DEFAULT_PASSPHRASE!r})",
    )
    parser.add_argument(
        "--durable",
        action="store_true",
        help="fsync every segment as Journal.write does (much slower)",
    )
    parser.add_argument(
        "--acts",
        type=int,
        default=4,
        help="the most acts of care each partner keeps up at once (default 4, the brief's "
        "2–4; about 8 gives the ~50,000 records of a heavier couple over ten years)",
    )
    args = parser.parse_args(argv)
    if args.years < 1:
        parser.error("--years must be at least 1")
    if not 2 <= args.acts <= len(NEEDS["Alex"]):
        parser.error(f"--acts must be between 2 and {len(NEEDS['Alex'])}")
    summary = generate(
        args.out, args.years, args.seed, args.end, args.passphrase, args.durable, args.acts
    )
    print(json.dumps(summary, indent=2))
    print(
        f"\n{summary['records']} records ({summary['ops']} changes in {summary['segments']} "
        f"segments) over {summary['start']} … {summary['end']} in {summary['seconds']} s.\n"
        f"Passphrase: {summary['passphrase']}\n"
        f"Try: COMPANION_HOME={summary['homes']['Alex']} "
        f"COMPANION_PASSPHRASE='{summary['passphrase']}' companion status",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
