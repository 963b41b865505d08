"""The schema every operation passes where it enters: what it refuses, what it lets through,
and a hostile partner's app writing arbitrary values into every field of every record type.

What must hold: the app's own writes pass; a value outside a field's type, range, length or
form is refused, the operation kept aside and reported (by `status`, `verify` and the TUI);
and nothing a valid operation can produce makes `list`, `status`, `export`, `verify` or a TUI
screen fail with a traceback.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import secrets
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from companion.cli import cli
from companion.domain import consent, schema
from companion.domain import model as m
from companion.domain.ids import iso_week, make_id, tick_id
from companion.domain.records import make_op
from companion.errors import CompanionError
from companion.service import Session, init_space, join_space
from companion.store import crypto
from companion.store.replica import QUARANTINE
from companion.sync import lifetime, segments

from .conftest import PASSPHRASE

ALEX, SAM = "a1" * 8, "5a" * 8
DEVICE = "de" * 8
# Today, not a fixed day: a partner's dated records are judged against the lifetime of a space
# made today (sync/lifetime.py), so a fixed day would fall out of it as the year goes by.
NOW_MS = time.time_ns() // 1_000_000
YEAR_MS = 366 * 24 * 60 * 60 * 1000


def op(kind: str, record_type: str, fields: dict[str, Any], record_id: str | None = None):
    if record_id is None:
        record_id = ALEX if record_type in (m.PARTNER, m.DEVICE) else make_id(NOW_MS)
    return make_op(
        kind, record_id, record_type, f"{NOW_MS:015d}.000000.{DEVICE}", DEVICE, SAM, fields
    )


# -- what the schema refuses and lets through ------------------------------------------------

GOOD_CARE = {
    "title": "Tea after work",
    "cadence": m.DAYS,
    "days": [0, 3],
    "need": None,
    "for": ALEX,
    "retired": False,
}
GOOD_KEY = {"for": "0123456789abcdef", "k": base64.b64encode(bytes(32)).decode()}

REFUSED = [
    # the cases the issue names, and their neighbours
    (m.CARE, {**GOOD_CARE, "cadence": "sometimes"}, "cadence"),
    (m.CARE, {**GOOD_CARE, "days": [9]}, "days"),
    (m.CARE, {**GOOD_CARE, "days": [True]}, "days"),
    (m.CARE, {**GOOD_CARE, "days": [1, 1]}, "days"),
    (m.CARE, {**GOOD_CARE, "days": "mon"}, "days"),
    (m.CARE, {**GOOD_CARE, "title": "x" * 201}, "title"),
    (m.CARE, {**GOOD_CARE, "need": "nope"}, "need"),
    (m.PARTNER, {"checkin_day": 9}, "checkin_day"),
    (m.PARTNER, {"checkin_day": True}, "checkin_day"),
    (m.PARTNER, {"name": ["Sam"]}, "name"),
    (m.PARTNER, {"name": "Sam\nthe second"}, "name"),
    (m.PARTNER, {"name": "x" * 41}, "name"),
    (m.TICK, {"action": make_id(NOW_MS), "date": "soon", "status": m.DONE}, "date"),
    (m.TICK, {"action": make_id(NOW_MS), "date": "20261126", "status": m.DONE}, "date"),
    (m.TICK, {"action": make_id(NOW_MS), "date": "0001-01-01", "status": m.DONE}, "date"),
    (m.TICK, {"action": make_id(NOW_MS), "date": "2026-11-26", "status": "maybe"}, "status"),
    (m.CHECKIN, {"week": "2026-W48", "sealed": "AAAA", "key": 5}, "key"),
    (m.CHECKIN, {"week": "2026-W48", "sealed": "AAAA", "key": {**GOOD_KEY, "x": 1}}, "key"),
    (m.CHECKIN, {"week": "2026-W48", "sealed": "AAAA", "key": {**GOOD_KEY, "k": "AAAA"}}, "key"),
    (m.CHECKIN, {"week": 202648, "sealed": "AAAA", "key": None}, "week"),
    (m.CHECKIN, {"week": "2026-W9", "sealed": "AAAA", "key": None}, "week"),
    (m.CHECKIN, {"week": "2026-W54", "sealed": "AAAA", "key": None}, "week"),
    (m.CHECKIN, {"week": "2026-W48", "sealed": "not base64!", "key": None}, "sealed"),
    (m.GRATITUDE, {"text": 42, "to": ALEX, "read": False, "landed": False}, "text"),
    (m.GRATITUDE, {"text": "  ", "to": ALEX, "read": False, "landed": False}, "text"),
    (m.GRATITUDE, {"text": "a\x1b]0;hi\x07", "to": ALEX, "read": False, "landed": False}, "text"),
    (m.GRATITUDE, {"text": "hi", "to": "Alex", "read": False, "landed": False}, "to"),
    (m.GRATITUDE, {"text": "hi", "to": ALEX, "read": "yes", "landed": False}, "read"),
    (m.REVIEW, {"action": make_id(NOW_MS), "week": "2026-W48", "verdict": "meh"}, "verdict"),
    (m.AGREEMENT, {"text": "x", "status": "done", "accepted_by": None}, "status"),
    (m.AGREEMENT, {"text": "x", "status": m.ACCEPTED, "accepted_by": 1}, "accepted_by"),
    (m.FOCUS, {"week": "2026-W48", "text": "x" * 201}, "text"),
    (m.FOCUS, {"week": "2026-W48", "text": " "}, "text"),
    (m.FOCUS, {"week": "2026-W48", "text": ["slow"]}, "text"),
    (m.FOCUS, {"week": "48", "text": "slow"}, "week"),
    (m.REFLECTION, {"week": "2026-W48", "sealed": "in plain words", "key": None}, "sealed"),
    (m.REFLECTION, {"week": "2026-W48", "sealed": "A" * (64 * 1024), "key": None}, "sealed"),
    (m.REFLECTION, {"week": "2026-W48", "sealed": "AAAA", "key": {"for": "x"}}, "key"),
    (m.DEVICE, {"partner": ALEX, "label": "a\nb"}, "label"),
    (m.NEED, {"text": "x", "deleted": "no"}, "deleted"),
]


@pytest.mark.parametrize(("record_type", "fields", "field"), REFUSED)
def test_a_value_a_field_cannot_hold_is_refused_naming_the_field(record_type, fields, field):
    for kind in ("create", "set"):
        invalid = schema.check_op(op(kind, record_type, fields))
        assert invalid is not None and invalid.field == field, (kind, invalid)
        assert invalid.record_type == record_type
        assert field in invalid.describe()


def test_what_the_op_itself_names_must_have_the_right_form():
    good = op("create", m.NEED, {"text": "hi"})
    assert schema.check_op(good) is None
    for bad in (
        {**good, "type": "mood"},
        {**good, "id": "not-an-id"},
        {**good, "type": m.PARTNER},  # a partner is named by a hex id, not a record id
        {**good, "author": "Sam"},
        {**good, "device": ""},
        {**good, "fields": []},
    ):
        assert schema.check_op(bad) is not None, bad


ACCEPTED = [
    (m.CARE, GOOD_CARE),
    (m.CARE, {**GOOD_CARE, "cadence": m.AS_NEEDED, "days": [], "for": None}),
    (m.PARTNER, {"name": "Sam", "checkin_day": 0}),
    (m.DEVICE, {"partner": ALEX, "label": ""}),
    (m.TICK, {"action": make_id(NOW_MS), "date": "2026-11-26", "status": m.SKIPPED}),
    (m.CHECKIN, {"week": "2026-W48", "sealed": "AAAA", "key": GOOD_KEY}),
    (m.CHECKIN, {"week": "2020-W53", "sealed": "AAAA", "key": None}),
    (m.GRATITUDE, {"text": "two\nlines\tand a tab", "to": ALEX, "read": True, "landed": False}),
    (m.AGREEMENT, {"text": "x", "status": m.PROPOSED, "accepted_by": None}),
    (m.FOCUS, {"week": "2026-W48", "text": "One slow evening"}),
    (m.REFLECTION, {"week": "2026-W48", "sealed": "AAAA", "key": None}),
    (m.REFLECTION, {"week": "2026-W48", "sealed": "AAAA", "key": GOOD_KEY}),
]


@pytest.mark.parametrize(("record_type", "fields"), ACCEPTED)
def test_values_the_app_writes_pass(record_type, fields):
    assert schema.check_op(op("create", record_type, fields)) is None


def test_a_field_this_version_does_not_know_is_dropped_not_refused():
    incoming = op("create", m.GRATITUDE, {"text": "hi", "to": ALEX, "mood": ["anything"]})
    assert schema.check_op(incoming) is None
    assert schema.known_fields(incoming)["fields"] == {"text": "hi", "to": ALEX}
    plain = op("set", m.GRATITUDE, {"landed": True})
    assert schema.known_fields(plain) is plain


def test_a_record_is_shown_only_once_it_has_what_its_readers_need():
    assert schema.complete(m.TICK, {"action": "x", "date": "y", "status": "z"})
    assert not schema.complete(m.TICK, {"action": "x", "status": "z"})
    assert not schema.complete("mood", {})


def test_opened_checkin_answers_keep_only_what_may_be_shown():
    answers = {"supported": "the tea", "attention": 5, "energy": 9, "victory": "ran", "x": 1}
    assert schema.checkin_answers(answers) == {"supported": "the tea", "victory": "ran"}
    assert schema.checkin_answers(["not", "a", "dict"]) == {}


def test_the_app_refuses_to_write_a_change_its_own_schema_refuses(space):
    alex = Session.unlock(space["alex"], PASSPHRASE)
    with pytest.raises(RuntimeError, match="cadence"):
        alex.commit([alex.op("create", alex.new_id(), m.CARE, {**GOOD_CARE, "cadence": "x"})])
    assert [c for c in alex.core(m.CARE) if c.get("cadence") == "x"] == []
    assert alex.waiting() == 0
    alex.close()


def test_weeks_typed_loosely_are_stored_in_their_one_form():
    assert m.parse_week("2026-W9") == "2026-W09"
    with pytest.raises(CompanionError):
        m.parse_week("0001-W01")


# -- a hostile partner's app, end to end -----------------------------------------------------


@pytest.fixture
def space(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    monkeypatch.setattr(crypto, "ARGON2_DEFAULTS", {"iterations": 1, "lanes": 1, "memory_cost": 8})
    shared = tmp_path / "shared"
    shared.mkdir()
    homes = {"alex": tmp_path / "home-alex", "sam": tmp_path / "home-sam", "shared": shared}
    alex = init_space(homes["alex"], shared, "Alex", PASSPHRASE)
    sam = join_space(homes["sam"], shared, "Sam", PASSPHRASE)
    alex.sync()
    need = sam.add_need("A text on stressful days")
    sam.sync()
    alex.sync()
    care = alex.add_care("Text at lunch", "mon,thu", need_ref=need.id)
    alex.tick(care.id, alex.today())
    alex.propose_agreement("We pause when either of us says pause")
    alex.add_gratitude("Thank you for the tea")
    alex.checkin(None, supported="the tea", attention="When it rained, I felt low", energy=3)
    alex.sync()
    sam.sync()
    sam.review(care.id, "landed")
    sam.checkin(None, supported="the walk", attention="When plans changed, I felt unsure")
    sam.sync()
    alex.sync()
    alex.close()
    sam.close()
    return homes


def _ids(home: Path) -> list[str]:
    session = Session.unlock(home, PASSPHRASE)
    try:
        return [r.id for r in session.core_records()] + [r.id for r in session.dated(m.DATED_TYPES)]
    finally:
        session.close()


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


def _valid_values(partners: list[str], ids: list[str]) -> dict[str, st.SearchStrategy[Any]]:
    """Values the app itself could write, field by field (wherever the name occurs)."""
    days = st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31))
    record_ids = st.sampled_from(ids) | st.builds(make_id, st.integers(0, 2**47))
    b64 = st.binary(min_size=1, max_size=48).map(lambda b: base64.b64encode(b).decode())
    key = st.fixed_dictionaries(
        {
            "for": st.text("0123456789abcdef", min_size=16, max_size=16),
            "k": st.binary(min_size=32, max_size=32).map(lambda b: base64.b64encode(b).decode()),
        }
    )
    words = st.text(st.characters(categories=("L", "N", "P", "Zs")), min_size=1, max_size=60)
    words = words.filter(lambda t: t.strip())
    return {
        "name": words.map(lambda t: t[:40]).filter(lambda t: t.strip()),
        "checkin_day": st.integers(0, 6),
        "partner": st.sampled_from(partners),
        "label": st.just("laptop"),
        "text": words,
        "title": words,
        "retired": st.booleans(),
        "read": st.booleans(),
        "landed": st.booleans(),
        "cadence": st.sampled_from(m.CADENCES),
        "days": st.lists(st.integers(0, 6), unique=True, max_size=7),
        "need": st.none() | record_ids,
        "for": st.none() | st.sampled_from(partners),
        "to": st.sampled_from(partners),
        "accepted_by": st.none() | st.sampled_from(partners),
        "action": record_ids,
        "date": days.map(dt.date.isoformat),
        "status": st.sampled_from(m.TICK_STATUSES + m.AGREEMENT_STATUSES),
        "week": days.map(iso_week),
        "sealed": b64,
        "key": st.none() | key,
        "first": st.fixed_dictionaries({"sealed": b64, "key": key}),
        "verdict": st.sampled_from(m.REVIEW_VERDICTS),
        **{f: st.booleans() for f in consent.RETIRES},
        **{f: st.none() | st.sampled_from(consent.TALK_SUBJECTS) for f in consent.TALKS},
        "note": st.none() | words,
    }


@st.composite
def hostile_ops(draw, partners: list[str], ids: list[str]) -> list[tuple[str, str, str, dict]]:
    """(kind, type, id, fields): any record type, any field, valid values or arbitrary JSON."""
    valid = _valid_values(partners, ids)
    out = []
    for _ in range(draw(st.integers(1, 4))):
        record_type = draw(st.sampled_from([*m.RECORD_TYPES, "mood"]))
        kind = draw(st.sampled_from(["create", "create", "set", "delete"]))
        hex_named = record_type in (m.PARTNER, m.DEVICE)
        # mostly made about now, as the app would; sometimes years away (outside the lifetime)
        when = NOW_MS + draw(st.integers(0, 10**9) | st.integers(-3 * YEAR_MS, 3 * YEAR_MS))
        fresh = secrets.token_hex(8) if hex_named else make_id(max(when, 0))
        record_id = draw(st.sampled_from([fresh, fresh, *ids, *partners, "garbage"]))
        names = list(schema.SCHEMAS.get(record_type, {"x": None}))
        chosen = names if kind == "create" else draw(st.lists(st.sampled_from(names), unique=True))
        fields = {}
        for name in chosen:
            # mostly values the app could write, so that records get through to the readers
            if name in valid and draw(st.integers(0, 3)) > 0:
                fields[name] = draw(valid[name])
            else:
                fields[name] = draw(JSON)
        if draw(st.integers(0, 5)) == 0:
            fields[draw(st.sampled_from(["mood", "deleted", "id"]))] = draw(JSON)
        out.append((kind, record_type, record_id, fields))
    return out


def write_as(home: Path, wanted: list[tuple[str, str, str, dict]]) -> tuple[int, list[dict]]:
    """Write operations as a modified app on that device would: authentic, in a new segment."""
    session = Session.unlock(home, PASSPHRASE)
    try:
        ops = [session.op(kind, rid, rtype, fields) for kind, rtype, rid, fields in wanted]
        journal, device = session.journal, session.device_id
        last = journal.listing(device).last_seq
        prev = journal.digest_of(device, last) or ""
        journal.write(last + 1, prev, ops)
        return last + 1, ops
    finally:
        session.close()


READ_COMMANDS = [
    ["sync"],
    *(
        ["list", kind, *flag]
        for kind in ("gratitude", "needs", "care", "ticks", "checkins", "agreements", "reviews")
        for flag in ([], ["--json"])
    ),
    ["status"],
    ["status", "--json"],
    *(["export", "--format", fmt] for fmt in ("json", "markdown", "csv")),
    ["verify"],
    ["verify", "--json"],
]


def run_cli(home: Path, args: list[str]) -> str:
    """One command in this process; a CompanionError is a message to a person, not a crash."""
    env = {"COMPANION_HOME": str(home), "COMPANION_PASSPHRASE": PASSPHRASE}
    result = CliRunner().invoke(cli, args, env=env)
    if result.exception is not None and not isinstance(
        result.exception, SystemExit | CompanionError
    ):
        raise AssertionError(f"`companion {' '.join(args)}` crashed") from result.exception
    return result.stdout


@settings(
    max_examples=int(os.environ.get("COMPANION_SCHEMA_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_arbitrary_values_from_the_partner_never_crash_a_reader_and_are_reported(space, data):
    alex_home, sam_home = space["alex"], space["sam"]
    partners = [p for p in (space.get("alex_id"), space.get("sam_id")) if p]
    if not partners:
        session = Session.unlock(alex_home, PASSPHRASE)
        space["alex_id"], space["sam_id"] = session.me, session.partner
        space["sam_device"] = next(
            d.id for d in session.core(m.DEVICE) if d.id != session.device_id
        )
        space["ids"] = _ids(alex_home)
        space["lifetime"] = (session.space_began_ms(), session.now())
        session.close()
        partners = [space["alex_id"], space["sam_id"]]
    wanted = data.draw(hostile_ops(partners, space["ids"]))
    seq, ops = write_as(sam_home, wanted)
    # refused: what the schema refuses, and what is dated outside the space's lifetime
    # (sync/lifetime.py), told and kept alike
    began, now = space["lifetime"]
    refused = [
        o
        for o in ops
        if schema.check_op(o) is not None
        or not lifetime.within_lifetime_of(schema.known_fields(o), began, now)
    ]
    outputs = {" ".join(args): run_cli(alex_home, args) for args in READ_COMMANDS}

    status = json.loads(outputs["status --json"])
    invalid = {(p["device"], p["seq"]) for p in status["problems"] if p["kind"] == "invalid"}
    assert ((space["sam_device"], seq) in invalid) == bool(refused), status["problems"]
    verify = json.loads(outputs["verify --json"])
    found = {(p["device"], p["seq"]) for p in verify["problems"] if p["kind"] == "invalid"}
    assert ((space["sam_device"], seq) in found) == bool(refused)
    exported = {r["id"] for r in json.loads(outputs["export --format json"])["records"]}
    known = set(space["ids"])
    for o in refused:
        if o["id"] not in known and o["op"] == "create":
            assert o["id"] not in exported, o  # never merged, never shown
    session = Session.unlock(alex_home, PASSPHRASE)
    held = session.replica.meta("held", {}, partition=QUARANTINE)
    session.close()
    assert sum(1 for e in held.values() if e["seq"] == seq) == len(
        {(o["hlc"], o["op"], o["id"]) for o in refused}
    )


def test_compacted_valid_operations_stay_valid(space):
    sam = Session.unlock(space["sam"], PASSPHRASE)
    ops = []
    for seq in sam.journal.segment_seqs(sam.device_id):
        segment = sam.journal.read(sam.device_id, seq)
        assert segment is not None
        ops += segment.ops
    sam.close()
    assert ops and all(schema.check_op(o) is None for o in ops)
    assert all(schema.check_op(o) is None for o in segments.compact(ops))


def test_a_bad_change_in_this_devices_own_journal_is_kept_aside_and_told(space):
    seq, _ = write_as(space["alex"], [("create", m.NEED, make_id(NOW_MS), {"text": 42})])
    write_as(space["sam"], [("create", m.NEED, make_id(NOW_MS), {"text": "a good one"})])
    run_cli(space["alex"], ["sync"])
    alex = Session.unlock(space["alex"], PASSPHRASE)
    [problem] = [p for p in alex.problems() if p.kind == "invalid"]
    assert problem.device == alex.device_id and problem.seq == seq
    assert "this device's own journal" in problem.message and "'text'" in problem.message
    assert "a good one" in {n.get("text") for n in alex.core(m.NEED)}
    assert 42 not in {n.get("text") for n in alex.core(m.NEED)}
    alex.close()


def test_a_bad_change_from_the_partner_is_told_by_name_and_the_rest_merges(space):
    write_as(
        space["sam"],
        [
            ("create", m.CARE, make_id(NOW_MS), {**GOOD_CARE, "cadence": "sometimes"}),
            ("create", m.NEED, make_id(NOW_MS), {"text": "merged all the same"}),
        ],
    )
    run_cli(space["alex"], ["sync"])
    out = run_cli(space["alex"], ["status"])
    assert "Ask Sam to update companion" in out and "'cadence'" in out
    alex = Session.unlock(space["alex"], PASSPHRASE)
    assert "merged all the same" in {n.get("text") for n in alex.core(m.NEED)}
    assert "sometimes" not in {c.get("cadence") for c in alex.core(m.CARE)}
    alex.close()
    assert "Everything checks out" not in run_cli(space["alex"], ["verify"])


def test_a_change_dated_outside_the_lifetime_is_told_by_verify_beside_a_schema_refusal(space):
    """status and verify agree on each file kept aside, whatever else the same device sent."""
    sam = Session.unlock(space["sam"], PASSPHRASE)
    action = sam.add_care("Water the plants", "daily")
    sam.close()
    bad, _ = write_as(space["sam"], [("create", m.NEED, make_id(NOW_MS), {"text": 42})])
    long_ago = {"action": action.id, "date": "2001-02-03", "status": m.DONE}
    tick = tick_id(action.id, dt.date(2001, 2, 3))
    old, _ = write_as(space["sam"], [("create", m.TICK, tick, long_ago)])
    run_cli(space["alex"], ["sync"])
    status = json.loads(run_cli(space["alex"], ["status", "--json"]))
    told = {p["seq"] for p in status["problems"] if p["kind"] == "invalid"}
    assert {bad, old} <= told, status["problems"]
    verify = json.loads(run_cli(space["alex"], ["verify", "--json"]))
    found = {p["seq"]: p for p in verify["problems"] if p["kind"] == "invalid"}
    assert {bad, old} <= set(found), verify["problems"]
    assert "lifetime" in found[old]["message"]
