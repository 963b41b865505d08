"""After the reveal: one focus for next week, and "how did that go?", for a Session.

Each partner suggests a focus in a record of their own; the week's focus is the one set last,
and the other suggestion, if it differs, is shown beside it, so neither is lost. "How did that
go?" is sealed the way a check-in is: under a fresh key this device keeps, published only
when its author shares it. Until then the partner's app can't open it and never mentions it.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any, NamedTuple

from companion.domain import model as m
from companion.domain import schema
from companion.domain.ids import focus_id, next_week, reflection_id
from companion.domain.records import Record
from companion.domain.sealed_fields import key_opens, sealed_tag
from companion.errors import UsageError
from companion.service.checkins import CheckinsPart
from companion.service.core import locked
from companion.store import crypto
from companion.store.replica import KEYS

# This device's keys to its "how did that go?" words: record id → {"for": tag, "k": key}.
REFLECTION_KEYS = "reflection_keys"


class Focus(NamedTuple):
    """The week's focus: the suggestion set last, and the other one when it differs."""

    text: str
    author: str
    other_text: str | None = None
    other_author: str | None = None


class Reflection(NamedTuple):
    """A partner's few words on how the talk went, and whether they are shared."""

    words: str
    shared: bool


class TalkPart(CheckinsPart):
    """The focus for next week and "how did that go?", after a week's check-ins."""

    def _after_both(self, week: str | None) -> str:
        week = m.parse_week(week) if week else self.checkin_week()
        if not self.checkin_state(week).both_submitted:
            raise UsageError(
                "This comes after you have both shared the week's check-in.",
                "Share yours with `companion checkin`; once both are in, talk it over first.",
            )
        return week

    @locked
    def set_focus(self, text: str, week: str | None = None) -> Focus:
        """Suggest one focus for the week after `week` (this week by default)."""
        week = self._after_both(week)
        clean = m.clean_text(text, "focus for next week", limit=schema.MAX_TITLE)
        rid = focus_id(self.me, week)
        existing = self.replica.get(rid, m.FOCUS)
        kind = "set" if existing is not None else "create"
        self.commit([self.op(kind, rid, m.FOCUS, {"week": week, "text": clean})])
        found = self.focus_after(week)
        assert found is not None
        return found

    def focus_after(self, week: str) -> Focus | None:
        """The focus suggested after `week`'s check-ins (for the week that follows)."""
        found = []
        for partner in (self.me, self.partner):
            record = None if partner is None else self.replica.get(focus_id(partner, week), m.FOCUS)
            if record is not None and not record.deleted and record.get("text"):
                found.append(record)
        if not found:
            return None
        # The later suggestion leads; a tie in stamps can't happen across two authors' clocks
        # (a stamp holds its device), and the author's id settles it the same everywhere.
        found.sort(key=lambda r: (r.hlc, r.author))
        latest, rest = found[-1], found[:-1]
        other = next((r for r in rest if r.get("text") != latest.get("text")), None)
        return Focus(
            latest["text"],
            latest.author,
            None if other is None else other["text"],
            None if other is None else other.author,
        )

    def current_focus(self) -> Focus | None:
        """The focus we chose for this week, after last week's check-ins."""
        return self.focus_after(next_week(self.checkin_week(), -1))

    def next_focus(self) -> Focus | None:
        """The focus suggested after this week's check-ins, for next week."""
        return self.focus_after(self.checkin_week())

    @locked
    def reflect(
        self, words: str | None = None, *, share: bool = False, week: str | None = None
    ) -> Reflection:
        """Keep a few words on how the talk went, sealed for me; or share them (`share`)."""
        week = self._after_both(week)
        rid = reflection_id(self.me, week)
        existing = self.replica.get(rid, m.REFLECTION)
        if existing is not None and existing.deleted:
            existing = None
        was_shared = existing is not None and self._published(existing) is not None
        keys: dict[str, dict[str, str]] = self.replica.meta(REFLECTION_KEYS, {}, partition=KEYS)
        if words is not None and words.strip():
            clean = m.clean_text(words, "word on how it went")
            key = crypto.new_data_key()
            plain = json.dumps({"words": clean}).encode("utf-8")
            sealed = crypto.b64e(crypto.seal(key, plain, self._reflection_aad(rid)))
            entry = {"for": sealed_tag(sealed), "k": crypto.b64e(key)}
            # The key is kept (encrypted, on this device only) before the sealed words exist.
            keys[rid] = entry
            self.replica.set_meta(reflection_keys=keys, partition=KEYS)
            fields: dict[str, Any] = {"week": week, "sealed": sealed}
            if share or was_shared:
                fields["key"] = entry  # once shared, a rewording is shared too
            elif existing is None:
                fields["key"] = None
            kind = "create" if existing is None else "set"
            self.commit([self.op(kind, rid, m.REFLECTION, fields)])
        elif share:
            if existing is None:
                raise UsageError(
                    "There is nothing to share yet.",
                    'Write a few words first: `companion reflect "TEXT" --share`.',
                )
            kept = keys.get(rid)
            if was_shared:
                pass  # shared already: nothing more to publish
            elif kept is None or kept.get("for") != sealed_tag(existing["sealed"]):
                raise UsageError(
                    "These words were written on your other device, which holds their key.",
                    "Share them there, or write them again here.",
                )
            else:
                self.commit([self.op("set", rid, m.REFLECTION, {"key": kept})])
        else:
            raise UsageError(
                "A few words, please: how did the talk go for you?",
                "Even one line is enough; it stays yours unless you add --share.",
            )
        mine = self.reflection_of(self.me, week)
        assert mine is not None
        return mine

    def open_reflection(self, record: Record) -> Record | None:
        """A "how did that go?" as it may be shown here (its words under `text`, and whether
        it is shared), or None when it is not for this device to read."""
        week = record.get("week")
        if not isinstance(week, str) or record.id != reflection_id(record.author, week):
            return None
        found = self.reflection_of(record.author, week)
        if found is None:
            return None
        return replace(record, fields={"week": week, "text": found.words, "shared": found.shared})

    def reflection_of(self, partner: str | None, week: str) -> Reflection | None:
        """A partner's words on how it went: mine if this device can open them; theirs only
        once they have shared them (until then, as if there were none)."""
        if partner is None:
            return None
        rid = reflection_id(partner, week)
        record = self.replica.get(rid, m.REFLECTION)
        if record is None or record.deleted or not isinstance(record.get("sealed"), str):
            return None
        entry = self._published(record)
        shared = entry is not None
        if entry is None and partner == self.me:
            local = self.replica.meta(REFLECTION_KEYS, {}, partition=KEYS).get(rid)
            if local and local.get("for") == sealed_tag(record["sealed"]):
                entry = local
        if entry is None:
            return None
        try:
            plain = crypto.open_sealed(
                crypto.b64d(entry["k"]), crypto.b64d(record["sealed"]), self._reflection_aad(rid)
            )
            words = schema.reflection_words(json.loads(plain))
        except (crypto.OpenFailed, ValueError, RecursionError):
            return None
        return None if words is None else Reflection(words, shared)

    @staticmethod
    def _published(record: Record) -> dict[str, str] | None:
        published = record.get("key")
        return dict(published) if key_opens(published, record.get("sealed")) else None

    def _reflection_aad(self, record_id: str) -> bytes:
        return f"companion reflection v1|{self.profile.space_id}|{record_id}".encode()
