"""The weekly check-in, sealed until both partners have shared theirs.

Sealing is cryptographic: the answers are encrypted under a fresh key per check-in, which
this device keeps (encrypted, never synced) and publishes only once the partner's own
check-in for the week exists, or when its author unseals early.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from companion.domain import model as m
from companion.domain import prompts, rules, schema
from companion.domain.checkin_fields import CHECKIN_LABELS
from companion.domain.ids import checkin_id
from companion.domain.records import Record
from companion.domain.schema import is_week
from companion.domain.sealed_fields import sealed_tag
from companion.domain.text import inert
from companion.domain.weeks import WEEK_ZONE, same_offset, week_at, zone_named
from companion.errors import UsageError
from companion.service.core import SessionCore, locked
from companion.store import crypto
from companion.store.replica import KEYS
from companion.sync.problems import UNOPENED, Problem

# This copy of the replica has looked at every partner's check-in merged before it checked
# each arriving one for a key that doesn't open it (local bookkeeping, never synced).
CHECKINS_LOOKED_AT = "unopened_looked_at"


def _revealed(record: Record) -> bool:
    """Whether a check-in's key is out for its answers: my partner may have read them."""
    key, sealed = record.get("key"), record.get("sealed")
    return bool(key and sealed and key.get("for") == sealed_tag(sealed))


class CheckinsPart(SessionCore):
    """The check-ins of a Session: writing, sealing, releasing keys, opening."""

    def week_zone(self) -> str | None:
        """The space's time zone, which files check-ins (weeks.py); None in an older space.

        It is kept in the record of the partner who made the space; should two records hold
        one, the earlier-made wins, so both devices read the same.
        """
        for record in self.core(m.PARTNER):
            name = record.get(WEEK_ZONE)
            if zone_named(name) is not None:
                return str(name)
        return None

    def checkin_week(self) -> str:
        """This week as check-ins count it: by the space's time zone (or, without one, here)."""
        return week_at(self.now(), zone_named(self.week_zone()))

    def checkin_prompts(self, week: str | None = None) -> list[prompts.Prompt]:
        """A week's prompt for each guided step (this week's by default): the same on both
        partners' devices, since the week and the space id are."""
        seed = prompts.couple_seed(self.space_id)
        return prompts.week_prompts(week or self.checkin_week(), seed)

    def week_zone_elsewhere(self) -> str | None:
        """The space's time zone when this computer's clock reads another time of day there:
        then its weeks turn at another hour than here, which Settings says."""
        name = self.week_zone()
        zone = zone_named(name)
        return name if zone is not None and not same_offset(zone, self.now()) else None

    @locked
    def checkin(self, week: str | None = None, **answers: Any) -> Record:
        """Save my check-in for a week, sealed until my partner's is in (or I unseal it)."""
        current = self.checkin_week()
        week = m.parse_week(week) if week else current
        if week > current:
            raise UsageError(
                f"{week} hasn't come yet.", "Check in for this week or an earlier one."
            )
        began = week_at(self.space_began_ms(), zone_named(self.week_zone()))
        if week < began:
            raise UsageError(
                f"Your space began in {began}, after {week}.",
                f"Check in for a week from {began} on.",
            )
        clean: dict[str, Any] = {}
        for name in ("supported", "attention"):
            clean[name] = m.clean_text(answers.get(name), CHECKIN_LABELS[name])
        for name in ("limits", "victory", "request", "my_week", "their_week"):
            if answers.get(name):
                clean[name] = m.clean_text(answers[name], CHECKIN_LABELS[name])
        if answers.get("energy") is not None:
            clean["energy"] = m.parse_energy(answers["energy"])
        rid = checkin_id(self.me, week)
        key = crypto.new_data_key()
        sealed = crypto.b64e(
            crypto.seal(key, json.dumps(clean).encode("utf-8"), self._checkin_aad(rid))
        )
        # The key is kept (encrypted, on this device only) before the sealed answers exist.
        keys = self.replica.meta("checkin_keys", {}, partition=KEYS)
        keys[rid] = {"for": sealed_tag(sealed), "k": crypto.b64e(key)}
        self.replica.set_meta(checkin_keys=keys, partition=KEYS)
        existing = self.replica.get(rid, m.CHECKIN)
        kind = "set" if existing is not None and not existing.deleted else "create"
        fields: dict[str, Any] = {"week": week, "sealed": sealed}
        if kind == "create":
            fields["key"] = None
        elif existing is not None and _revealed(existing) and not existing.get("first"):
            # My partner may have read it: what they read stays there to see, beside the edit.
            fields["first"] = {"sealed": existing["sealed"], "key": existing["key"]}
        self.commit([self.op(kind, rid, m.CHECKIN, fields)], flush=False)
        self.release_checkin_keys()
        self.flush()
        return self.open_checkin(self._present(rid, m.CHECKIN))

    def _checkin_aad(self, record_id: str) -> bytes:
        return f"companion checkin v1|{self.profile.space_id}|{record_id}".encode()

    @locked
    def release_checkin_keys(self, *, early: str | None = None) -> list[str]:
        """Publish the key of each of my sealed check-ins whose time has come.

        That is when my partner's own check-in for the same week exists, when it was already
        released before an edit, or (`early`, a record id) when I choose to unseal it now.
        """
        keys: dict[str, dict[str, str]] = self.replica.meta("checkin_keys", {}, partition=KEYS)
        if not keys:
            return []
        partner = self.partner
        ops, done = [], []
        for rid, entry in keys.items():
            record = self.replica.get(rid, m.CHECKIN)
            if record is None or record.author != self.me or record.deleted:
                continue
            if record.get("sealed") is None or sealed_tag(record["sealed"]) != entry["for"]:
                done.append(rid)  # an edit from another of my devices replaced this one
                continue
            published = record.get("key")
            if published and published.get("for") == entry["for"]:
                done.append(rid)
                continue
            if published or rid == early or self._partner_checked_in(partner, record["week"]):
                ops.append(self.op("set", rid, m.CHECKIN, {"key": entry}))
                done.append(rid)
        if ops:
            self.commit(ops, flush=False)
        if done:
            for rid in done:
                keys.pop(rid, None)
            self.replica.set_meta(checkin_keys=keys, partition=KEYS)
        return [op["id"] for op in ops]

    @locked
    def unseal_checkin(self, week: str | None = None) -> Record:
        """Show my partner my check-in now, before theirs is in."""
        week = m.parse_week(week) if week else self.checkin_week()
        rid = checkin_id(self.me, week)
        record = self.replica.get(rid, m.CHECKIN)
        if record is None or record.deleted:
            raise UsageError(f"You have no check-in for {week} yet.")
        if rid not in self.release_checkin_keys(early=rid) and not record.get("key"):
            raise UsageError(
                "This check-in was written on another of your devices, which holds its key.",
                "Unseal it there; it opens by itself once your partner's check-in is in.",
            )
        self.flush()
        return self.open_checkin(self._present(rid, m.CHECKIN))

    def open_checkin(self, record: Record) -> Record:
        """The check-in with its answers if this device may read them, else marked sealed.

        `revealed`: its key is out, so my partner may read it. Edited after that, it carries
        `edited` and, under `first`, the answers as they were first revealed; while the edit's
        key is on its way, those first answers are shown (`edit_arriving`).
        """
        sealed = record.get("sealed")
        if sealed is None:
            return record
        published = record.get("key")
        entry = None
        if published and published.get("for") == sealed_tag(sealed):
            entry = published
        elif record.author == self.me:
            local = self.replica.meta("checkin_keys", {}, partition=KEYS).get(record.id)
            if local and local.get("for") == sealed_tag(sealed):
                entry = local
        answers = self._answers(record.id, sealed, entry)
        kept = record.get("first")
        first = self._answers(record.id, kept["sealed"], kept["key"]) if kept else None
        fields: dict[str, Any] = {"week": record.get("week")}
        if answers is None and first is None:
            fields["sealed"] = True
            return replace(record, fields=fields)
        fields.update(answers if answers is not None else first or {})
        fields["sealed"] = False
        fields["revealed"] = bool(published)
        if first is not None:
            fields["edited"] = answers is not None and answers != first
            fields["first"] = first
            fields["edit_arriving"] = answers is None
        return replace(record, fields=fields)

    def _answers(self, record_id: str, sealed: str, entry: dict[str, str] | None) -> Any:
        """Sealed answers opened with their key entry: only known, valid ones; None if they
        can't be opened (no key, a key for other answers, damage)."""
        if entry is None or entry.get("for") != sealed_tag(sealed):
            return None
        try:
            plain = crypto.open_sealed(
                crypto.b64d(entry["k"]), crypto.b64d(sealed), self._checkin_aad(record_id)
            )
            return schema.checkin_answers(json.loads(plain))
        except (crypto.OpenFailed, ValueError, RecursionError):
            return None

    def check_earlier_checkins(self) -> None:
        """Once per copy of the replica: look at every partner's check-in merged before this
        check existed (or by a pass that doesn't make it, such as a rebuild's or a join's),
        as `note_unopened_checkins` looks at each that arrives."""
        if self.replica.meta(CHECKINS_LOOKED_AT):
            return
        theirs = [r for r in self.dated([m.CHECKIN]) if r.author != self.me]
        self.note_unopened_checkins([{"id": r.id, "type": m.CHECKIN} for r in theirs])
        self.replica.set_meta(unopened_looked_at=True)  # CHECKINS_LOOKED_AT

    def note_unopened_checkins(self, ops: list[dict[str, Any]]) -> None:
        """Tell (as a problem) of each partner's check-in among `ops` whose shared key
        doesn't open it, so it would stay sealed without a word; forget those that open."""
        problems = {Problem.from_dict(p).key: p for p in self.replica.meta("problems", [])}
        before = dict(problems)
        for rid in {op["id"] for op in ops if op["type"] == m.CHECKIN}:
            record = self.replica.get(rid, m.CHECKIN)
            if record is None or record.author == self.me or not is_week(record.get("week")):
                continue
            week = str(record.get("week"))
            key = (UNOPENED, record.device, int(week[:4] + week[6:]))
            stuck = bool(record.get("key")) and self.open_checkin(record).get("sealed") is True
            if not stuck or record.deleted:
                problems.pop(key, None)
                continue
            who = inert(self.name_of(record.author))
            problems[key] = Problem(
                UNOPENED, record.device, key[2],
                f"{who}'s check-in for {week} came with a key that doesn't open it, so it "
                f"stays sealed here; nothing else is affected. Ask {who} to save that week's "
                "check-in again, which shares a new key.",
            ).to_dict()  # fmt: skip
        if problems != before:
            ordered = sorted(problems.values(), key=lambda p: (p["device"], p["seq"], p["kind"]))
            self.replica.set_meta(problems=ordered)

    def checkins(self) -> list[Record]:
        return [self.open_checkin(r) for r in self.dated([m.CHECKIN])]

    def _checkin_of(self, partner: str | None, week: str) -> Record | None:
        if partner is None:
            return None
        record = self.replica.get(checkin_id(partner, week), m.CHECKIN)
        return None if record is None or record.deleted else record

    def _partner_checked_in(self, partner: str | None, week: str) -> bool:
        return self._checkin_of(partner, week) is not None

    def checkin_state(self, week: str | None = None) -> rules.CheckinState:
        """Where a week's check-in stands (looked up by id: one month file, not all)."""
        week = week or self.checkin_week()
        mine, theirs = self._checkin_of(self.me, week), self._checkin_of(self.partner, week)
        return rules.CheckinState(
            week,
            None if mine is None else self.open_checkin(mine),
            None if theirs is None else self.open_checkin(theirs),
        )
